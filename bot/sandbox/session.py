"""One sandbox: the Slack emulator, the real bot serving HTTP against it on a clock the
sandbox moves, and what each seeded person would see in Slack.

The bot is assembled by the same ``bot.wiring.assemble`` as ``steward serve``, configured
only through settings (tokens, the emulator's API URL, a database URL, a policy file). Every
action reaches it as a signed HTTP request, as from Slack.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.config import load_settings
from bot.sandbox import keep, team
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.slack_requests import BotReply, SlackSender
from bot.sandbox.view_state import RawValues, state_values
from bot.slack.http import HttpServer
from bot.slack.ids import ShortcutId
from bot.wiring import Steward, assemble
from storage.db import unit_of_work
from storage.outbox_stats import queue_stats

BOT_TOKEN = "xoxb-sandbox"
TICK_STEP = timedelta(minutes=15)  # the clock moves in these steps, the bot ticking at each
SETTLE_TIMEOUT_SECONDS = 15.0
QUIET_SECONDS = 0.15
POLL_SECONDS = 0.02
HTTP_THREADS = 4
CLOCK_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}
MORNING_HOUR = 9


@dataclass
class Ephemeral:
    """A message only one person sees, in one conversation (not kept by Slack either)."""

    user: str
    channel: str
    ts: str
    message: dict[str, Any]
    author: str | None = None  # None: the bot; else the person (their typed command)


@dataclass
class Modals:
    """Each person's open modals, the top one last."""

    stacks: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # view id -> block errors

    def top(self, user: str) -> str | None:
        stack = self.stacks.get(user)
        return stack[-1] if stack else None

    def push(self, user: str, view_id: str) -> None:
        self.stacks.setdefault(user, []).append(view_id)

    def pop(self, user: str) -> None:
        stack = self.stacks.get(user)
        if stack:
            self.errors.pop(stack.pop(), None)

    def clear(self, user: str) -> None:
        while self.top(user):
            self.pop(user)


class Sandbox:
    def __init__(self, *, database: Path | None = None, workdir: Path | None = None) -> None:
        self._tempdir = None if workdir else tempfile.TemporaryDirectory(prefix="steward-")
        self.workdir = workdir or Path(self._tempdir.name)  # type: ignore[union-attr]
        self.database = database or self.workdir / "sandbox.db"
        self.clock = ManualClock(team.START)
        self.emulator = SlackEmulator(bot_token=BOT_TOKEN, team_id="T0SANDBOX")
        self.members = {member.user_id: member for member in team.MEMBERS}
        self.names = {member.user_id: member.name for member in team.MEMBERS}
        self.ephemerals: list[Ephemeral] = []
        self.modals = Modals()
        self.version = 0  # bumped by every change the page should redraw for
        self._responses: dict[str, tuple[str, str]] = {}  # response_url token -> (user, channel)
        self.posted_at: dict[str, datetime] = {}  # message ts -> the bot's clock when posted
        self.kept = database is not None  # --db FILE: what Slack shows is kept beside it
        self._numbers_restored = 0
        self._lock = threading.RLock()
        self._clock_lock = threading.Lock()
        self.steward: Steward | None = None
        self._server: HttpServer | None = None
        self.sender: SlackSender | None = None

    # ----- lifecycle -------------------------------------------------------------------------
    def start(self) -> Sandbox:
        self.emulator.start()
        for member in team.MEMBERS:
            self.emulator.add_user(member.user_id, name=member.name, tz=member.tz)
        self._watch_modals()
        self.workdir.mkdir(parents=True, exist_ok=True)
        policy = self.workdir / "steward.toml"
        policy.write_text(team.policy_toml())
        secret = secrets.token_hex(16)
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": secret,
                "SLACK_API_URL": self.emulator.api_url,
                "DATABASE_URL": f"sqlite:///{self.database}",
                "STEWARD_CONFIG": str(policy),
            }
        )
        self.steward = assemble(settings, clock=self.clock)
        keep.restore(self, self.steward.engine)
        self._server = HttpServer(
            self.steward.wsgi(), host="127.0.0.1", port=0, threads=HTTP_THREADS
        )
        threading.Thread(target=self._server.run, name="sandbox-bot", daemon=True).start()
        self.steward.start_background(scheduler=False)  # the sandbox ticks as its clock moves
        self.sender = SlackSender(
            bot_url=f"http://127.0.0.1:{self._server.port}",
            signing_secret=secret,
            numbers_used=self._numbers_restored,
        )
        return self

    def stop(self) -> None:
        if self.steward is not None:
            self.settle()
            self.save()
        if self._server is not None:
            self._server.shutdown()
        if self.steward is not None:
            self.steward.stop()
        self.emulator.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _watch_modals(self) -> None:
        """views.open and views.push show the new modal to whoever's trigger opened it."""
        handlers = self.emulator.handlers
        opened = handlers["views.open"]

        def open_for_trigger(params: dict[str, Any]) -> dict[str, Any]:
            result = opened(params)
            user = _trigger_user(str(params.get("trigger_id") or ""))
            if user:
                with self._lock:
                    self.modals.push(user, result["view"]["id"])
                    self.version += 1
            return result

        handlers["views.open"] = handlers["views.push"] = open_for_trigger
        for method in ("chat.postMessage", "chat.postEphemeral"):
            handlers[method] = self._stamped(handlers[method])

    def _stamped(self, handler: Any) -> Any:
        """Note the bot's clock when a message lands, for the page to show."""

        def stamp(params: dict[str, Any]) -> dict[str, Any]:
            result = handler(params)
            self.posted_at[result.get("ts") or result.get("message_ts")] = self.clock.now()
            self.version += 1
            return result

        return stamp

    @property
    def _steward(self) -> Steward:
        if self.steward is None:
            raise RuntimeError("the sandbox is not started")
        return self.steward

    @property
    def _sender(self) -> SlackSender:
        if self.sender is None:
            raise RuntimeError("the sandbox is not started")
        return self.sender

    # ----- what people do --------------------------------------------------------------------
    def command(self, user: str, channel: str, text: str) -> BotReply:
        """``/delegate text`` typed by ``user`` in ``channel``, escaped as Slack escapes it."""
        self._check_user(user)
        channel_name = self._channel_name(channel)
        self._show_ephemeral(
            user, channel, {"text": f"/delegate {_slack_escape(text)}"}, author=user
        )
        reply = self._sender.command(
            user_id=user,
            channel_id=channel,
            channel_name=channel_name,
            text=self.typed_mentions(text),
            response_url=self._response_url(user, channel),
        )
        if reply.status == 200 and (reply.body.get("text") or reply.body.get("blocks")):
            self._show_ephemeral(user, channel, reply.body)
        return reply

    def click_in_message(
        self, user: str, channel: str, ts: str, action: dict[str, Any]
    ) -> BotReply:
        """A click on a message's button or menu (an ephemeral one has no message body)."""
        self._check_user(user)
        message = next((m for m in self.emulator.messages_in(channel) if m["ts"] == ts), None)
        reply = self._sender.message_action(
            user_id=user,
            message_ts=ts,
            message=_as_slack_message(message, self.emulator) if message else None,
            channel_id=channel,
            action=action,
            response_url=self._response_url(user, channel),
        )
        self._bump()
        return reply

    def click_in_view(
        self, user: str, view_id: str, action: dict[str, Any], raw: RawValues | None = None
    ) -> BotReply:
        """A click in a modal or on the Home tab; a modal's click carries what it holds."""
        self._check_user(user)
        view = self._view(view_id)
        view["state"] = {"values": state_values(view, raw or {})}
        reply = self._sender.view_action(user_id=user, view=view, action=action)
        self._bump()
        return reply

    def submit(self, user: str, view_id: str, raw: RawValues) -> BotReply:
        """Submit the modal; the bot's answer closes it, shows errors, or replaces it."""
        self._check_user(user)
        view = self._view(view_id)
        view["state"] = {"values": state_values(view, raw)}
        reply = self._sender.view_submission(user_id=user, view=view)
        action = reply.body.get("response_action")
        if reply.status != 200:
            return reply
        with self._lock:
            if action == "errors":
                self.modals.errors[view_id] = dict(reply.body.get("errors") or {})
            elif action == "update" and isinstance(reply.body.get("view"), dict):
                self.emulator.views[view_id] = {**view, **reply.body["view"], "id": view_id}
                self.modals.errors.pop(view_id, None)
            elif action == "push" and isinstance(reply.body.get("view"), dict):
                self._store_pushed(user, reply.body["view"])
            elif action == "clear":
                self.modals.clear(user)
            else:
                self.modals.pop(user)
            self.version += 1
        return reply

    def shortcut(self, user: str) -> BotReply:
        """``user`` picks "Delegate a task" from Slack's shortcuts menu."""
        self._check_user(user)
        reply = self._sender.global_shortcut(user_id=user, callback_id=ShortcutId.DELEGATE)
        self._bump()
        return reply

    def close_modal(self, user: str) -> None:
        with self._lock:
            self.modals.pop(user)
            self.version += 1

    def open_home(self, user: str) -> BotReply:
        self._check_user(user)
        reply = self._sender.home_opened(user, self.emulator.dm_channel_for(user))
        self._bump()
        return reply

    # ----- the clock -------------------------------------------------------------------------
    def advance(self, step: str, viewer: str) -> datetime:
        """Move the clock by ``hour``, ``day``, ``week`` or to the viewer's next working
        ``morning``, ticking the bot every TICK_STEP on the way."""
        now = self.clock.now()
        target = self._next_morning(viewer, now) if step == "morning" else now + CLOCK_STEPS[step]
        with self._clock_lock:
            while self.clock.now() < target:
                self.clock.set(min(self.clock.now() + TICK_STEP, target))
                self._steward.tick()
        self.settle(quiet=0)  # ticks are synchronous: once their messages are sent, it's done
        self.save()
        return self.clock.now()

    def _next_morning(self, viewer: str, now: datetime) -> datetime:
        """The next 09:00 on a working day in the viewer's timezone."""
        zone = ZoneInfo(self.members[viewer].tz if viewer in self.members else "UTC")
        local = now.astimezone(zone)
        morning = local.replace(hour=MORNING_HOUR, minute=0, second=0, microsecond=0)
        if morning <= local:
            morning += timedelta(days=1)
        while morning.weekday() >= 5:  # the seeded policy's working days are mon-fri
            morning += timedelta(days=1)
        return morning.astimezone(now.tzinfo)

    def settle(self, timeout: float = SETTLE_TIMEOUT_SECONDS, quiet: float = QUIET_SECONDS) -> bool:
        """Wait until the bot has delivered everything it queued and its Slack calls have
        paused for ``quiet`` seconds (a listener may still be working after its ack)."""
        deadline = time.monotonic() + timeout
        calls, quiet_since = len(self.emulator.calls), time.monotonic()
        settled = False
        while not settled and time.monotonic() < deadline:
            with unit_of_work(self._steward.engine) as session:
                pending = queue_stats(session).pending
            if len(self.emulator.calls) != calls:
                calls, quiet_since = len(self.emulator.calls), time.monotonic()
            settled = pending == 0 and time.monotonic() - quiet_since >= quiet
            if not settled:
                time.sleep(POLL_SECONDS)
        self._bump()
        return settled

    # ----- helpers ---------------------------------------------------------------------------
    def typed_mentions(self, text: str) -> str:
        """Slack's client turns a typed ``@name`` into ``<@U…|name>`` and escapes &, <, >."""

        def mention(match: re.Match[str]) -> str:
            name = match.group(1).lower()
            user = next((uid for uid, n in self.names.items() if n == name), None)
            return f"<@{user}|{name}>" if user else match.group(0)

        return re.sub(r"(?<![\w<])@([A-Za-z][\w.-]*)", mention, _slack_escape(text))

    def _response_url(self, user: str, channel: str) -> str:
        token = f"s{self._sender.next_number()}"
        with self._lock:
            self._responses[token] = (user, channel)
        return self.emulator.response_url(token)

    def response_owner(self, token: str) -> tuple[str, str] | None:
        with self._lock:
            return self._responses.get(token)

    # ----- a kept sandbox (--db FILE) ----------------------------------------------------------
    def save(self) -> None:
        """Keep what Slack shows and the clock beside a kept database (not a temporary one)."""
        if self.kept:
            with self._lock:
                keep.save(self)

    def numbers_used(self) -> int:
        return self.sender.numbers_used if self.sender else self._numbers_restored

    def response_owners(self) -> dict[str, tuple[str, str]]:
        with self._lock:
            return dict(self._responses)

    def restore_shown(
        self,
        *,
        ephemerals: list[dict[str, Any]],
        posted_at: dict[str, datetime],
        responses: dict[str, tuple[str, str]],
        numbers_used: int,
    ) -> None:
        with self._lock:
            self.ephemerals = [Ephemeral(**shown) for shown in ephemerals]
            self.posted_at.update(posted_at)
            self._responses.update(responses)
            self._numbers_restored = numbers_used

    def _show_ephemeral(
        self, user: str, channel: str, message: dict[str, Any], *, author: str | None = None
    ) -> None:
        ts = self.emulator.stamp()
        with self._lock:
            self.posted_at[ts] = self.clock.now()
            self.ephemerals.append(Ephemeral(user, channel, ts, message, author))
            self.version += 1

    def _store_pushed(self, user: str, view: dict[str, Any]) -> None:
        view_id = f"VPUSH{self._sender.next_number():06d}"
        self.emulator.views[view_id] = {**view, "id": view_id, "state": {"values": {}}}
        self.modals.push(user, view_id)

    def _view(self, view_id: str) -> dict[str, Any]:
        view = self.emulator.views.get(view_id)
        if view is None:
            raise LookupError(f"no view {view_id}")
        return {key: value for key, value in view.items() if key != "state"}

    def _check_user(self, user: str) -> None:
        if user not in self.members:
            raise LookupError(f"no one called {user} in the sandbox")

    def _channel_name(self, channel: str) -> str:
        for known in team.CHANNELS:
            if known.channel_id == channel:
                return known.name
        if channel.startswith("D"):
            return "directmessage"
        raise LookupError(f"no channel {channel} in the sandbox")

    def _bump(self) -> None:
        with self._lock:
            self.version += 1


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _trigger_user(trigger_id: str) -> str | None:
    parts = trigger_id.split(".")
    return parts[1] if len(parts) == 3 and parts[1].startswith("U") else None


def _as_slack_message(message: dict[str, Any], emulator: SlackEmulator) -> dict[str, Any]:
    out = {
        "type": "message",
        "user": emulator.bot_user_id,
        "bot_id": emulator.bot_id,
        "text": message.get("text", ""),
        "ts": message["ts"],
    }
    if message.get("blocks"):
        out["blocks"] = message["blocks"]
    return out
