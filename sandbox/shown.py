"""What the sandbox shows beside the emulator's messages: each person's ephemeral messages
(their typed commands and the bot's private answers), who owns each response_url, and the
bot's clock when each message landed. Its own lock, and no calls out while holding it: the
emulator records here while holding its lock."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Ephemeral:
    """A message only one person sees, in one conversation (not kept by Slack either)."""

    user: str
    channel: str
    ts: str
    message: dict[str, Any]
    author: str | None = None  # None: the bot; else the person (their typed command)


class Shown:
    def __init__(self) -> None:
        self._ephemerals: list[Ephemeral] = []
        self._posted_at: dict[str, datetime] = {}  # message ts -> the bot's clock then
        self._responses: dict[str, tuple[str, str]] = {}  # response token -> (user, channel)
        self._lock = threading.Lock()

    def ephemeral(self, shown: Ephemeral, at: datetime) -> None:
        with self._lock:
            self._ephemerals.append(shown)
            self._posted_at[shown.ts] = at

    def ephemerals(self) -> list[Ephemeral]:
        with self._lock:
            return list(self._ephemerals)

    def landed(self, ts: str, at: datetime) -> None:
        with self._lock:
            self._posted_at[ts] = at

    def posted_at(self, ts: str) -> datetime | None:
        with self._lock:
            return self._posted_at.get(ts)

    def respond_to(self, token: str, user: str, channel: str) -> None:
        with self._lock:
            self._responses[token] = (user, channel)

    def response_owner(self, token: str) -> tuple[str, str] | None:
        with self._lock:
            return self._responses.get(token)

    def export(self) -> dict[str, Any]:
        """JSON-ready, for a kept sandbox."""
        with self._lock:
            return {
                "ephemerals": [asdict(shown) for shown in self._ephemerals],
                "posted_at": {ts: at.isoformat() for ts, at in self._posted_at.items()},
                "responses": dict(self._responses),
            }

    def restore(self, kept: dict[str, Any]) -> None:
        """What ``export`` wrote; raises KeyError, TypeError or ValueError if damaged."""
        ephemerals = [Ephemeral(**entry) for entry in kept["ephemerals"]]
        posted_at = {ts: datetime.fromisoformat(at) for ts, at in kept["posted_at"].items()}
        responses = {token: (owner[0], owner[1]) for token, owner in kept["responses"].items()}
        with self._lock:
            self._ephemerals = ephemerals
            self._posted_at.update(posted_at)
            self._responses.update(responses)
