"""``steward check``: is this configuration able to run? Plain words, non-zero on problems."""

from __future__ import annotations

from typing import TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.commands.chain_checks import chain_loops, chain_people
from bot.commands.channel_checks import channel_problems, parked_hint
from bot.config.settings import Settings
from storage import outbox
from storage.db import is_reachable, make_engine, reading


def run_checks(settings: Settings, *, out: TextIO) -> int:
    problems: list[str] = []
    notes: list[str] = []
    if not settings.bot_token:
        problems.append("SLACK_BOT_TOKEN is not set.")
    elif not settings.bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN should be a bot token starting with xoxb-.")
    else:
        token_problems = _auth_test(settings, notes)
        problems.extend(token_problems)
        if not token_problems:
            problems.extend(chain_people(settings))
            problems.extend(channel_problems(settings, notes))
    problems.extend(chain_loops(settings.policy.chain))
    if settings.app_token and not settings.app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN should be an app-level token starting with xapp-.")
    if not settings.app_token and not settings.signing_secret:
        problems.append(
            "Neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is set."
        )
    problems.extend(_database(settings, notes))
    for note in notes:
        print(f"ok: {note}", file=out)
    for problem in problems:
        print(f"problem: {problem}", file=out)
    if not problems:
        print("Steward is ready to run.", file=out)
    return 1 if problems else 0


def _auth_test(settings: Settings, notes: list[str]) -> list[str]:
    client = WebClient(base_url=settings.api_url, token=settings.bot_token, timeout=10)
    try:
        response = client.auth_test()
    except SlackApiError as error:
        return [f"Slack refused the bot token ({error.response.get('error')})."]
    except (SlackClientError, OSError) as error:
        return [f"Cannot reach Slack at {settings.api_url} ({error})."]
    notes.append(f"bot token works: {response.get('user')} in {response.get('team')}")
    return []


def _database(settings: Settings, notes: list[str]) -> list[str]:
    engine = make_engine(settings.database_url)
    try:
        if not is_reachable(engine):
            return [f"Cannot connect to the database at {_safe(settings.database_url)}."]
        notes.append(f"database reachable: {_safe(settings.database_url)}")
        try:
            with reading(engine) as session:
                parked = outbox.parked_messages(session)
        except Exception:  # schema not created yet: serve will create it
            return []
        return [
            f"Message {m.id} to {m.recipient} was given up on: {m.last_error}."
            + parked_hint(m.last_error)
            for m in parked
        ]
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
