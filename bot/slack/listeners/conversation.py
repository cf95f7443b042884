"""The conversation around an item: questions before accepting, due-date proposals, and the
delegator reassigning or cancelling. Buttons open forms; forms make one domain call."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.changes import (
    check_can_propose,
    check_can_reassign,
    decide_due,
    propose_due,
    reassign,
)
from bot.domain.delegations import cancel
from bot.domain.intake import resolve_people
from bot.domain.questions import answer, ask, check_can_ask, question_to_answer
from bot.slack.blocks.change_modals import (
    answer_modal,
    ask_modal,
    propose_due_modal,
    reassign_modal,
)
from bot.slack.errors import answers_errors
from bot.slack.forms import picked_date, picked_time, reassign_to, written
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.payloads import Click, Submission
from bot.slack.runtime import Runtime

Guard = Callable[[Callable[..., None]], Callable[..., None]]


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)
    _questions(app, runtime, guarded)
    _due_dates(app, runtime, guarded)
    _delegators_changes(app, runtime, guarded)


def _questions(app: App, runtime: Runtime, guarded: Guard) -> None:
    """The assignee asks, the delegator answers."""

    @app.action(ActionId.ASK_QUESTION)
    @guarded
    def on_ask(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            item = check_can_ask(session, delegation_id=click.delegation(), actor=click.actor)
        client.views_open(trigger_id=click.trigger_id, view=ask_modal(item))

    @app.view(CallbackId.QUESTION_MODAL)
    def on_question(ack: Ack, submission: Submission) -> None:
        question = written(submission.body, BlockId.QUESTION, ActionId.QUESTION_INPUT) or ""
        runtime.run(ask, delegation_id=submission.item(), actor=submission.actor, question=question)
        ack()

    @app.action(ActionId.ANSWER_QUESTION)
    @guarded
    def on_answer_clicked(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            asked, item = question_to_answer(
                session, question_id=click.question(), actor=click.actor
            )
        client.views_open(trigger_id=click.trigger_id, view=answer_modal(item, asked))

    @app.view(CallbackId.ANSWER_MODAL)
    def on_answer(ack: Ack, submission: Submission) -> None:
        reply = written(submission.body, BlockId.ANSWER, ActionId.ANSWER_INPUT) or ""
        runtime.run(answer, question_id=submission.item(), actor=submission.actor, reply=reply)
        ack()


def _due_dates(app: App, runtime: Runtime, guarded: Guard) -> None:
    """A new due date, proposed by the assignee and decided by the delegator."""

    @app.action(ActionId.PROPOSE_DUE)
    @guarded
    def on_propose(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            item = check_can_propose(session, delegation_id=click.delegation(), actor=click.actor)
        client.views_open(trigger_id=click.trigger_id, view=propose_due_modal(item))

    @app.view(CallbackId.PROPOSE_DUE_MODAL)
    def on_proposed(ack: Ack, submission: Submission) -> None:
        form = submission.body
        runtime.run(
            propose_due,
            delegation_id=submission.item(),
            actor=submission.actor,
            day=picked_date(form, BlockId.DUE_DATE, ActionId.DUE_DATE_INPUT),
            at=picked_time(form, BlockId.DUE_TIME, ActionId.DUE_TIME_INPUT),
            reason=written(form, BlockId.DUE_REASON, ActionId.DUE_REASON_INPUT),
        )
        ack()

    def on_decision(approve: bool) -> Callable[..., None]:
        def decide(ack: Ack, click: Click) -> None:
            ack()
            runtime.run(
                decide_due, proposal_id=click.proposal(), actor=click.actor, approve=approve
            )

        return guarded(decide)

    app.action(ActionId.APPROVE_DUE)(on_decision(approve=True))
    app.action(ActionId.REJECT_DUE)(on_decision(approve=False))


def _delegators_changes(app: App, runtime: Runtime, guarded: Guard) -> None:
    """The delegator reassigns or cancels."""

    @app.action(ActionId.REASSIGN)
    @guarded
    def on_reassign(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            item = check_can_reassign(session, delegation_id=click.delegation(), actor=click.actor)
        client.views_open(trigger_id=click.trigger_id, view=reassign_modal(item))

    @app.view(CallbackId.REASSIGN_MODAL)
    def on_reassigned(ack: Ack, submission: Submission) -> None:
        chosen = reassign_to(submission.body)
        people = resolve_people(
            runtime.directory, delegator_id=submission.actor, assignee_id=chosen
        )
        runtime.run(
            reassign,
            delegation_id=submission.item(),
            actor=submission.actor,
            new_assignee=people.assignee,
        )
        ack()

    @app.action(ActionId.CANCEL)
    @guarded
    def on_cancel(ack: Ack, click: Click) -> None:
        ack()
        runtime.run(cancel, delegation_id=click.delegation(), actor=click.actor)
