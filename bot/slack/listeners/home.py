"""The App Home tab, published when someone opens it."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.domain.ports import DirectoryUnavailable
from bot.slack.home import publish_home
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        with suppress(DirectoryUnavailable):  # learn the viewer's timezone for due dates
            runtime.directory.lookup(user)
        publish_home(runtime.engine, client, user)
