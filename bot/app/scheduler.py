"""APScheduler wiring only: one job that runs the domain's tick every ``tick``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.app.jobs import TickReport, tick
from bot.observability.metrics import Metrics
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)


def run_tick(runtime: Runtime, *, metrics: Metrics | None = None) -> TickReport:
    if metrics is None:
        return _tick(runtime)
    with metrics.timing_tick():
        return _tick(runtime)


def _tick(runtime: Runtime) -> TickReport:
    return tick(
        runtime.engine, runtime.work, now=runtime.clock.now(), digest=runtime.settings.policy.digest
    )


class Scheduler:
    def __init__(
        self, runtime: Runtime, *, every: timedelta, metrics: Metrics | None = None
    ) -> None:
        self._runtime = runtime
        self._metrics = metrics
        self._every = every
        # One tick at a time; ticks missed while one ran long collapse into the next.
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self) -> None:
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=self._every.total_seconds(),
            next_run_time=datetime.now(UTC),
            id="steward-tick",
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def _tick(self) -> None:
        try:
            run_tick(self._runtime, metrics=self._metrics)
        except Exception:  # the next tick retries; what was claimed and committed stays done
            log.exception("tick failed")
