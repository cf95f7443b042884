"""Shared fixtures: a fake clock, the Slack double, databases, and a running Steward."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.app.clocks import ManualClock
from bot.app.wiring import Steward, assemble
from bot.commands.export import iter_records
from bot.config.settings import Settings, load_settings
from bot.slack.http.server import HttpServer
from bot.slack.ids import ActionId
from sandbox.emulator import Call, SlackEmulator
from storage.db import make_engine, upgrade
from tests.slack_requests import SlackSender

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
METRICS_TOKEN = "test-metrics-token"

LEAD, ALICE, BOB, CAROL = "U0LEAD", "U0ALICE", "U0BOB", "U0CAROL"
BOT_USER, GONE = "U0ROBOT", "U0GONE"


def seed_people(slack: SlackEmulator) -> None:
    slack.add_user(LEAD, name="lead", tz="America/New_York")
    slack.add_user(ALICE, name="alice", tz="Europe/London")
    slack.add_user(BOB, name="bob", tz="America/Los_Angeles")
    slack.add_user(CAROL, name="carol", tz="Pacific/Auckland")
    slack.add_user(BOT_USER, name="robot", tz=None, is_bot=True)
    slack.add_user(GONE, name="gone", deleted=True)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(bot_token=BOT_TOKEN) as double:
        seed_people(double)
        yield double


POSTGRES_URL = os.environ.get("STEWARD_TEST_POSTGRES_URL")


def _postgres_schema_url(base: str) -> Iterator[str]:
    """A private schema per test, dropped afterwards, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steward.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("STEWARD_TEST_POSTGRES_URL is not set")
    yield from _postgres_schema_url(POSTGRES_URL)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A database at the newest schema, on each backend (``database_url``)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def settings_for(
    slack: SlackEmulator, database_url: str, *, policy_file: Path | None = None, **overrides: str
) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "METRICS_TOKEN": METRICS_TOKEN,
        "STEWARD_CONFIG": str(policy_file or "/nonexistent/steward.toml"),
        **overrides,
    }
    if policy_file is None:
        env.pop("STEWARD_CONFIG")  # no policy file: defaults
    return load_settings(env)


@pytest.fixture
def policy_toml() -> str:
    """The running Steward's steward.toml; override this fixture in a test module."""
    return ""


@pytest.fixture
def policy_file(policy_toml: str, tmp_path: Path) -> Path:
    path = tmp_path / "steward.toml"
    path.write_text(policy_toml)
    return path


@dataclass
class Running:
    """A Steward serving HTTP on 127.0.0.1, delivering to the Slack double."""

    steward: Steward
    slack: SlackEmulator
    clock: ManualClock
    sender: SlackSender
    base_url: str
    # The HTTP front's own clock (its read deadlines), apart from the domain's.
    server_clock: ManualClock = field(default_factory=ManualClock)

    @property
    def engine(self) -> Engine:
        return self.steward.engine

    def events(self) -> list[dict[str, Any]]:
        return list(iter_records(self.engine))

    def event_types(self) -> list[str]:
        return [event["type"] for event in self.events()]

    def delegate(self, text: str, *, user_id: str = LEAD) -> dict[str, Any]:
        """Send ``/delegate text``; the JSON the ack carried."""
        response = self.sender.command(text, user_id=user_id)
        assert response.status_code == 200, response.text
        return response.json() if response.text else {}

    def dms_to(self, user_id: str, count: int = 1) -> list[Call]:
        """Wait for ``count`` messages posted into ``user_id``'s DM with the bot."""
        channel = self.slack.dm_channel_for(user_id)
        return self.slack.wait_for(
            "chat.postMessage", count=count, where=lambda call: call.params["channel"] == channel
        )

    def offer_to(self, user_id: str) -> tuple[Call, str]:
        """The offer DM to ``user_id`` and the delegation id its buttons carry."""
        offer = self.dms_to(user_id)[0]
        return offer, button(offer.params["blocks"], ActionId.ACCEPT)["value"]

    def accepted(self, text: str, *, assignee: str = ALICE) -> str:
        """Delegate ``text`` to ``assignee`` and accept it; the delegation id."""
        before = len(self.dms_to(assignee, count=0))
        self.delegate(f"<@{assignee}> {text}")
        offer = self.dms_to(assignee, count=before + 1)[before]
        value = button(offer.params["blocks"], ActionId.ACCEPT)["value"]
        updates = len(self.slack.calls_to("chat.update"))
        self.click(assignee, ActionId.ACCEPT, value)
        self.slack.wait_for("chat.update", count=updates + 1)
        return value

    def tick(self) -> None:
        self.steward.tick()

    def click(self, user_id: str, action_id: str, value: str) -> None:
        response = self.sender.click(user_id=user_id, action_id=action_id, value=value)
        assert response.status_code == 200, response.text


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {blocks}")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def running(
    slack: SlackEmulator, clock: ManualClock, database_url: str, policy_file: Path
) -> Iterator[Running]:
    steward = assemble(settings_for(slack, database_url, policy_file=policy_file), clock=clock)
    server_clock = ManualClock()
    server = HttpServer(
        steward.wsgi(),
        host="127.0.0.1",
        port=0,
        threads=8,
        monotonic=lambda: server_clock.now().timestamp(),
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    steward.start_background(scheduler=False)  # tests tick by hand on the fake clock
    base_url = f"http://127.0.0.1:{server.port}"
    sender = SlackSender(
        base_url=base_url, signing_secret=SIGNING_SECRET, response_url=slack.response_url()
    )
    try:
        yield Running(
            steward=steward,
            slack=slack,
            clock=clock,
            sender=sender,
            base_url=base_url,
            server_clock=server_clock,
        )
    finally:
        server.shutdown()
        steward.stop()
