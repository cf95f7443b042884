"""Hypothesis strategies for what the Block Kit builders are given, leaning to the longest:
texts at the length Steward accepts, full of characters that grow when escaped, multibyte
and emoji text, the longest ids and names, far timezones, and as many items, check-ins and
escalations as the domain hands a builder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from bot.domain.checkins import MAX_NOTE_LENGTH
from bot.domain.delegations import MAX_REASON_LENGTH, MAX_TASK_LENGTH
from bot.domain.details import HISTORY_SHOWN, ItemDetails
from bot.domain.digest import LOAD_SHOWN, OLDEST_SHOWN, Digest, Figures, OpenItem
from bot.domain.home import SHOWN, Home, Section
from bot.domain.listing import LIST_LIMIT, OpenItems
from bot.slack.blocks.escalations import MOST_IN_ONE_MESSAGE, Listed
from storage.enums import (
    CheckinStatus,
    DelegationStatus,
    EscalationReason,
    EscalationStatus,
    EventType,
    ResolveCause,
)
from storage.models import Checkin, Delegation, Escalation, EscalationNotice, Event
from tests.property.strategies import hostile_text

# Pieces a long text is made of: escapes, control sequences, multibyte and emoji, lines.
_PIECES = (
    "&",
    "<",
    ">",
    "&amp;",
    "<!channel>",
    "<@U123|bob>",
    "<https://evil.example|x>",
    "Ω",
    "字",
    "😀",
    "👩‍👩‍👧‍👦",
    "\n",
    "\n>",
    "x",
    " ",
    "*",
    "`",
)
# Far and long zones: the furthest ahead and behind, odd offsets, the longest name, one
# Slack might send that is no zone at all.
ZONES = (
    None,
    "UTC",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "Pacific/Pago_Pago",
    "Asia/Kathmandu",
    "America/Argentina/ComodRivadavia",
    "Not/A_Zone",
)
_ID_LENGTH = 32  # the longest Slack id a column holds
PEOPLE = ("U0ALICE", "U" + "A" * (_ID_LENGTH - 1), "W" + "9" * (_ID_LENGTH - 1))
CHANNEL = "C" + "F" * (_ID_LENGTH - 1)

zones = st.sampled_from(ZONES)
people = st.sampled_from(PEOPLE)
targets = st.sampled_from((*PEOPLE, CHANNEL))
item_ids = st.one_of(st.just(10**18 - 1), st.integers(1, 10**18 - 1))
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
)
maybe_moments = st.one_of(st.none(), moments)
counts = st.one_of(st.just(10**12), st.integers(0, 10**12))


def filled(longest: int) -> st.SearchStrategy[str]:
    """``longest`` characters of repeated awkward pieces."""
    return st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map(
        lambda pieces: ("".join(pieces) * longest)[:longest]
    )


def texts(longest: int) -> st.SearchStrategy[str]:
    """Mostly ``longest`` characters of awkward pieces; sometimes short hostile text."""
    short = hostile_text(max_size=12).map(lambda text: text[:longest])
    return st.one_of(filled(longest), filled(longest), short)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


tasks = texts(MAX_TASK_LENGTH)
notes = texts(MAX_NOTE_LENGTH)
reasons = texts(MAX_REASON_LENGTH)
names = texts(255)  # a Slack name as the users table holds it

delegations = st.builds(
    Delegation,
    id=item_ids,
    delegator_id=people,
    assignee_id=people,
    task=tasks,
    due_at=maybe_moments,
    status=st.sampled_from([status.value for status in DelegationStatus]),
    decline_reason=maybe(reasons),
    created_at=moments,
    updated_at=moments,
    checkin_every_s=maybe(st.integers(60, 366 * 86400)),
    next_checkin_at=maybe_moments,
    overdue_at=maybe_moments,
)
answered_checkins = st.builds(
    Checkin,
    id=item_ids,
    delegation_id=item_ids,
    slot=moments,
    sent_at=moments,
    answered_at=maybe_moments,
    status=maybe(st.sampled_from([status.value for status in CheckinStatus])),
    note=maybe(notes),
)


@st.composite
def escalations(draw: st.DrawFn, *, delegation_id: int | None = None) -> Escalation:
    chain = draw(st.lists(targets, min_size=1, max_size=8))
    level = draw(st.integers(1, len(chain)))
    status = draw(st.sampled_from([status.value for status in EscalationStatus]))
    picked_up = status == EscalationStatus.ACKNOWLEDGED or draw(st.booleans())
    return Escalation(
        id=draw(item_ids),
        delegation_id=delegation_id or draw(item_ids),
        reason=draw(st.sampled_from([reason.value for reason in EscalationReason])),
        chain=chain,
        level=level,
        target=chain[level - 1],
        status=status,
        started_at=draw(moments),
        stalled_since=draw(moments),
        level_started_at=draw(moments),
        acknowledged_at=draw(maybe_moments),
        acknowledged_by=draw(people) if picked_up else None,
        committed_at=draw(maybe_moments),
        note=draw(maybe(notes)),
        climb_reason=draw(maybe(st.sampled_from([r.value for r in EscalationReason]))),
        climb_note=draw(maybe(notes)),
        resolved_cause=draw(maybe(st.sampled_from([cause.value for cause in ResolveCause]))),
    )


@st.composite
def listed(draw: st.DrawFn) -> Listed:
    delegation = draw(delegations)
    escalation = draw(escalations(delegation_id=delegation.id))
    notice = EscalationNotice(
        escalation_id=escalation.id or 1,
        level=draw(st.integers(1, escalation.level)),
        recipient=escalation.target,
        message_key="k",
        sent_at=draw(moments),
    )
    return Listed(notice, escalation, delegation, draw(maybe(answered_checkins)))


listed_messages = st.lists(
    listed(), min_size=1, max_size=MOST_IN_ONE_MESSAGE, unique_by=lambda entry: entry.escalation.id
)


event_types = st.sampled_from([kind.value for kind in EventType])
_WORDY = (EventType.CHECKIN_ANSWERED, EventType.DECLINED, EventType.ESCALATED)


@st.composite
def events(
    draw: st.DrawFn, *, kinds: st.SearchStrategy[str] = event_types, longest: bool = False
) -> Event:
    """An event of ``kinds``; ``longest``: every text its data holds at its longest, by the
    person with the longest id."""

    def words(most: int) -> st.SearchStrategy[str | None]:
        return filled(most) if longest else maybe(texts(most))

    kind = draw(kinds)
    data: dict[str, Any] = {
        "status": draw(st.sampled_from([status.value for status in CheckinStatus])),
        "note": draw(words(MAX_NOTE_LENGTH)),
        "reason": draw(words(MAX_REASON_LENGTH)),
        "to": draw(targets),
        "level": draw(st.integers(1, 8)),
        "question": draw(words(2000)),
        "answer": draw(words(2000)),
        "due": draw(maybe(moments.map(datetime.isoformat))),
        "previous": draw(maybe(moments.map(datetime.isoformat))),
    }
    data = {key: value for key, value in data.items() if value is not None}
    actor = PEOPLE[1] if longest else draw(people)
    return Event(id=draw(item_ids), type=kind, actor=actor, at=draw(moments), data=data)


item_details = st.builds(
    ItemDetails,
    delegation=delegations,
    history=st.one_of(  # a mixed history, or the longest: one wordy kind on every line
        st.lists(events(), max_size=HISTORY_SHOWN),
        st.sampled_from(_WORDY).flatmap(
            lambda kind: st.lists(
                events(kinds=st.just(kind), longest=True),
                min_size=HISTORY_SHOWN,
                max_size=HISTORY_SHOWN,
            )
        ),
    ),
    earlier=counts,
)


@st.composite
def sections(draw: st.DrawFn) -> Section:
    items = draw(st.lists(delegations, max_size=SHOWN))
    return Section(items=items, total=len(items) + draw(st.integers(0, 10**6)))


@st.composite
def homes(draw: st.DrawFn) -> Home:
    to_me, by_me, escalated = draw(sections()), draw(sections()), draw(sections())
    shown = [item.id or 0 for item in [*to_me.items, *by_me.items, *escalated.items]]
    return Home(
        to_me=to_me,
        by_me=by_me,
        escalated_to_me=escalated,
        escalations={item: draw(escalations(delegation_id=item)) for item in shown},
        last_answers={item: draw(answered_checkins) for item in shown},
    )


@st.composite
def open_items(draw: st.DrawFn) -> OpenItems:
    rows = draw(st.lists(delegations, max_size=LIST_LIMIT))
    split = draw(st.integers(0, len(rows)))
    return OpenItems(
        to_me=rows[:split],
        by_me=rows[split:],
        truncated=draw(st.booleans()),
        last_answers={row.id or 0: draw(answered_checkins) for row in rows},
    )


@st.composite
def figures(draw: st.DrawFn) -> Figures:
    durations = maybe(st.floats(0, 10**9))
    return Figures(
        start=draw(moments),
        end=draw(moments),
        created=draw(counts),
        accepted=draw(counts),
        declined=draw(counts),
        accept_p50_s=draw(durations),
        accept_p90_s=draw(durations),
        checkins_sent=draw(counts),
        checkins_answered=draw(counts),
        completed=draw(counts),
        completed_on_time=draw(counts),
        complete_p50_s=draw(durations),
        escalations=draw(counts),
        escalations_by_reason={r.value: draw(counts) for r in EscalationReason},
        escalations_by_level={level: draw(counts) for level in range(1, draw(st.integers(1, 9)))},
        acknowledged=draw(counts),
        acknowledge_p50_s=draw(durations),
        resolved_by_cause={cause.value: draw(counts) for cause in ResolveCause},
        still_open=draw(counts),
        ending_p50_s=draw(durations),
        open_items=draw(counts),
        overdue_items=draw(counts),
        stalled_items=draw(counts),
        oldest=draw(
            st.lists(
                st.builds(
                    OpenItem,
                    delegation_id=item_ids,
                    task=tasks,
                    assignee=people,
                    created_at=moments,
                    due=st.none(),
                ),
                max_size=OLDEST_SHOWN,
            )
        ),
        load=draw(st.lists(st.tuples(people, counts, counts), max_size=LOAD_SHOWN)),
    )


digests = st.builds(
    Digest, current=figures(), previous=figures(), timezone=zones, lead=maybe(people)
)
slack_names = maybe(st.dictionaries(people, names))
