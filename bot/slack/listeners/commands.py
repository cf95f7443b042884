"""``/delegate``: parse the text, make one domain call, answer in the ack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from bot.config.settings import is_admin
from bot.domain.chain import chain_of_person
from bot.domain.intake import offer_delegation, resolve_people
from bot.domain.listing import open_items
from bot.domain.preferences import choose_quiet
from bot.slack.blocks.common import Rendered
from bot.slack.blocks.help import chain_message, help_message, quiet_message
from bot.slack.blocks.listing import confirmation_message, list_message
from bot.slack.blocks.modals import delegate_modal
from bot.slack.command_text import (
    ChainRequest,
    CommandRequest,
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
    def delegate(ack: Ack, actor: str, command: dict[str, Any], client: WebClient) -> None:
        request = parse_command_text(str(command.get("text", "")))
        if isinstance(request, ModalRequest):
            ack()
            view = delegate_modal(channel_id=command.get("channel_id"))
            client.views_open(trigger_id=command["trigger_id"], view=view)
        else:
            answer = _answer(runtime, actor, command, request)
            ack(response_type="ephemeral", **answer.payload())


def _answer(
    runtime: Runtime, actor: str, command: dict[str, Any], request: CommandRequest
) -> Rendered:
    """What ``/delegate …`` answers in its ack: each kind of request, one domain call."""
    policy = runtime.supervisor.policy
    if isinstance(request, HelpRequest):
        return help_message()
    if isinstance(request, ListRequest):
        with runtime.reading() as session:
            items = open_items(session, user_id=actor)
            return list_message(items, viewer_tz=runtime.directory.known_tz(actor))
    if isinstance(request, ChainRequest):
        climb, configured = chain_of_person(
            request.user_id,
            viewer=actor,
            admin=is_admin(runtime.settings.policy, actor),
            chain=policy.chain,
            fallback=policy.fallback_channel,
        )
        return chain_message(request.user_id, climb, configured=configured)
    if isinstance(request, QuietRequest):
        runtime.run(choose_quiet, user_id=actor, quiet=request.quiet)
        return quiet_message(quiet=request.quiet)
    assert isinstance(request, DelegateRequest)
    return _offer(runtime, actor, command, request)


def _offer(
    runtime: Runtime, actor: str, command: dict[str, Any], request: DelegateRequest
) -> Rendered:
    people = resolve_people(runtime.directory, delegator_id=actor, assignee_id=request.assignee_id)
    with runtime.work() as work:
        delegation = offer_delegation(
            work,
            people=people,
            task=request.task,
            due_phrase=request.due_phrase,
            origin_channel_id=command.get("channel_id"),
            checkin_every=request.checkin_every,
        )
        # rendered before the commit: if it cannot be shown, nothing was created either
        return confirmation_message(
            delegation, delegator_tz=people.delegator.tz, tz_known=people.delegator_tz_known
        )
