"""Builds the Bolt app: listeners, authorization and the one error handler."""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler

from bot.slack.errors import answer_error
from bot.slack.listeners import (
    actions,
    checkins,
    commands,
    conversation,
    details,
    escalations,
    home,
    shortcuts,
    views,
)
from bot.slack.payloads import read_payload
from bot.slack.runtime import Runtime

# Calls made while Slack waits for an ack (views.open, users.info) must stay well inside 3 s.
INTERACTIVE_TIMEOUT_SECONDS = 2


def interactive_client(*, api_url: str, token: str | None) -> WebClient:
    return WebClient(
        base_url=api_url,
        token=token,
        timeout=INTERACTIVE_TIMEOUT_SECONDS,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def build_app(runtime: Runtime, *, listener_executor: Executor) -> App:
    settings = runtime.settings
    bot_token = settings.require_bot_token()

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        # Single workspace: the token is configured, so no auth.test stands between Slack's
        # request and our ack, and a Slack outage cannot turn requests into errors.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=bot_token)

    app = App(
        client=interactive_client(api_url=settings.api_url, token=None),
        # SlackWsgi verifies each HTTP request before Bolt sees it; Socket Mode needs none.
        request_verification_enabled=False,
        authorize=authorize,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        listener_executor=listener_executor,
    )
    app.middleware(read_payload)  # every payload read once, into typed objects
    commands.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
    checkins.register(app, runtime)
    escalations.register(app, runtime)
    details.register(app, runtime)
    conversation.register(app, runtime)
    home.register(app, runtime)
    shortcuts.register(app, runtime)

    @app.error
    def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None
    ) -> BoltResponse | None:
        return answer_error(runtime, error, body, response)

    return app
