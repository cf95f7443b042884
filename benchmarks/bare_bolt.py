"""The baseline of the request and button paths: a bare Bolt app that only acks
``/delegate`` and the Accept button, on the same server as ``steward serve --http`` with as
many threads (``bot.slack.http.server.HttpServer``), in its own process as Steward runs in its
own: neither side shares a process (or the GIL) with the load generator.

    python -m benchmarks.bare_bolt PORT SLACK_API_URL SIGNING_SECRET TOKEN
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.slack.http import server as http_server
from bot.slack.ids import ActionId


def main() -> None:
    port, api_url, secret, token = sys.argv[1:5]
    app = App(
        client=WebClient(base_url=api_url, token=token),
        signing_secret=secret,
        token_verification_enabled=False,
    )

    @app.command("/delegate")
    def ack_command(ack: Callable[..., None]) -> None:
        ack()

    @app.action(ActionId.ACCEPT)
    def ack_button(ack: Callable[..., None]) -> None:
        ack()

    http_server.HttpServer(SlackRequestHandler(app), host="127.0.0.1", port=int(port)).run()


if __name__ == "__main__":
    main()
