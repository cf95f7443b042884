"""Assembles a running Steward from settings: database, Slack clients, delivery, Bolt app."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.app.clocks import SystemClock
from bot.app.jobs import TickReport
from bot.app.scheduler import Scheduler, run_tick
from bot.config.settings import Settings
from bot.domain.ports import Clock
from bot.domain.supervision import Supervisor
from bot.observability.logs import ContextExecutor, install_record_factory
from bot.observability.metrics import Metrics
from bot.slack.app import build_app, interactive_client
from bot.slack.directory import LOOKUP_TIMEOUT_SECONDS, SlackDirectory
from bot.slack.http.ack_wait import AckWaitingExecutor
from bot.slack.http.seen_events import SeenEvents
from bot.slack.http.wsgi import SlackWsgi
from bot.slack.outbox.delivery import Delivery
from bot.slack.outbox.pacing import PacingPolicy
from bot.slack.outbox.slack_calls import retry_handlers
from bot.slack.runtime import Runtime
from storage.db import make_engine, upgrade
from storage.health import DatabaseCheck

DELIVERY_TIMEOUT_SECONDS = 10
LISTENER_THREADS = 16


@dataclass
class Steward:
    runtime: Runtime
    app: App
    listeners: Executor
    scheduler: Scheduler
    health: DatabaseCheck
    metrics: Metrics

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    def wsgi(self) -> SlackWsgi:
        return SlackWsgi(
            app=self.app,
            signing_secret=self.runtime.settings.signing_secret,
            health=self.health,
            metrics=self.metrics,
            metrics_token=self.runtime.settings.metrics_token,
            seen_events=SeenEvents(engine=self.engine, clock=self.runtime.clock),
        )

    def start_background(self, *, scheduler: bool = True) -> None:
        self.runtime.delivery.start()
        if scheduler:
            self.scheduler.start()

    def tick(self) -> TickReport:
        """One scheduler tick now, on the runtime's clock (tests, sandbox)."""
        report = run_tick(self.runtime, metrics=self.metrics)
        self.runtime.delivery.wake()
        return report

    def stop(self) -> None:
        """Let listeners finish what they acked, then stop the tick and delivery."""
        self.listeners.shutdown(wait=True)
        self.scheduler.stop()
        self.runtime.delivery.stop()
        self.health.close()
        self.engine.dispose()


def delivery_client(settings: Settings) -> WebClient:
    return WebClient(
        base_url=settings.api_url,
        token=settings.require_bot_token(),
        timeout=DELIVERY_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )


def outbox_delivery(settings: Settings, *, engine: Engine, clock: Clock) -> Delivery:
    """The outbox's sender, paced as the policy says."""
    return Delivery(
        engine=engine,
        client=delivery_client(settings),
        clock=clock,
        pacing=PacingPolicy.configured(
            per_second=settings.policy.slack_messages_per_second,
            paced=settings.policy.slack_pacing,
        ),
        pace_clock=SystemClock(),  # Slack counts real seconds, whatever the domain clock
    )


def assemble(
    settings: Settings,
    *,
    clock: Clock,
    engine: Engine | None = None,
    http_mode: bool = True,
    migrate: bool = True,
) -> Steward:
    """Everything ``steward serve`` runs, without starting threads or servers."""
    install_record_factory()  # log lines carry the delegation they are about
    engine = engine or make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    directory_client = interactive_client(api_url=settings.api_url, token=settings.bot_token)
    directory_client.timeout = LOOKUP_TIMEOUT_SECONDS
    directory = SlackDirectory(engine=engine, client=directory_client, clock=clock)
    # How fresh a health answer is goes by the runtime's clock: the tests move it by hand.
    health = DatabaseCheck(engine, monotonic=lambda: clock.now().timestamp())
    metrics = Metrics(engine=engine, clock=clock, check=health)
    delivery = outbox_delivery(settings, engine=engine, clock=clock)
    delivery.counters = metrics.delivery
    runtime = Runtime(
        settings=settings,
        engine=engine,
        clock=clock,
        directory=directory,
        delivery=delivery,
        supervisor=Supervisor(policy=settings.policy.supervision, directory=directory),
    )
    if http_mode:
        settings.require_signing_secret()
    # Bolt's default pool has 5 threads: fewer than the HTTP server's, which would leave
    # acked requests queueing behind each other.
    # Each listener runs in its own log context: the ids it parses are on its log lines.
    # The HTTP request is answered as soon as its listener acks (ack_wait.py).
    listeners = AckWaitingExecutor(
        ContextExecutor(
            ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
        )
    )
    app = build_app(runtime, listener_executor=listeners)
    scheduler = Scheduler(runtime, every=settings.policy.tick, metrics=metrics)
    return Steward(
        runtime=runtime,
        app=app,
        listeners=listeners,
        scheduler=scheduler,
        health=health,
        metrics=metrics,
    )
