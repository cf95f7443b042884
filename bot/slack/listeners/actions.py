"""Buttons on delegation messages: ack at once, then one domain call."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.delegations import accept, check_can_decline, complete
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.modals import decline_modal
from bot.slack.errors import answers_errors
from bot.slack.forms import button_id
from bot.slack.ids import ActionId
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    @app.action(ActionId.ACCEPT)
    @guarded
    def on_accept(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        delegation_id = button_id(action, of="a delegation")
        bind_log_ids(delegation_id=delegation_id)
        with runtime.work() as work:
            accept(
                work.session,
                delegation_id=delegation_id,
                actor=body["user"]["id"],
                now=work.now,
                notifier=work.notifier,
                supervisor=runtime.supervisor,
            )

    @app.action(ActionId.DONE)
    @guarded
    def on_done(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        delegation_id = button_id(action, of="a delegation")
        bind_log_ids(delegation_id=delegation_id)
        with runtime.work() as work:
            complete(
                work.session,
                delegation_id=delegation_id,
                actor=body["user"]["id"],
                now=work.now,
                notifier=work.notifier,
            )

    @app.action(ActionId.DECLINE)
    @guarded
    def on_decline(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        delegation_id = button_id(action, of="a delegation")
        bind_log_ids(delegation_id=delegation_id)
        with runtime.work() as work:
            delegation = check_can_decline(
                work.session,
                delegation_id=delegation_id,
                actor=body["user"]["id"],
            )
        client.views_open(trigger_id=body["trigger_id"], view=decline_modal(delegation))
