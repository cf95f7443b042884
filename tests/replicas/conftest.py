"""Real ``steward serve --http`` processes sharing one PostgreSQL schema and one Slack double.

Every test here starts replicas as separate processes (``python -m bot.cli``), kills them
with SIGKILL where it says so, and judges only what reached the Slack double and what the
database holds. They need ``STEWARD_TEST_POSTGRES_URL`` and are skipped without it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from sqlalchemy import Engine

from bot.config.settings import Policy
from sandbox.emulator import Call, SlackEmulator
from storage.db import make_engine, upgrade
from tests.conftest import BOT_TOKEN, POSTGRES_URL, SIGNING_SECRET, _postgres_schema_url
from tests.conftest import seed_people as seed_test_people
from tests.slack_requests import SlackSender
from tests.waiting import eventually

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# Short enough that whole scenarios fit in seconds; the working window is switched off so
# everything seeded as due is due whatever the day and hour the test runs at.
POLICY = """
[policy]
tick = "1s"
working_hours = "always"
working_days = "all"
escalation_timeout = "2s"
"""


class WatchedSlack(SlackEmulator):
    """The Slack double, also counting the requests it is still answering (a scripted delay
    included), so a test can kill a replica while a Slack call of its is in flight."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flight_lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    def _handle(self, verb: str, path: str, *args: Any, **kwargs: Any) -> Any:
        method = path.split("?")[0].rsplit("/", 1)[-1]
        with self._flight_lock:
            self._in_flight[method] = self._in_flight.get(method, 0) + 1
        try:
            return super()._handle(verb, path, *args, **kwargs)
        finally:
            with self._flight_lock:
                self._in_flight[method] -= 1

    def in_flight(self, method: str) -> int:
        with self._flight_lock:
            return self._in_flight.get(method, 0)

    def snapshot(self) -> tuple[list[Call], list[dict[str, Any]]]:
        """The calls and the response_url posts recorded so far, each in arrival order."""
        with self._lock:
            return list(self.calls), list(self.responses)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica:
    """One ``steward serve --http`` process. Its output goes to a file, read on failure."""

    def __init__(self, name: str, *, env: dict[str, str], workdir: Path, module: str) -> None:
        self.name = name
        self.env = env
        self.workdir = workdir
        self.module = module
        self.log = workdir / f"{name}.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", self.module, "serve", "--http"]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Replica:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.port = free_port()
        with self.log.open("ab") as log:
            log.write(f"---- {self.name} starting on port {self.port}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [*self.command, "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = 30) -> Replica:
        def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.process.returncode}\n" + self.tail()
                )
            try:
                return requests.get(self.base_url + "/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        eventually(
            healthy, timeout=timeout, what=f"{self.name} to answer /healthz", explain=self.tail
        )
        return self

    def sender(self, response_url: str) -> SlackSender:
        return SlackSender(
            base_url=self.base_url, signing_secret=SIGNING_SECRET, response_url=response_url
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no finally block, no flush runs."""
        assert self.process is not None and self.running, f"{self.name} is not running"
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is None or not self.running:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return f"({self.name}: no output)"
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join([f"---- {self.name} output (last {lines} lines):", *text[-lines:]])


class Cluster:
    """Replicas of one Steward: same database, same Slack, same policy file."""

    def __init__(self, *, database_url: str, slack: WatchedSlack, workdir: Path) -> None:
        self.slack = slack
        self.workdir = workdir
        self.replicas: list[Replica] = []
        self.policy = workdir / "steward.toml"
        self.policy.write_text(POLICY)
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLACK_", "STEWARD_", "DATABASE_URL", "PORT", "LOG_"))
        }
        self.env = {
            **inherited,
            "PYTHONPATH": str(REPO),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "STEWARD_CONFIG": str(self.policy),
            "LOG_LEVEL": "INFO",
        }

    def raise_send_budget(self, per_second: int = 200) -> None:
        """Where this Steward paces its Slack sends (``slack_messages_per_second``), let it
        send faster before the replicas start: these tests are about doing things once, not
        about rate limits, and a backlog of hundreds at the default budget takes most of a
        minute. Channels still get at most about one post a second."""
        if "slack_messages_per_second" in Policy.__dataclass_fields__:
            self.policy.write_text(POLICY + f"slack_messages_per_second = {per_second}\n")

    def replica(self, name: str, *, lease_seconds: float | None = None) -> Replica:
        """A replica, not started. With ``lease_seconds`` the outbox lease is that long (the
        production default is ten minutes), through tests/replicas/short_lease.py."""
        env = dict(self.env)
        module = "bot.cli"
        if lease_seconds is not None:
            env["STEWARD_TEST_OUTBOX_LEASE_SECONDS"] = str(lease_seconds)
            module = "tests.replicas.short_lease"
        replica = Replica(name, env=env, workdir=self.workdir, module=module)
        self.replicas.append(replica)
        return replica

    def explain(self) -> str:
        return "\n".join([self.slack.summary(), *(r.tail(30) for r in self.replicas)])

    def stop(self) -> None:
        for replica in self.replicas:
            replica.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A private, migrated schema on the test PostgreSQL, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("STEWARD_TEST_POSTGRES_URL is not set")
    schema = _postgres_schema_url(POSTGRES_URL)
    url = next(schema)
    try:
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        schema.close()  # drops the schema


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def watched_slack() -> Iterator[WatchedSlack]:
    with WatchedSlack(bot_token=BOT_TOKEN) as double:
        seed_test_people(double)
        yield double


@pytest.fixture
def cluster(
    postgres_url: str, watched_slack: WatchedSlack, tmp_path: Path, db: Engine
) -> Iterator[Cluster]:
    cluster = Cluster(database_url=postgres_url, slack=watched_slack, workdir=tmp_path)
    try:
        yield cluster
    finally:
        cluster.stop()  # before the schema is dropped (the replicas hold connections to it)
