"""``steward serve``: Socket Mode or HTTP, with delivery running beside it."""

from __future__ import annotations

import logging
import threading

from bot.app.clocks import SystemClock
from bot.app.wiring import assemble
from bot.commands.chain_checks import chain_loops, chain_people
from bot.commands.channel_checks import channel_problems
from bot.config.settings import Settings
from bot.slack.http.server import HttpServer

log = logging.getLogger(__name__)


def _warn_about_slack_setup(settings: Settings) -> None:
    if settings.policy.chain:
        for problem in chain_people(settings):
            log.warning("%s Escalations to them cannot be delivered: fix [chain].", problem)
    for problem in channel_problems(settings):
        log.warning("%s Run `steward check` once it is fixed.", problem)


def serve(settings: Settings, *, http: bool, port: int | None, host: str) -> int:
    settings.require_bot_token()
    http_mode = http or not settings.app_token
    for problem in chain_loops(settings.policy.chain):
        log.warning("%s Run `steward check` for details.", problem)
    # asking Slack about everyone named and the channels must not delay start-up
    threading.Thread(
        target=_warn_about_slack_setup, args=(settings,), name="slack-check", daemon=True
    ).start()
    steward = assemble(settings, clock=SystemClock(), http_mode=http_mode)
    steward.start_background()
    try:
        if http_mode:
            server = HttpServer(steward.wsgi(), host=host, port=port or settings.port)
            log.info(
                "Steward listening on http://%s:%s/slack/events (also /healthz; /metrics %s)",
                host,
                server.port,
                "with METRICS_TOKEN" if settings.metrics_token else "off: set METRICS_TOKEN",
            )
            server.run()
        else:
            # The websocket-client adapter reconnects promptly after Slack's refreshes and
            # dropped connections, where the built-in one was measured to lag (SLACK_FACTS).
            from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

            log.info("Steward connecting to Slack in Socket Mode")
            SocketModeHandler(steward.app, settings.app_token).start()
    finally:
        steward.stop()
    return 0
