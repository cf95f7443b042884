"""Channels as the Slack emulator models them: whether the bot is a member, whether a
channel is archived or private, and the bot token's scopes. Every channel not set here is a
public one the bot is a member of, so a test that never mentions channels sees none of this.

As on Slack (see shared/SLACK_FACTS.md): ``chat.postMessage`` to a public channel the bot is
not in answers ``not_in_channel`` unless the token has ``chat:write.public``; a private
channel the bot is not in answers ``channel_not_found`` to everything; an archived channel
answers ``is_archived``. ``conversations.info`` (scope ``channels:read``, and ``groups:read``
for a private channel) tells ``is_member`` and ``is_archived``. Every answer carries the
token's scopes in ``X-OAuth-Scopes``. Mixed into ``SlackEmulator``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.emulator_api import SlackError

# The scopes of the app as manifest.yml asks for them.
MANIFEST_SCOPES = frozenset(
    {"commands", "chat:write", "im:write", "users:read", "files:write", "channels:read"}
    | {"groups:read"}
)


@dataclass
class Channel:
    name: str
    member: bool = True
    archived: bool = False
    private: bool = False


class ChannelMembership:
    """The state is the emulator's (set in its __init__)."""

    _lock: threading.RLock
    _channels: dict[str, Channel]
    scopes: set[str]
    _channel: Callable[[dict[str, Any]], str]  # the emulator's Web API methods have it

    def set_channel(
        self,
        channel: str,
        *,
        name: str | None = None,
        member: bool = True,
        archived: bool = False,
        private: bool = False,
    ) -> None:
        """How ``channel`` stands: the bot a member or not, archived, private."""
        with self._lock:
            self._channels[channel] = Channel(
                name or channel.lower(), member=member, archived=archived, private=private
            )

    def _channel_state(self, channel: str) -> Channel:
        return self._channels.get(channel) or Channel(channel.lower())

    def _check_can_post(self, channel: str) -> None:
        """Raise what Slack answers a post to ``channel`` the bot may not make."""
        if channel[:1] == "D":
            return
        state = self._channel_state(channel)
        if state.private and not state.member:
            raise SlackError("channel_not_found")
        if state.archived:
            raise SlackError("is_archived")
        if not state.member and (state.private or "chat:write.public" not in self.scopes):
            raise SlackError("not_in_channel")

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        state = self._channel_state(channel)
        needed = "groups:read" if state.private else "channels:read"
        if channel[:1] != "D" and needed not in self.scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(sorted(self.scopes)))
        if state.private and not state.member:
            raise SlackError("channel_not_found")
        if channel[:1] == "D":
            return {"channel": {"id": channel, "is_im": True, "is_archived": False}}
        return {
            "channel": {
                "id": channel,
                "name": state.name,
                "is_channel": not state.private,
                "is_group": state.private,
                "is_private": state.private,
                "is_archived": state.archived,
                "is_member": state.member,
            }
        }
