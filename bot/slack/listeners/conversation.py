"""The conversation around an item: questions before accepting, due-date proposals, and the
delegator reassigning or cancelling. Buttons open forms; forms make one domain call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.domain.changes import (
    check_can_propose,
    check_can_reassign,
    decide_due,
    propose_due,
    reassign,
)
from bot.domain.delegations import cancel
from bot.domain.due_dates import due_from_picker
from bot.domain.errors import BadInput, NotFound
from bot.domain.intake import resolve_people
from bot.domain.questions import answer, ask, check_can_ask, question_to_answer
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.change_modals import (
    answer_modal,
    ask_modal,
    propose_due_modal,
    reassign_modal,
)
from bot.slack.errors import answers_errors
from bot.slack.forms import (
    button_id,
    delegation_id_from_metadata,
    picked_date,
    picked_time,
    picked_user,
    written,
)
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.runtime import Runtime
from storage.db import reading


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    def open_form(body: dict[str, Any], client: WebClient, view: View) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=view)

    # -- the assignee asks, the delegator answers ----------------------------------------
    @app.action(ActionId.ASK_QUESTION)
    @guarded
    def on_ask(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        with reading(runtime.engine) as session:
            delegation = check_can_ask(
                session, delegation_id=_delegation_id(action), actor=_user(body)
            )
        open_form(body, client, ask_modal(delegation))

    @app.view(CallbackId.QUESTION_MODAL)
    def on_question(ack: Ack, body: dict[str, Any]) -> None:
        with runtime.work() as work:
            ask(
                work.session,
                delegation_id=_metadata_id(body),
                actor=_user(body),
                question=written(body, BlockId.QUESTION, ActionId.QUESTION_INPUT) or "",
                now=work.now,
                notifier=work.notifier,
            )
        ack()

    @app.action(ActionId.ANSWER_QUESTION)
    @guarded
    def on_answer_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        with reading(runtime.engine) as session:
            asked, delegation = question_to_answer(
                session, question_id=button_id(action, of="a question"), actor=_user(body)
            )
        open_form(body, client, answer_modal(delegation, asked))

    @app.view(CallbackId.ANSWER_MODAL)
    def on_answer(ack: Ack, body: dict[str, Any]) -> None:
        with runtime.work() as work:
            answer(
                work.session,
                question_id=_metadata_id(body),
                actor=_user(body),
                reply=written(body, BlockId.ANSWER, ActionId.ANSWER_INPUT) or "",
                now=work.now,
                notifier=work.notifier,
                supervisor=runtime.supervisor,
            )
        ack()

    # -- a new due date, proposed and decided ---------------------------------------------
    @app.action(ActionId.PROPOSE_DUE)
    @guarded
    def on_propose(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        with reading(runtime.engine) as session:
            delegation = check_can_propose(
                session, delegation_id=_delegation_id(action), actor=_user(body)
            )
        open_form(body, client, propose_due_modal(delegation))

    @app.view(CallbackId.PROPOSE_DUE_MODAL)
    def on_proposed(ack: Ack, body: dict[str, Any]) -> None:
        day = picked_date(body, BlockId.DUE_DATE, ActionId.DUE_DATE_INPUT)
        if day is None:
            raise BadInput("Pick a date.", field="due")
        user = _user(body)
        due_at = due_from_picker(
            day,
            picked_time(body, BlockId.DUE_TIME, ActionId.DUE_TIME_INPUT),
            tz=runtime.directory.known_tz(user),
            default_time=runtime.settings.policy.default_due_time,
        )
        with runtime.work() as work:
            propose_due(
                work.session,
                delegation_id=_metadata_id(body),
                actor=user,
                due_at=due_at,
                reason=written(body, BlockId.DUE_REASON, ActionId.DUE_REASON_INPUT),
                now=work.now,
                notifier=work.notifier,
            )
        ack()

    def on_decision(approve: bool) -> Callable[..., None]:
        def decide(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
            ack()
            with runtime.work() as work:
                decide_due(
                    work.session,
                    proposal_id=button_id(action, of="a proposal"),
                    actor=_user(body),
                    approve=approve,
                    now=work.now,
                    notifier=work.notifier,
                    supervisor=runtime.supervisor,
                )

        return guarded(decide)

    app.action(ActionId.APPROVE_DUE)(on_decision(approve=True))
    app.action(ActionId.REJECT_DUE)(on_decision(approve=False))

    # -- the delegator reassigns or cancels -----------------------------------------------
    @app.action(ActionId.REASSIGN)
    @guarded
    def on_reassign(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        with reading(runtime.engine) as session:
            delegation = check_can_reassign(
                session, delegation_id=_delegation_id(action), actor=_user(body)
            )
        open_form(body, client, reassign_modal(delegation))

    @app.view(CallbackId.REASSIGN_MODAL)
    def on_reassigned(ack: Ack, body: dict[str, Any]) -> None:
        chosen = picked_user(body, BlockId.REASSIGN_TO, ActionId.REASSIGN_INPUT)
        if chosen is None:
            raise BadInput("Choose who should do it instead.", field="assignee")
        people = resolve_people(runtime.directory, delegator_id=_user(body), assignee_id=chosen)
        with runtime.work() as work:
            reassign(
                work.session,
                delegation_id=_metadata_id(body),
                actor=_user(body),
                new_assignee=people.assignee,
                now=work.now,
                notifier=work.notifier,
                supervisor=runtime.supervisor,
            )
        ack()

    @app.action(ActionId.CANCEL)
    @guarded
    def on_cancel(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        with runtime.work() as work:
            cancel(
                work.session,
                delegation_id=_delegation_id(action),
                actor=_user(body),
                now=work.now,
                notifier=work.notifier,
            )


def _delegation_id(action: dict[str, Any]) -> int:
    """The delegation a button carries, also named on every log line from here on."""
    delegation_id = button_id(action, of="a delegation")
    bind_log_ids(delegation_id=delegation_id)
    return delegation_id


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    return str(user.get("id", "")) if isinstance(user, dict) else ""


def _metadata_id(body: dict[str, Any]) -> int:
    number = delegation_id_from_metadata(body)
    if number is None:
        raise NotFound("This form no longer points at anything I know.")
    return number
