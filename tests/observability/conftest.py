"""Helpers for the observability tests: scraping /metrics, serving a second Steward."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app.wiring import Steward
from bot.slack.http.server import HttpServer
from tests.conftest import METRICS_TOKEN, POSTGRES_URL, SIGNING_SECRET
from tests.slack_requests import SlackSender

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base_url: str) -> Samples:
    """GET /metrics, parsed as Prometheus parses it: {(sample name, labels): value}."""
    response = requests.get(
        f"{base_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=5
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when it was never recorded."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of every sample of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


@contextmanager
def serving(steward: Steward, *, response_url: str) -> Iterator[tuple[str, SlackSender]]:
    """``steward`` over HTTP on 127.0.0.1 (delivery running, no scheduler): its base URL
    and a sender signing like Slack."""
    server = HttpServer(steward.wsgi(), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    steward.start_background(scheduler=False)
    base_url = f"http://127.0.0.1:{server.port}"
    sender = SlackSender(
        base_url=base_url, signing_secret=SIGNING_SECRET, response_url=response_url
    )
    try:
        yield base_url, sender
    finally:
        server.shutdown()
        steward.stop()


@pytest.fixture
def postgres_database() -> Iterator[tuple[str, Callable[[], None]]]:
    """A PostgreSQL database of its own (URL), and a function that drops it from under
    whoever is connected."""
    if not POSTGRES_URL:
        pytest.skip("STEWARD_TEST_POSTGRES_URL is not set")
    name = f"obs_{uuid.uuid4().hex[:12]}"
    base = make_url(POSTGRES_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False), drop
    finally:
        drop()
        admin.dispose()


def event_callback(event_id: str, *, user: str, event_type: str = "app_home_opened") -> Any:
    """An Events API envelope as Slack sends it."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T0TEAM",
        "api_app_id": "A0STEWARD",
        "event": {
            "type": event_type,
            "user": user,
            "channel": "D" + user[1:],
            "tab": "home",
            "event_ts": "1700000000.000100",
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000000,
        "authorizations": [
            {
                "team_id": "T0TEAM",
                "user_id": "U0ROBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }
