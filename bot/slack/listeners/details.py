"""The Details button on the digest's oldest items: a modal with the item's history."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.details import item_details
from bot.slack.blocks.details import details_modal
from bot.slack.errors import answers_errors
from bot.slack.ids import ActionId
from bot.slack.payloads import Click
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    @app.action(ActionId.ITEM_DETAILS)
    @answers_errors(runtime)
    def on_details(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        chain = runtime.supervisor.policy.chain
        with runtime.reading() as session:
            details = item_details(
                session, delegation_id=click.delegation(), viewer=click.actor, chain=chain
            )
            view = details_modal(details, viewer_tz=runtime.directory.known_tz(click.actor))
        client.views_open(trigger_id=click.trigger_id, view=view)
