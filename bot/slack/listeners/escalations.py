"""Escalate (from the item); Acknowledge, Pass up and Still on it (from the escalation)."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.escalation import (
    acknowledge,
    check_can_escalate,
    check_can_pass_up,
    escalate_manually,
    pass_up,
    still_on_it,
)
from bot.slack.blocks.escalation_notices import escalate_modal, pass_up_modal
from bot.slack.errors import answers_errors
from bot.slack.forms import escalate_reason, pass_up_reason
from bot.slack.ids import ActionId, CallbackId
from bot.slack.payloads import Click, Submission
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    @app.action(ActionId.ACKNOWLEDGE)
    @guarded
    def on_acknowledge(ack: Ack, click: Click) -> None:
        ack()
        runtime.run(
            acknowledge,
            escalation_id=click.escalation(),
            actor=click.actor,
            clicked_in=click.channel_id,
        )

    @app.action(ActionId.STILL_ON_IT)
    @guarded
    def on_still_on_it(ack: Ack, click: Click) -> None:
        ack()
        runtime.run(still_on_it, escalation_id=click.escalation(), actor=click.actor)

    @app.action(ActionId.PASS_UP)
    @guarded
    def on_pass_up(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            item, escalation = check_can_pass_up(
                session, escalation_id=click.escalation(), actor=click.actor
            )
        client.views_open(trigger_id=click.trigger_id, view=pass_up_modal(item, escalation))

    @app.view(CallbackId.PASS_UP_MODAL)
    def on_pass_up_submitted(ack: Ack, submission: Submission) -> None:
        runtime.run(
            pass_up,
            escalation_id=submission.escalation(),
            actor=submission.actor,
            note=pass_up_reason(submission.body),
        )
        ack()

    @app.action(ActionId.ESCALATE)
    @guarded
    def on_escalate(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            item = check_can_escalate(session, delegation_id=click.delegation(), actor=click.actor)
        client.views_open(trigger_id=click.trigger_id, view=escalate_modal(item))

    @app.view(CallbackId.ESCALATE_MODAL)
    def on_escalate_submitted(ack: Ack, submission: Submission) -> None:
        runtime.run(
            escalate_manually,
            delegation_id=submission.delegation(),
            actor=submission.actor,
            note=escalate_reason(submission.body),
        )
        ack()
