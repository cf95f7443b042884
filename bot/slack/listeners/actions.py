"""Buttons on delegation messages: ack at once, then one domain call."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.delegations import accept, check_can_decline, complete
from bot.slack.blocks.modals import decline_modal
from bot.slack.errors import answers_errors
from bot.slack.ids import ActionId
from bot.slack.payloads import Click
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    @app.action(ActionId.ACCEPT)
    @guarded
    def on_accept(ack: Ack, click: Click) -> None:
        ack()
        runtime.run(accept, delegation_id=click.delegation(), actor=click.actor)

    @app.action(ActionId.DONE)
    @guarded
    def on_done(ack: Ack, click: Click) -> None:
        ack()
        runtime.run(complete, delegation_id=click.delegation(), actor=click.actor)

    @app.action(ActionId.DECLINE)
    @guarded
    def on_decline(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            item = check_can_decline(session, delegation_id=click.delegation(), actor=click.actor)
        client.views_open(trigger_id=click.trigger_id, view=decline_modal(item))
