"""``/delegate``: parse the text, make one domain call, answer in the ack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from bot.domain.chain import chain_for
from bot.domain.intake import offer_delegation, resolve_people
from bot.domain.listing import open_items
from bot.domain.preferences import choose_quiet
from bot.slack.blocks.help import chain_message, help_message, quiet_message
from bot.slack.blocks.listing import confirmation_message, list_message
from bot.slack.blocks.modals import delegate_modal
from bot.slack.command_text import (
    ChainRequest,
    DelegateRequest,
    HelpRequest,
    ListRequest,
    ModalRequest,
    QuietRequest,
    opens_modal,
    parse_command_text,
)
from bot.slack.errors import answers_errors
from bot.slack.http.ack_wait import in_request_thread
from bot.slack.ids import Command
from bot.slack.runtime import Runtime
from storage.db import reading


def _acks_last(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
    """Every answer but the modal is the ack itself, given once the work is done (refusals
    included): run those in the request's thread. The modal is opened after the ack, with a
    call to Slack, so it goes to the listener pool."""
    if opens_modal(str(body.get("text", ""))):
        return next()
    return in_request_thread(next)


def register(app: App, runtime: Runtime) -> None:
    @app.command(Command.DELEGATE, middleware=[_acks_last])
    @answers_errors(runtime)
    def delegate(
        ack: Ack, body: dict[str, Any], command: dict[str, Any], client: WebClient
    ) -> None:
        user_id = str(command.get("user_id", ""))
        request = parse_command_text(str(command.get("text", "")))
        if isinstance(request, HelpRequest):
            ack(response_type="ephemeral", **help_message().payload())
        elif isinstance(request, ListRequest):
            tz = runtime.directory.known_tz(user_id)
            with reading(runtime.engine) as session:
                items = open_items(session, user_id=user_id)
                ack(response_type="ephemeral", **list_message(items, viewer_tz=tz).payload())
        elif isinstance(request, ChainRequest):
            policy = runtime.supervisor.policy
            climb = chain_for(
                assignee=request.user_id,
                delegator=request.user_id,  # the delegator is not known: none is added
                chain=policy.chain,
                fallback=policy.fallback_channel,
            )
            configured = request.user_id in policy.chain
            rendered = chain_message(request.user_id, climb, configured=configured)
            ack(response_type="ephemeral", **rendered.payload())
        elif isinstance(request, QuietRequest):
            with runtime.work() as work:
                choose_quiet(work.session, user_id=user_id, quiet=request.quiet, now=work.now)
            ack(response_type="ephemeral", **quiet_message(quiet=request.quiet).payload())
        elif isinstance(request, ModalRequest):
            ack()
            client.views_open(
                trigger_id=command["trigger_id"],
                view=delegate_modal(channel_id=command.get("channel_id")),
            )
        else:
            _offer(ack, command, request, runtime)


def _offer(ack: Ack, command: dict[str, Any], request: DelegateRequest, runtime: Runtime) -> None:
    people = resolve_people(
        runtime.directory,
        delegator_id=str(command.get("user_id", "")),
        assignee_id=request.assignee_id,
    )
    with runtime.work() as work:
        delegation = offer_delegation(
            work.session,
            people=people,
            task=request.task,
            due_phrase=request.due_phrase,
            origin_channel_id=command.get("channel_id"),
            default_due_time=runtime.settings.policy.default_due_time,
            now=work.now,
            notifier=work.notifier,
            supervisor=runtime.supervisor,
            checkin_every=request.checkin_every,
        )
        # rendered before the commit: if it cannot be shown, nothing was created either
        confirmation = confirmation_message(
            delegation, delegator_tz=people.delegator.tz, tz_known=people.delegator_tz_known
        ).payload()
    ack(response_type="ephemeral", **confirmation)
