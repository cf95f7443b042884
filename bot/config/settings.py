"""Settings, read once from an injected mapping (environment + .env) and the policy file."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot.config import policy_values as read
from bot.config.policy_values import ConfigError
from bot.domain.chain import teams_of
from bot.domain.digest_schedule import DigestPolicy
from bot.domain.offer_limits import OfferLimits
from bot.domain.supervision import SupervisionPolicy
from bot.domain.working_hours import WorkingWindow

DEFAULT_API_URL = "https://slack.com/api/"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class Policy:
    accept_timeout: timedelta = timedelta(hours=4)
    checkin_interval: timedelta = timedelta(days=1)
    checkin_timeout: timedelta = timedelta(hours=4)
    escalation_timeout: timedelta = timedelta(hours=2)
    # After an acknowledgement, how long (of the acknowledger's working time) nothing may
    # move on the item before they are asked whether it is still in hand; None: never.
    reacknowledge_after: timedelta | None = timedelta(days=1)
    tick: timedelta = timedelta(seconds=30)
    working_hours: tuple[time, time] | None = (time(9), time(18))
    working_days: frozenset[int] = frozenset(range(5))  # Monday is 0
    digest_schedule: tuple[int, time] = (0, time(9))
    digest_timezone: str = "UTC"
    digest_channel: str | None = None
    fallback_channel: str | None = None
    adaptive_checkins: bool = False
    lead_digests: bool = False
    # True: the channel's digest quotes the first line of its oldest open items' tasks;
    # by default it names them by number, assignee and age, and Details shows the rest.
    digest_shows_tasks: bool = False
    # Slack user ids of the people who may see anyone's chain (see is_admin).
    admins: frozenset[str] = frozenset()
    # Workspace-wide budget of Slack messages (posts and edits) a second, all replicas
    # together; each channel also gets about one post a second whatever this says.
    slack_messages_per_second: float = 10.0
    # False sends as fast as the API answers: only for a Slack-compatible server without
    # Slack's limits, such as the sandbox's emulator. Slack itself would answer with 429s.
    slack_pacing: bool = True
    # Offers one delegator may make: new ones in any hour (reassignments included), and
    # ones still waiting to be accepted by any one assignee.
    max_new_offers_per_hour: int = 30
    max_open_offers_per_assignee: int = 10
    chain: dict[str, str] = field(default_factory=dict)

    @property
    def window(self) -> WorkingWindow:
        return WorkingWindow(hours=self.working_hours, days=self.working_days)

    @property
    def supervision(self) -> SupervisionPolicy:
        return SupervisionPolicy(
            checkin_every=self.checkin_interval,
            checkin_timeout=self.checkin_timeout,
            window=self.window,
            adaptive=self.adaptive_checkins,
            accept_timeout=self.accept_timeout,
            escalation_timeout=self.escalation_timeout,
            reacknowledge_after=self.reacknowledge_after,
            chain=self.chain,
            fallback_channel=self.fallback_channel,
            offer_limits=OfferLimits(
                new_per_hour=self.max_new_offers_per_hour,
                open_per_assignee=self.max_open_offers_per_assignee,
            ),
        )

    @property
    def digest(self) -> DigestPolicy:
        weekday, at = self.digest_schedule
        return DigestPolicy(
            channel=self.digest_channel,
            weekday=weekday,
            at=at,
            timezone=self.digest_timezone,
            teams=teams_of(self.chain) if self.lead_digests else {},
            shows_tasks=self.digest_shows_tasks,
        )


def is_admin(policy: Policy, user_id: str) -> bool:
    """Whether ``user_id`` is one of the policy's ``admins``: the one place that says so."""
    return user_id in policy.admins


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    config_path: Path
    port: int
    policy: Policy
    # The bearer token GET /metrics asks for on the Slack port; without one it is not served.
    metrics_token: str | None = None

    def require_bot_token(self) -> str:
        if not self.bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set (put it in the environment or .env).")
        return self.bot_token

    def require_signing_secret(self) -> str:
        if not self.signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests."
            )
        return self.signing_secret


def environment(
    process_env: Mapping[str, str], env_file: Path | None = Path(".env")
) -> dict[str, str]:
    """The process environment over the values of ``.env`` (the process wins)."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(process_env)
    return merged


def load_settings(env: Mapping[str, str]) -> Settings:
    config_path = Path(env.get("STEWARD_CONFIG") or "steward.toml")
    explicit = "STEWARD_CONFIG" in env
    return Settings(
        bot_token=env.get("SLACK_BOT_TOKEN") or None,
        signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        app_token=env.get("SLACK_APP_TOKEN") or None,
        api_url=_api_url(env.get("SLACK_API_URL") or DEFAULT_API_URL),
        database_url=env.get("DATABASE_URL") or "sqlite:///steward.db",
        config_path=config_path,
        port=_port(env.get("PORT") or "3000", "PORT"),
        policy=load_policy(config_path, required=explicit),
        metrics_token=env.get("METRICS_TOKEN") or None,
    )


def load_policy(path: Path, *, required: bool = False) -> Policy:
    if not path.is_file():
        if required:
            raise ConfigError(f"The policy file {path} does not exist (STEWARD_CONFIG).")
        return Policy()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the policy file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The policy file {path} is not valid TOML: {error}") from None
    return policy_from_mapping(document, source=str(path))


def policy_from_mapping(document: Mapping[str, Any], *, source: str = "policy") -> Policy:
    unknown_tables = set(document) - {"policy", "chain"}
    if unknown_tables:
        raise ConfigError(f"{source}: unknown table(s) {', '.join(sorted(unknown_tables))}")
    raw_policy, chain = document.get("policy", {}), document.get("chain", {})
    if not isinstance(raw_policy, Mapping):
        raise ConfigError(f"{source}: policy must be a [policy] table of settings")
    raw = dict(raw_policy)
    known = set(Policy.__dataclass_fields__) - {"chain"}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"{source}: unknown [policy] key(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for key in (
        "accept_timeout",
        "checkin_interval",
        "checkin_timeout",
        "escalation_timeout",
        "tick",
    ):
        if key in raw:
            values[key] = read.parse_duration(raw[key], f"{source}: [policy] {key}")
    if "reacknowledge_after" in raw:
        values["reacknowledge_after"] = read.duration_or_never(
            raw["reacknowledge_after"], f"{source}: [policy] reacknowledge_after"
        )
    if "working_hours" in raw:
        values["working_hours"] = read.working_hours(raw["working_hours"], source)
    if "working_days" in raw:
        values["working_days"] = read.working_days(raw["working_days"], source)
    if "digest_schedule" in raw:
        values["digest_schedule"] = read.digest_schedule(raw["digest_schedule"], source)
    if "digest_timezone" in raw:
        values["digest_timezone"] = read.timezone(raw["digest_timezone"], source)
    for key in ("digest_channel", "fallback_channel"):
        if key in raw:
            values[key] = read.channel_id(raw[key], f"{source}: [policy] {key}")
    for key in ("adaptive_checkins", "lead_digests", "digest_shows_tasks", "slack_pacing"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ConfigError(f"{source}: [policy] {key} must be true or false")
            values[key] = raw[key]
    if "slack_messages_per_second" in raw:
        values["slack_messages_per_second"] = read.messages_per_second(
            raw["slack_messages_per_second"], source
        )
    if "admins" in raw:
        values["admins"] = read.user_ids(raw["admins"], f"{source}: [policy] admins")
    for key in ("max_new_offers_per_hour", "max_open_offers_per_assignee"):
        if key in raw:
            values[key] = read.limit_count(raw[key], f"{source}: [policy] {key}")
    values["chain"] = read.chain_table(chain, source)
    return Policy(**values)


def _api_url(value: str) -> str:
    """https://, or plain http:// to this machine only: every call carries the bot token."""
    url = urlsplit(value)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"SLACK_API_URL must be an https:// URL; got {value!r}")
    if url.scheme == "http" and url.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(
            "SLACK_API_URL must use https:// (plain http:// only to 127.0.0.1, ::1 or "
            f"localhost, as the sandbox does): the bot token would travel in clear; got {value!r}"
        )
    return value if value.endswith("/") else value + "/"


def _port(value: str, name: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name} must be a port number (1-65535); got {value!r}")
    return int(value)
