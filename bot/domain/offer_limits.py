"""How many new offers one person may make. Each offer not accepted escalates, to the
assignee's manager and on to the fallback channel: a hundred `/delegate` in a second would
page a whole chain. Every path that puts an offer in someone's DM (the command, the form,
a reassignment) is counted here, in the transaction that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.domain.due_dates import zone
from bot.domain.errors import OverLimit
from storage.offers import lock_offers_by, nth_latest_offer_since, offers_waiting

if TYPE_CHECKING:
    from bot.domain.work import Work

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class OfferLimits:
    """0 for either: no such limit (a service account handing out work, a benchmark)."""

    new_per_hour: int = 30  # offers made by one delegator in any hour
    open_per_assignee: int = 10  # offers from one delegator still waiting for one assignee


def check_offer_limits(work: Work, *, delegator_id: str, assignee_id: str) -> None:
    """Refuse (``OverLimit``) one more offer past either limit. The count and the offer
    that follows are one transaction holding the delegator's lock, so two replicas making
    offers for one person count one after the other and never both pass the limit."""
    session, now = work.session, work.now
    limits = work.supervisor.policy.offer_limits
    if not limits.new_per_hour and not limits.open_per_assignee:
        return
    lock_offers_by(session, delegator_id=delegator_id)
    oldest_counted = limits.new_per_hour and nth_latest_offer_since(
        session, delegator_id=delegator_id, since=now - HOUR, n=limits.new_per_hour
    )
    if oldest_counted:
        # the oldest of the hour's offers leaving the hour frees a place
        again = (oldest_counted + HOUR).astimezone(zone(work.supervisor.tz_of(delegator_id)))
        raise OverLimit(
            f"You have made {limits.new_per_hour} new offers in the last hour, the most "
            f"allowed (max_new_offers_per_hour). You can offer again from "
            f"{again:%H:%M} ({again.tzinfo}).",
            field="assignee",
        )
    if not limits.open_per_assignee:
        return
    waiting = offers_waiting(
        session,
        delegator_id=delegator_id,
        assignee_id=assignee_id,
        limit=limits.open_per_assignee,
    )
    if waiting >= limits.open_per_assignee:
        raise OverLimit(
            f"That person already has {waiting} offers from you waiting to be accepted; "
            f"the most allowed is {limits.open_per_assignee} (max_open_offers_per_assignee). "
            "You can offer them more once they accept or decline one, or you cancel one.",
            field="assignee",
        )
