"""The Details button on the digest's oldest items: a modal with the item's history."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.details import item_details
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.details import details_modal
from bot.slack.errors import answers_errors
from bot.slack.forms import button_id
from bot.slack.ids import ActionId
from bot.slack.runtime import Runtime
from storage.db import reading


def register(app: App, runtime: Runtime) -> None:
    @app.action(ActionId.ITEM_DETAILS)
    @answers_errors(runtime)
    def on_details(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        viewer = body["user"]["id"]
        delegation_id = button_id(action, of="a delegation")
        bind_log_ids(delegation_id=delegation_id)
        with reading(runtime.engine) as session:
            details = item_details(
                session,
                delegation_id=delegation_id,
                viewer=viewer,
                chain=runtime.supervisor.policy.chain,
            )
            view = details_modal(details, viewer_tz=runtime.directory.known_tz(viewer))
        client.views_open(trigger_id=body["trigger_id"], view=view)
