"""Quiet mode on a real database: each person's own choice, kept until they change it, and
nothing else written or told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.domain.preferences import choose_quiet
from storage.db import unit_of_work
from storage.models import PersonSettings
from storage.people import is_quiet
from tests.domain.test_transitions import ALICE, BOB, NOW, offer, written
from tests.fakes import RecordingNotifier, work_in


def choose(engine: Engine, user_id: str, *, quiet: bool, minutes: int = 0) -> RecordingNotifier:
    told = RecordingNotifier()
    with unit_of_work(engine) as session:
        work = work_in(session, now=NOW + timedelta(minutes=minutes), notifier=told)
        choose_quiet(work, user_id=user_id, quiet=quiet)
    return told


def quiet(engine: Engine, user_id: str) -> bool:
    with Session(engine) as session:
        return is_quiet(session, user_id=user_id)


def settings(engine: Engine) -> list[tuple[str, bool, object]]:
    with Session(engine) as session:
        rows = session.exec(select(PersonSettings).order_by(PersonSettings.user_id)).all()
        return [(row.user_id, row.quiet, row.updated_at) for row in rows]


def test_nobody_is_quiet_until_they_choose(engine: Engine) -> None:
    assert not quiet(engine, ALICE.user_id)
    assert settings(engine) == []


def test_choosing_quiet_is_kept_for_that_person_only(engine: Engine) -> None:
    choose(engine, ALICE.user_id, quiet=True)
    assert quiet(engine, ALICE.user_id)
    assert not quiet(engine, BOB.user_id)
    assert settings(engine) == [(ALICE.user_id, True, NOW)]


def test_quiet_can_be_turned_off_again_and_the_row_is_reused(engine: Engine) -> None:
    choose(engine, ALICE.user_id, quiet=True)
    choose(engine, ALICE.user_id, quiet=False, minutes=30)
    assert not quiet(engine, ALICE.user_id)
    assert settings(engine) == [(ALICE.user_id, False, NOW + timedelta(minutes=30))]
    choose(engine, ALICE.user_id, quiet=True, minutes=60)
    assert quiet(engine, ALICE.user_id)
    assert settings(engine) == [(ALICE.user_id, True, NOW + timedelta(hours=1))]


def test_choosing_the_same_twice_keeps_one_row(engine: Engine) -> None:
    choose(engine, ALICE.user_id, quiet=True)
    choose(engine, ALICE.user_id, quiet=True, minutes=5)
    assert settings(engine) == [(ALICE.user_id, True, NOW + timedelta(minutes=5))]


def test_choosing_off_first_records_the_choice(engine: Engine) -> None:
    choose(engine, BOB.user_id, quiet=False)
    assert settings(engine) == [(BOB.user_id, False, NOW)]
    assert not quiet(engine, BOB.user_id)


def test_each_persons_choice_is_their_own(engine: Engine) -> None:
    choose(engine, ALICE.user_id, quiet=True)
    choose(engine, BOB.user_id, quiet=True, minutes=1)
    choose(engine, ALICE.user_id, quiet=False, minutes=2)
    assert settings(engine) == [
        (ALICE.user_id, False, NOW + timedelta(minutes=2)),
        (BOB.user_id, True, NOW + timedelta(minutes=1)),
    ]


def test_a_choice_writes_no_event_or_message_and_tells_nobody(engine: Engine) -> None:
    offer(engine)
    before = written(engine)
    told = choose(engine, ALICE.user_id, quiet=True)
    assert written(engine) == before  # items, events, outbox and escalations as they were
    assert told.told == []


def test_the_choice_is_made_in_the_callers_unit_of_work(engine: Engine) -> None:
    """It commits with the request, never on its own: a request failing afterwards undoes it."""
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        choose_quiet(work_in(session, now=NOW), user_id=ALICE.user_id, quiet=True)
        assert is_quiet(session, user_id=ALICE.user_id)  # seen inside the unit of work
        raise RuntimeError("the request failed after choosing")
    assert not quiet(engine, ALICE.user_id) and settings(engine) == []
