"""What was taken in once stays taken in, on the database every replica shares, until it
is too old to come again or its processing failed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import select

from bot.app.clocks import ManualClock
from bot.slack.http.seen_events import REQUESTS_KEPT, Delivery, SeenEvents
from storage.db import reading
from storage.models import SeenRequest

HEADERS = {"x-slack-signature": "v0=" + "ab" * 32, "x-slack-request-timestamp": "1795000000"}


def _kept(engine: Engine) -> int:
    with reading(engine) as session:
        return int(session.exec(select(func.count()).select_from(SeenRequest)).one())


def test_a_signed_request_is_taken_in_once_until_its_processing_fails(engine: Engine) -> None:
    seen = SeenEvents(engine=engine, clock=ManualClock())
    request = Delivery.signed(HEADERS)
    assert seen.first_delivery(request)
    assert not seen.first_delivery(request)
    assert not SeenEvents(engine=engine, clock=ManualClock()).first_delivery(request)  # elsewhere
    seen.failed(request)  # a 5xx: the next copy is processed
    assert seen.first_delivery(request)
    # an event with the same key is another thing altogether
    assert seen.first_delivery(Delivery.event(request.key))


def test_signed_requests_are_forgotten_once_past_the_signature_window(engine: Engine) -> None:
    clock = ManualClock()
    seen = SeenEvents(engine=engine, clock=clock)
    old = Delivery.signed(HEADERS)
    assert seen.first_delivery(old)
    clock.advance(REQUESTS_KEPT - timedelta(seconds=1))
    assert seen.first_delivery(Delivery.signed({**HEADERS, "x-slack-request-timestamp": "1"}))
    assert _kept(engine) == 2
    clock.advance(timedelta(seconds=2))
    assert seen.first_delivery(Delivery.signed({**HEADERS, "x-slack-request-timestamp": "2"}))
    assert _kept(engine) == 2  # the first one went with that purge
