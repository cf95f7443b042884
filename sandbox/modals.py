"""Each sandbox person's open modals, the top one last, and the errors the bot showed on
them. Its own lock: the emulator's views.open handler pushes here while holding the
emulator's lock, so nothing here may call back into the emulator."""

from __future__ import annotations

import threading


class Modals:
    def __init__(self) -> None:
        self._stacks: dict[str, list[str]] = {}
        self._errors: dict[str, dict[str, str]] = {}  # view id -> block id -> error
        self._lock = threading.Lock()

    def top(self, user: str) -> str | None:
        with self._lock:
            stack = self._stacks.get(user)
            return stack[-1] if stack else None

    def errors(self, view_id: str) -> dict[str, str] | None:
        with self._lock:
            return self._errors.get(view_id)

    def push(self, user: str, view_id: str) -> None:
        with self._lock:
            self._stacks.setdefault(user, []).append(view_id)

    def show_errors(self, view_id: str, errors: dict[str, str]) -> None:
        with self._lock:
            self._errors[view_id] = errors

    def replaced(self, view_id: str) -> None:
        """The view was updated in place: its old errors no longer apply."""
        with self._lock:
            self._errors.pop(view_id, None)

    def pop(self, user: str) -> None:
        with self._lock:
            stack = self._stacks.get(user)
            if stack:
                self._errors.pop(stack.pop(), None)

    def clear(self, user: str) -> None:
        with self._lock:
            for view_id in self._stacks.pop(user, []):
                self._errors.pop(view_id, None)
