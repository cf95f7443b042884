"""What the domain needs from the outside world, as small protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.domain.digest import Digest

from storage.models import Checkin, Delegation, Escalation, Event


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


@dataclass(frozen=True)
class Person:
    """What the domain knows of a workspace member."""

    user_id: str
    name: str | None = None
    tz: str | None = None  # IANA name; None when Slack does not know it
    is_bot: bool = False
    deleted: bool = False


class DirectoryUnavailable(Exception):
    """The directory could not be asked right now (Slack slow or down)."""


class Directory(Protocol):
    def lookup(self, user_id: str) -> Person | None:
        """The person, or None if no such user exists. Raises DirectoryUnavailable."""
        ...

    def known_tz(self, user_id: str) -> str | None:
        """The timezone last seen for this person, without asking Slack (None if never)."""
        ...


class Notifier(Protocol):
    """Tells people about delegations. Implementations must queue, not send, inside the
    caller's transaction, so a change and the messages it causes commit together."""

    def offer(self, delegation: Delegation) -> None:
        """Ask the assignee to accept or decline."""
        ...

    def offer_settled(self, delegation: Delegation) -> None:
        """Edit the assignee's copy of the offer to show where it stands now."""
        ...

    def tell_delegator(self, delegation: Delegation, *, what: str, actor: str) -> None:
        """Tell the delegator of a change of state (``what`` is an EventType value)."""
        ...

    def checkin(self, delegation: Delegation, checkin: Checkin, *, why: str) -> None:
        """Ask the assignee how it is going; ``why`` says why it comes when it does."""
        ...

    def checkin_settled(self, delegation: Delegation, checkin: Checkin) -> None:
        """Edit a check-in to show its answer, or that its item has closed."""
        ...

    def tell_delegator_checkin(self, delegation: Delegation, checkin: Checkin) -> None:
        """Pass an At risk or Blocked answer (and its note) to the delegator at once."""
        ...

    def reminder(self, delegation: Delegation) -> None:
        """Remind the assignee that the due date is near."""
        ...

    def escalation(self, delegation: Delegation, escalation: Escalation) -> None:
        """Tell the escalation's current target (with Acknowledge), the delegator and,
        in neutral words, the assignee."""
        ...

    def acknowledged(self, delegation: Delegation, escalation: Escalation) -> None:
        """Show who picked the escalation up, to them, the delegator and the assignee."""
        ...

    def escalation_resolved(
        self, delegation: Delegation, escalation: Escalation, *, actor: str | None, quietly: bool
    ) -> None:
        """Edit every message the climb sent to say it is resolved and why; unless
        ``quietly`` (it had been picked up), one quiet note to the delegator and the
        assignee, except ``actor``, whose change resolved it."""
        ...

    def reacknowledge(self, delegation: Delegation, escalation: Escalation) -> None:
        """Ask whoever picked the escalation up whether it is still in hand (Still on it)."""
        ...

    def still_on_it(
        self, delegation: Delegation, escalation: Escalation, *, reminded_at: datetime
    ) -> None:
        """Edit the reminder sent at ``reminded_at`` to show the answer."""
        ...

    def digest(self, channel: str, digest: Digest, *, key: str) -> None:
        """Post the digest (and its chart, in the thread) to ``channel``."""
        ...

    def cancelled(self, delegation: Delegation, *, actor: str) -> None:
        """Tell the assignee that ``actor`` cancelled the item."""
        ...

    def reassigned(self, delegation: Delegation, *, previous_assignee: str) -> None:
        """Tell the person the item was taken from; their offer's buttons go."""
        ...

    def question(self, delegation: Delegation, asked: Event) -> None:
        """The assignee's question, to the delegator, with a way to answer."""
        ...

    def answer(self, delegation: Delegation, asked: Event, answered: Event) -> None:
        """The delegator's answer, back to the assignee."""
        ...

    def due_proposed(self, delegation: Delegation, proposal: Event) -> None:
        """A proposed due date, to the delegator, with Approve and Reject."""
        ...

    def due_decided(self, delegation: Delegation, proposal: Event, *, approved: bool) -> None:
        """The outcome of a proposal, to both; the assignee's offer shows the due date."""
        ...
