"""The edge: every interaction payload is read once, here, into typed objects that the
listeners take by name (Bolt passes context entries as listener arguments).

``actor`` is who sent any request; ``click`` is a button press (``block_actions``);
``submission`` a submitted form (``view_submission``). Reading never fails: a malformed or
forged payload gives empty values, and asking it for an id then refuses in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.domain.errors import NotFound
from bot.observability.logs import bind_log_ids
from bot.slack.forms import clicked_in, positive_int, private_metadata


@dataclass(frozen=True)
class Click:
    actor: str
    action_id: str
    value: str | None
    trigger_id: str
    channel_id: str | None  # of the message whose button was pressed

    def delegation(self) -> int:
        """The delegation the button carries, also named on every log line from here on."""
        return self._number(of="a delegation", log_as="delegation_id")

    def checkin(self) -> int:
        return self._number(of="a check-in", log_as="checkin_id")

    def escalation(self) -> int:
        return self._number(of="an escalation", log_as="escalation_id")

    def question(self) -> int:
        return self._number(of="a question")

    def proposal(self) -> int:
        return self._number(of="a proposal")

    def _number(self, *, of: str, log_as: str | None = None) -> int:
        number = positive_int(self.value)
        if number is None:  # a forged or stale value
            raise NotFound(f"That button doesn't belong to {of} I know.")
        if log_as:
            bind_log_ids(**{log_as: number})
        return number


@dataclass(frozen=True)
class Submission:
    actor: str
    metadata: str  # the form's private_metadata
    body: dict[str, Any]  # the payload, for the form readers (bot/slack/forms.py)

    def delegation(self) -> int:
        """The delegation the form is about, also named on every log line from here on."""
        return self._number(of="a delegation", log_as="delegation_id")

    def escalation(self) -> int:
        return self._number(of="an escalation", log_as="escalation_id")

    def item(self) -> int:
        """The id the form carries (a delegation or a question)."""
        return self._number(of="anything I know")

    def _number(self, *, of: str, log_as: str | None = None) -> int:
        number = positive_int(self.metadata)
        if number is None:
            raise NotFound(f"This form no longer points at {of}.")
        if log_as:
            bind_log_ids(**{log_as: number})
        return number


def read_payload(
    body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """Global middleware: put ``actor``, and ``click`` or ``submission``, in the context."""
    actor = _actor(body)
    context["actor"] = actor
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else {}
        action = action if isinstance(action, dict) else {}
        context["click"] = Click(
            actor=actor,
            action_id=_string(action.get("action_id")) or "",
            value=_string(action.get("value")),
            trigger_id=_string(body.get("trigger_id")) or "",
            channel_id=clicked_in(body),
        )
    elif kind == "view_submission":
        context["submission"] = Submission(actor=actor, metadata=private_metadata(body), body=body)
    return next()


def _actor(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return _string(user.get("id")) or ""
    return _string(body.get("user_id")) or _string(user) or ""


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None
