"""One sandbox: the Slack emulator, the real bot serving HTTP against it on a clock the
sandbox moves, and what each seeded person would see in Slack.

The bot is assembled by the same ``bot.app.wiring.assemble`` as ``steward serve``, configured
only through settings (tokens, the emulator's API URL, a database URL, a policy file). Every
action reaches it as a signed HTTP request, as from Slack.

Locks: the emulator calls back into the sandbox (a message landed, a modal opened) while
holding its own lock; what it calls (Shown, Modals) has locks of its own and calls nothing.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.app.clocks import ManualClock
from bot.app.wiring import Steward, assemble
from bot.config.settings import load_settings
from bot.slack.http.server import HttpServer
from bot.slack.ids import ShortcutId
from bot.slack.mrkdwn import escape
from sandbox import keep, team
from sandbox.emulator import Handler, SlackEmulator
from sandbox.modals import Modals
from sandbox.sandbox_clock import CLOCK_STEPS, TICK_STEP, next_working_morning
from sandbox.settling import QUIET_SECONDS, SETTLE_TIMEOUT_SECONDS, settle
from sandbox.shown import Ephemeral, Shown
from sandbox.slack_requests import (
    BotReply,
    SlackSender,
    message_payload,
    trigger_user,
    typed_text,
)
from sandbox.view_state import RawValues, state_values

BOT_TOKEN = "xoxb-sandbox"
HTTP_THREADS = 4


class Sandbox:
    def __init__(self, *, database: Path | None = None, workdir: Path | None = None) -> None:
        self._tempdir = None if workdir else tempfile.TemporaryDirectory(prefix="steward-")
        self.workdir = workdir or Path(self._tempdir.name)  # type: ignore[union-attr]
        self.database = database or self.workdir / "sandbox.db"
        self.kept = database is not None  # --db FILE: what Slack shows is kept beside it
        self.clock = ManualClock(team.START)
        self.emulator = SlackEmulator(bot_token=BOT_TOKEN, team_id="T0SANDBOX")
        self.members = {member.user_id: member for member in team.MEMBERS}
        self.names = {member.user_id: member.name for member in team.MEMBERS}
        self.modals = Modals()
        self.shown = Shown()
        self._changes = 0  # what the sandbox itself changed (the emulator counts its calls)
        self._lock = threading.Lock()
        self._clock_lock = threading.Lock()
        self._save_lock = threading.Lock()
        self.steward: Steward | None = None
        self._server: HttpServer | None = None
        self.sender: SlackSender | None = None

    # ----- lifecycle -------------------------------------------------------------------------
    def start(self) -> Sandbox:
        self.emulator.start()
        for member in team.MEMBERS:
            self.emulator.add_user(member.user_id, name=member.name, tz=member.tz)
        self._watch_emulator()
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
            bot_url=f"http://127.0.0.1:{self._server.port}", signing_secret=secret, names=self.names
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

    def _watch_emulator(self) -> None:
        """views.open and views.push show the new modal to whoever's trigger opened it;
        posted messages are stamped with the bot's clock, for the page to show."""
        handlers = self.emulator.handlers
        handlers["views.open"] = handlers["views.push"] = self._opened_for_trigger(
            handlers["views.open"]
        )
        for method in ("chat.postMessage", "chat.postEphemeral"):
            handlers[method] = self._stamped(handlers[method])

    def _opened_for_trigger(self, handler: Handler) -> Handler:
        def open_for_trigger(params: dict[str, Any]) -> dict[str, Any]:
            result = handler(params)
            user = trigger_user(str(params.get("trigger_id") or ""))
            if user:
                self.modals.push(user, result["view"]["id"])
            return result

        return open_for_trigger

    def _stamped(self, handler: Handler) -> Handler:
        def stamp(params: dict[str, Any]) -> dict[str, Any]:
            result = handler(params)
            self.shown.landed(str(result.get("ts") or result.get("message_ts")), self.clock.now())
            return result

        return stamp

    @property
    def version(self) -> int:
        """Grows with every change the page should redraw for: each Slack call or response
        the bot made, and each change of the sandbox's own."""
        return self._changes + len(self.emulator.calls) + len(self.emulator.responses)

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
        self.check_user(user)
        channel_name = self._channel_name(channel)
        self._show_ephemeral(user, channel, {"text": f"/delegate {escape(text)}"}, author=user)
        reply = self._sender.command(
            user_id=user,
            channel_id=channel,
            channel_name=channel_name,
            text=typed_text(text, self.names),
            response_url=self._response_url(user, channel),
        )
        if reply.status == 200 and (reply.body.get("text") or reply.body.get("blocks")):
            self._show_ephemeral(user, channel, reply.body)
        return reply

    def click_in_message(
        self, user: str, channel: str, ts: str, action: dict[str, Any]
    ) -> BotReply:
        """A click on a message's button or menu (an ephemeral one has no message body)."""
        self.check_user(user)
        message = next((m for m in self.emulator.messages_in(channel) if m["ts"] == ts), None)
        return self._sender.message_action(
            user_id=user,
            message_ts=ts,
            message=message_payload(
                message, bot_user_id=self.emulator.bot_user_id, bot_id=self.emulator.bot_id
            )
            if message
            else None,
            channel_id=channel,
            channel_name=self._channel_name(channel),
            action=action,
            response_url=self._response_url(user, channel),
        )

    def click_in_view(
        self, user: str, view_id: str, action: dict[str, Any], raw: RawValues | None = None
    ) -> BotReply:
        """A click in the person's open modal or on their Home tab; a modal's click carries
        what its fields hold."""
        self.check_user(user)
        home = self.emulator.home_view(user)
        if view_id != self.modals.top(user) and not (home and home["id"] == view_id):
            raise LookupError("that view is not open for you")
        view = self._view(view_id)
        view["state"] = {"values": state_values(view, raw or {})}
        return self._sender.view_action(user_id=user, view=view, action=action)

    def submit(self, user: str, view_id: str, raw: RawValues) -> BotReply:
        """Submit the person's top modal; the bot's answer closes it, shows errors on it,
        replaces it, pushes another on top, or clears them all."""
        self.check_user(user)
        if view_id != self.modals.top(user):
            raise LookupError("that modal is not open for you")
        view = self._view(view_id)
        view["state"] = {"values": state_values(view, raw)}
        reply = self._sender.view_submission(user_id=user, view=view)
        if reply.status != 200:
            return reply
        action, answered = reply.body.get("response_action"), reply.body.get("view")
        if action == "errors":
            self.modals.show_errors(view_id, dict(reply.body.get("errors") or {}))
        elif action == "update" and isinstance(answered, dict):
            self.emulator.store_view(answered, view_id)
            self.modals.replaced(view_id)
        elif action == "push" and isinstance(answered, dict):
            self.modals.push(user, self.emulator.store_view(answered)["id"])
        elif action == "clear":
            self.modals.clear(user)
        else:
            self.modals.pop(user)
        self._changed()
        return reply

    def shortcut(self, user: str) -> BotReply:
        """``user`` picks "Delegate a task" from Slack's shortcuts menu."""
        self.check_user(user)
        return self._sender.global_shortcut(user_id=user, callback_id=ShortcutId.DELEGATE)

    def close_modal(self, user: str) -> None:
        self.check_user(user)
        self.modals.pop(user)
        self._changed()

    def open_home(self, user: str) -> BotReply:
        self.check_user(user)
        home = self.emulator.home_view(user)
        return self._sender.home_opened(user, self.emulator.dm_channel_for(user), home)

    # ----- the clock -------------------------------------------------------------------------
    def advance(self, step: str, viewer: str) -> datetime:
        """Move the clock by ``hour``, ``day``, ``week`` or to the viewer's next working
        ``morning``, ticking the bot every TICK_STEP and delivering what each tick sent
        before the clock moves on."""
        self.check_user(viewer)
        with self._clock_lock:
            now = self.clock.now()
            if step == "morning":
                target = next_working_morning(
                    now, self.members[viewer].tz, self._steward.runtime.settings.policy
                )
            else:
                target = now + CLOCK_STEPS[step]
            while self.clock.now() < target:
                self.clock.set(min(self.clock.now() + TICK_STEP, target))
                self._steward.tick()
                self.settle(quiet=0)  # each message lands at the time it was sent
        self.save()
        return self.clock.now()

    def settle(self, timeout: float = SETTLE_TIMEOUT_SECONDS, quiet: float = QUIET_SECONDS) -> bool:
        """Wait until the bot has delivered every message due now and its Slack calls have
        paused for ``quiet`` seconds."""
        return settle(self._steward, self.emulator, self.clock.now(), timeout=timeout, quiet=quiet)

    # ----- helpers ---------------------------------------------------------------------------
    def check_user(self, user: str) -> None:
        if user not in self.members:
            raise LookupError("choose who you are")

    def save(self) -> None:
        """Keep what Slack shows and the clock beside a kept database (not a temporary one)."""
        if self.kept:
            with self._save_lock:  # one writer of the file at a time
                keep.save(self)

    def _response_url(self, user: str, channel: str) -> str:
        token = self._sender.unique_id("s")
        self.shown.respond_to(token, user, channel)
        return self.emulator.response_url(token)

    def _show_ephemeral(
        self, user: str, channel: str, message: dict[str, Any], *, author: str | None = None
    ) -> None:
        self.shown.ephemeral(
            Ephemeral(user, channel, self.emulator.stamp(), message, author), self.clock.now()
        )
        self._changed()

    def _view(self, view_id: str) -> dict[str, Any]:
        view = self.emulator.views.get(view_id)
        if view is None:
            raise LookupError("that view is gone")
        return {key: value for key, value in view.items() if key != "state"}

    def _channel_name(self, channel: str) -> str:
        for known in team.CHANNELS:
            if known.channel_id == channel:
                return known.name
        if channel in {self.emulator.dm_channel_for(user) for user in self.members}:
            return "directmessage"
        raise LookupError(f"no channel {channel} in the sandbox")

    def _changed(self) -> None:
        with self._lock:
            self._changes += 1
