"""Escalate (from the item) and Acknowledge (from the escalation)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.errors import NotFound
from bot.domain.escalation import acknowledge
from bot.domain.escalation_triggers import check_can_escalate, escalate_manually
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.escalations import escalate_modal
from bot.slack.errors import answers_errors
from bot.slack.forms import button_id, clicked_in, delegation_id_from_metadata, escalate_reason
from bot.slack.ids import ActionId, CallbackId
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    @app.action(ActionId.ACKNOWLEDGE)
    @guarded
    def on_acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        escalation_id = button_id(action, of="an escalation")
        bind_log_ids(escalation_id=escalation_id)
        with runtime.work() as work:
            acknowledge(
                work.session,
                escalation_id=escalation_id,
                actor=body["user"]["id"],
                now=work.now,
                notifier=work.notifier,
                clicked_in=clicked_in(body),
            )

    @app.action(ActionId.ESCALATE)
    @guarded
    def on_escalate(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        delegation_id = button_id(action, of="a delegation")
        bind_log_ids(delegation_id=delegation_id)
        with runtime.work() as work:
            delegation = check_can_escalate(
                work.session,
                delegation_id=delegation_id,
                actor=body["user"]["id"],
            )
        client.views_open(trigger_id=body["trigger_id"], view=escalate_modal(delegation))

    @app.view(CallbackId.ESCALATE_MODAL)
    def on_escalate_submitted(ack: Ack, body: dict[str, Any]) -> None:
        delegation_id = delegation_id_from_metadata(body)
        if delegation_id is None:
            raise NotFound("This form no longer points at a delegation.")
        bind_log_ids(delegation_id=delegation_id)
        with runtime.work() as work:
            escalate_manually(
                work.session,
                delegation_id=delegation_id,
                actor=body["user"]["id"],
                note=escalate_reason(body),
                now=work.now,
                supervisor=runtime.supervisor,
                notifier=work.notifier,
            )
        ack()
