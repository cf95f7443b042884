"""GET /healthz answers 503 with a short reason once the database is gone, and /metrics
says so instead of failing."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine

from bot.app.clocks import ManualClock
from bot.app.wiring import Steward, assemble
from sandbox.emulator import SlackEmulator
from storage.health import FRESH_SECONDS, DatabaseCheck
from tests.conftest import settings_for
from tests.observability.conftest import scrape, serving, value


def _steward_in(directory: Path, slack: SlackEmulator, clock: ManualClock) -> Steward:
    """A Steward on a SQLite file in ``directory`` (made here), to be taken away."""
    directory.mkdir()
    return assemble(settings_for(slack, f"sqlite:///{directory / 'steward.db'}"), clock=clock)


def _health(base_url: str) -> requests.Response:
    return requests.get(f"{base_url}/healthz", timeout=10)


def test_healthz_fails_when_the_postgresql_database_is_dropped(
    slack: SlackEmulator, clock: ManualClock, postgres_database: tuple[str, Callable[[], None]]
) -> None:
    url, drop = postgres_database
    steward = assemble(settings_for(slack, url), clock=clock)
    with serving(steward, response_url=slack.response_url()) as (base_url, _):
        assert _health(base_url).status_code == 200
        assert _health(base_url).json() == {"ok": True}

        drop()  # terminates every connection, the app's pooled ones included
        clock.advance(timedelta(seconds=FRESH_SECONDS))  # the last answer no longer stands

        response = _health(base_url)
        assert response.status_code == 503
        assert response.json()["ok"] is False
        assert "database" in response.json()["reason"]
        assert value(scrape(base_url), "steward_database_up") == 0


def test_healthz_fails_when_the_sqlite_file_is_gone(
    slack: SlackEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    directory = tmp_path / "data"
    steward = _steward_in(directory, slack, clock)
    with serving(steward, response_url=slack.response_url()) as (base_url, _):
        assert _health(base_url).status_code == 200

        shutil.rmtree(directory)  # the volume is gone; open handles would still answer
        clock.advance(timedelta(seconds=FRESH_SECONDS))

        response = _health(base_url)
        assert response.status_code == 503
        assert response.json() == {"ok": False, "reason": "database unreachable (OperationalError)"}
        assert not directory.exists()  # the check never creates the database anew


def test_a_database_that_never_answers_fails_the_check_within_its_deadline() -> None:
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        engine = create_engine(f"postgresql+psycopg://steward@127.0.0.1:{port}/steward")
        check = DatabaseCheck(engine, timeout=0.5)
        try:
            # how soon it gives up: benchmarks/latency.py
            assert check.problem() == "database did not answer within 0.5s"
        finally:
            check.close()
            engine.dispose()


def test_a_probe_storm_opens_one_connection_a_second_not_one_a_probe(
    slack: SlackEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    directory = tmp_path / "data"
    steward = _steward_in(directory, slack, clock)
    with (
        serving(steward, response_url=slack.response_url()) as (base_url, _),
        requests.Session() as probe,
    ):
        assert probe.get(f"{base_url}/healthz", timeout=10).status_code == 200
        shutil.rmtree(directory)  # a new connection would fail from now on
        # Within a second of the last answer, every probe is answered from it: none of these
        # opens a connection (one that did would find the file gone).
        answers = {probe.get(f"{base_url}/healthz", timeout=10).status_code for _ in range(50)}
        assert answers == {200}
        clock.advance(timedelta(seconds=FRESH_SECONDS))
        assert probe.get(f"{base_url}/healthz", timeout=10).status_code == 503
