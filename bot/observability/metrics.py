"""Prometheus metrics for ``GET /metrics``: one registry per assembled Steward.

Counters and histograms are kept by the process (HTTP requests, ticks, deliveries); the
outbox's depth, age and parked messages are read from the database at scrape time, so
every replica reports the same, shared queue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from bot.domain.ports import Clock
from storage.db import reading
from storage.health import DatabaseCheck
from storage.outbox import POST, RESPOND, UPDATE, UPLOAD
from storage.outbox_stats import QueueStats, queue_stats

# The Slack call each kind of outbox message makes.
SLACK_METHODS = {
    POST: "chat.postMessage",
    UPDATE: "chat.update",
    UPLOAD: "files_upload_v2",
    RESPOND: "response_url",
    "home": "views.publish",  # App Home
}
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
SLACK_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")  # an error as Slack words it: not_in_channel
_HTTP_STATUS = re.compile(r"(?:^http |answered )(\d{3})\b")
_EXCEPTION = re.compile(r"([A-Z][A-Za-z0-9_]{0,63})\(")


def failure_reason(reason: str) -> str:
    """A bounded label for a delivery failure: Slack's error code (``channel_not_found``),
    ``http_503``, ``non_json_response``, an exception's class name, or ``other``. Never
    free text."""
    reason = reason.removeprefix("chart upload: ")
    if SLACK_CODE.fullmatch(reason):
        return reason
    if status := _HTTP_STATUS.search(reason):
        return f"http_{status.group(1)}"
    if reason == "response_url expired":
        return "response_url_expired"
    if reason.startswith("Received a response in a non-JSON format"):  # slack_sdk, on a 5xx page
        return "non_json_response"
    if exception := _EXCEPTION.match(reason):
        return exception.group(1)
    return "other"


class DeliveryCounters:
    """What the delivery thread counts. Made alone (as Delivery does) it counts into a
    registry of its own; the app's Metrics makes the one that is scraped."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry if registry is not None else CollectorRegistry()
        self.deliveries = Counter(
            "steward_slack_deliveries",
            "Outbox messages delivered to Slack, by Slack method.",
            ["method"],
            registry=registry,
        )
        self.failures = Counter(
            "steward_slack_delivery_failures",
            "Failed delivery attempts, by Slack method, error reason and outcome "
            "(retry later, or parked for good).",
            ["method", "reason", "outcome"],
            registry=registry,
        )

    def sent(self, kind: str) -> None:
        self.deliveries.labels(method=_method(kind)).inc()

    def failed(self, kind: str, reason: str, *, parked: bool) -> None:
        self.failures.labels(
            method=_method(kind),
            reason=failure_reason(reason),
            outcome="parked" if parked else "retry",
        ).inc()


def _method(kind: str) -> str:
    return SLACK_METHODS.get(kind, "other")


class OutboxCollector(Collector):
    """The shared queue, read at scrape time with one indexed query under the database
    check's deadline. When the database does not answer, only ``steward_database_up 0``."""

    def __init__(self, *, engine: Engine, clock: Clock, check: DatabaseCheck) -> None:
        self._engine = engine
        self._clock = clock
        self._check = check

    def describe(self) -> Iterable[Metric]:
        return []  # the metrics are only known at scrape time

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "steward_database_up", "1 when the outbox could be read at this scrape, else 0."
        )
        try:
            stats = self._check.within(self._read)
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "steward_outbox_pending",
            "Messages waiting in the outbox to be sent to Slack (all replicas).",
            value=stats.pending,
        )
        age = 0.0
        if stats.oldest_pending_at is not None:
            age = max(0.0, (self._clock.now() - stats.oldest_pending_at).total_seconds())
        yield GaugeMetricFamily(
            "steward_outbox_oldest_pending_age_seconds",
            "Age of the oldest message still waiting in the outbox; 0 when none waits.",
            value=age,
        )
        yield GaugeMetricFamily(
            "steward_outbox_parked",
            "Messages Slack refused for good, parked (see `steward check`).",
            value=stats.parked,
        )

    def _read(self) -> QueueStats:
        with reading(self._engine) as session:
            return queue_stats(session)


class Metrics:
    """Every metric of one Steward, in its own registry (several apps may share a process)."""

    def __init__(self, *, engine: Engine, clock: Clock, check: DatabaseCheck) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "steward_http_requests",
            "HTTP requests answered, by route, kind of Slack request and status.",
            ["route", "kind", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "steward_http_request_duration_seconds",
            "Time to answer an HTTP request (the ack, for Slack's requests).",
            ["route", "kind"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )
        self.duplicate_events = Counter(
            "steward_slack_duplicate_events",
            "Events API deliveries answered without processing: already seen (Slack's "
            "retries), by X-Slack-Retry-Reason.",
            ["retry_reason"],
            registry=self.registry,
        )
        self.tick_duration = Histogram(
            "steward_scheduler_tick_duration_seconds",
            "Time one scheduler tick took, failed ticks included.",
            buckets=TICK_BUCKETS,
            registry=self.registry,
        )
        self.tick_failures = Counter(
            "steward_scheduler_tick_failures",
            "Scheduler ticks that raised (the next tick retries).",
            registry=self.registry,
        )
        self.delivery = DeliveryCounters(self.registry)
        self.registry.register(OutboxCollector(engine=engine, clock=clock, check=check))

    def observe_request(self, *, route: str, kind: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route=route, kind=kind, status=str(status)).inc()
        self.http_latency.labels(route=route, kind=kind).observe(seconds)

    @contextmanager
    def timing_tick(self) -> Iterator[None]:
        with self.tick_duration.time():
            try:
                yield
            except BaseException:
                self.tick_failures.inc()
                raise

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
