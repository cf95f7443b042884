"""Check-ins over the wire: ticks on a fake clock, answers by signed clicks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.app.wiring import assemble
from bot.slack.http.server import HttpServer
from bot.slack.ids import ActionId, BlockId, CallbackId
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running, button, settings_for

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def checkins_to(running: Running, user_id: str, count: int = 1) -> list:
    channel = running.slack.dm_channel_for(user_id)
    return running.slack.wait_for(
        "chat.postMessage",
        count=count,
        where=lambda c: c.params["channel"] == channel and "Check-in" in c.params["text"],
    )


def sent_slots(running: Running) -> list[str]:
    return [e["data"]["slot"] for e in running.events() if e["type"] == "checkin_sent"]


def test_first_checkin_one_interval_after_acceptance(running: Running) -> None:
    running.accepted("Prepare the Q3 report")  # Monday 09:00 UTC = 09:00 in London
    running.clock.advance(DAY - timedelta(minutes=1))
    running.tick()
    assert sent_slots(running) == []

    running.clock.advance(timedelta(minutes=1))
    running.tick()
    [checkin] = checkins_to(running, ALICE)
    assert sent_slots(running) == ["2026-11-24T09:00:00Z"]
    assert "Prepare the Q3 report" in checkin.params["text"]
    labels = [
        button(checkin.params["blocks"], action)["text"]["text"]
        for action in (
            ActionId.CHECKIN_ON_TRACK,
            ActionId.CHECKIN_AT_RISK,
            ActionId.CHECKIN_BLOCKED,
            ActionId.CHECKIN_DONE,
        )
    ]
    assert labels == ["On track", "At risk", "Blocked", "Done"]
    assert "Check-ins every day" in str(checkin.params["blocks"])

    running.tick()  # the same slot is never sent twice
    assert len(sent_slots(running)) == 1


def test_on_track_is_recorded_quietly(running: Running) -> None:
    running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY)
    running.tick()
    [checkin] = checkins_to(running, ALICE)
    value = button(checkin.params["blocks"], ActionId.CHECKIN_ON_TRACK)["value"]
    updates = len(running.slack.calls_to("chat.update"))

    running.click(ALICE, ActionId.CHECKIN_ON_TRACK, value)

    edited = running.slack.wait_for("chat.update", count=updates + 1)[-1]
    assert edited.params["ts"] == checkin.response["ts"]
    assert "On track" in edited.params["text"]
    assert all(block["type"] != "actions" for block in edited.params["blocks"])
    answered = [e for e in running.events() if e["type"] == "checkin_answered"]
    assert answered[0]["data"]["status"] == "on_track" and answered[0]["actor"] == ALICE
    assert len(running.dms_to(LEAD)) == 1  # only the "accepted" notice: no news is good news


def test_at_risk_reaches_the_delegator_at_once_with_the_note(running: Running) -> None:
    running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY)
    running.tick()
    [checkin] = checkins_to(running, ALICE)
    running.click(
        ALICE,
        ActionId.CHECKIN_AT_RISK,
        button(checkin.params["blocks"], ActionId.CHECKIN_AT_RISK)["value"],
    )
    view = running.slack.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == CallbackId.CHECKIN_NOTE_MODAL

    note = {"type": "plain_text_input", "value": "Waiting on <!channel> finance numbers"}
    response = running.sender.submit_view(
        user_id=ALICE, view=view, values={BlockId.CHECKIN_NOTE: {ActionId.CHECKIN_NOTE: note}}
    )
    assert response.status_code == 200 and response.text == ""

    notice = running.dms_to(LEAD, count=2)[1]
    assert "At risk" in notice.params["text"] and "Prepare the Q3 report" in notice.params["text"]
    assert "Waiting on &lt;!channel&gt; finance numbers" in str(notice.params["blocks"])
    answered = next(e for e in running.events() if e["type"] == "checkin_answered")
    assert answered["data"]["status"] == "at_risk"
    assert answered["data"]["note"] == "Waiting on <!channel> finance numbers"


def test_done_from_a_checkin_completes_and_stops_checkins(running: Running) -> None:
    running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY)
    running.tick()
    [checkin] = checkins_to(running, ALICE)
    running.click(
        ALICE,
        ActionId.CHECKIN_DONE,
        button(checkin.params["blocks"], ActionId.CHECKIN_DONE)["value"],
    )
    assert "done" in running.dms_to(LEAD, count=2)[1].params["text"]
    types = running.event_types()
    assert types[-2:] == ["checkin_answered", "completed"]

    running.clock.advance(DAY * 7)
    running.tick()
    assert len(sent_slots(running)) == 1


def test_only_the_assignee_may_answer(running: Running) -> None:
    running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY)
    running.tick()
    [checkin] = checkins_to(running, ALICE)
    value = button(checkin.params["blocks"], ActionId.CHECKIN_ON_TRACK)["value"]
    running.click(BOB, ActionId.CHECKIN_ON_TRACK, value)
    running.click(LEAD, ActionId.CHECKIN_BLOCKED, value)
    refusals = running.slack.wait_for_responses(count=2)
    assert all("Only the person this was delegated to" in r["text"] for r in refusals)
    assert "checkin_answered" not in running.event_types()


def test_a_stale_checkin_on_a_closed_item_says_it_is_closed(running: Running) -> None:
    value = running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY)
    running.tick()
    [checkin] = checkins_to(running, ALICE)
    running.click(ALICE, ActionId.DONE, value)  # finished from the item itself
    running.dms_to(LEAD, count=2)
    updates = len(running.slack.calls_to("chat.update"))

    running.click(
        ALICE,
        ActionId.CHECKIN_ON_TRACK,
        button(checkin.params["blocks"], ActionId.CHECKIN_ON_TRACK)["value"],
    )
    edited = running.slack.wait_for("chat.update", count=updates + 1)[-1]
    assert edited.params["ts"] == checkin.response["ts"]
    assert "completed: no answer needed" in edited.params["text"]
    assert "checkin_answered" not in running.event_types()


def test_a_late_tick_catches_up_with_one_checkin(running: Running) -> None:
    running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY * 4 + HOUR * 3)  # Friday 12:00: four slots have passed
    running.tick()
    running.tick()
    assert sent_slots(running) == ["2026-11-24T09:00:00Z"]
    assert len(checkins_to(running, ALICE)) == 1
    running.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # next slot: Monday (weekend)
    running.tick()
    assert sent_slots(running)[-1] == "2026-11-30T09:00:00Z"


def test_the_weekend_waits_for_monday_morning(running: Running) -> None:
    running.clock.set(datetime(2026, 11, 27, 17, 30, tzinfo=UTC))  # Friday 17:30 in London
    running.accepted("Prepare the Q3 report")
    running.clock.set(datetime(2026, 11, 30, 8, 59, tzinfo=UTC))
    running.tick()
    assert sent_slots(running) == []
    running.clock.advance(timedelta(minutes=1))
    running.tick()
    assert sent_slots(running) == ["2026-11-30T09:00:00Z"]


def test_each_person_is_asked_in_their_own_morning(running: Running) -> None:
    running.accepted("Auckland item", assignee=CAROL)  # Monday 09:00 UTC = 22:00 in Auckland
    running.accepted("Los Angeles item", assignee=BOB)  # = 01:00 in Los Angeles
    running.clock.set(datetime(2026, 11, 30, 0, 0, tzinfo=UTC))
    running.tick()
    slots = sorted(sent_slots(running))
    # Carol: Tuesday 22:00 NZDT is after hours -> Wednesday 09:00 NZDT = Tuesday 20:00 UTC
    # Bob: Tuesday 01:00 PST is before hours -> Tuesday 09:00 PST = Tuesday 17:00 UTC
    assert slots == ["2026-11-24T17:00:00Z", "2026-11-24T20:00:00Z"]


def test_per_item_cadence(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report every 2d")
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")
    running.clock.advance(DAY)
    running.tick()
    assert sent_slots(running) == []
    running.clock.advance(DAY)
    running.tick()
    assert sent_slots(running) == ["2026-11-25T09:00:00Z"]
    assert "every 2 days, as set for this item" in str(
        checkins_to(running, ALICE)[0].params["blocks"]
    )


def test_reminder_then_overdue_then_listed(running: Running) -> None:
    running.delegate(f"<@{ALICE}> Prepare the Q3 report by friday")  # Fri 18:00 NY = 23:00 UTC
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")

    running.clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # a day before, at 09:00 London
    running.tick()
    reminder = running.slack.wait_for(
        "chat.postMessage", where=lambda c: c.params["text"].startswith("Reminder")
    )[0]
    assert "Prepare the Q3 report" in reminder.params["text"]

    running.clock.set(datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    running.tick()
    running.tick()
    overdue = [e for e in running.events() if e["type"] == "overdue"]
    assert len(overdue) == 1 and overdue[0]["actor"] == "system"
    assert "overdue" in str(running.delegate("list")["blocks"])


def test_restart_sends_exactly_one_checkin(
    running: Running, slack, clock, database_url: str
) -> None:
    running.accepted("Prepare the Q3 report")
    running.steward.stop()  # the first process goes away
    clock.advance(DAY * 3)

    second = assemble(settings_for(slack, database_url), clock=clock)
    server = HttpServer(second.wsgi(), host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    second.start_background(scheduler=False)
    try:
        second.tick()
        second.tick()
        checkins = checkins_to(running, ALICE)
        slots = [e["data"]["slot"] for e in running.events() if e["type"] == "checkin_sent"]
        assert slots == ["2026-11-24T09:00:00Z"] and len(checkins) == 1
    finally:
        server.shutdown()
        second.stop()


def test_the_apscheduler_wiring_fires_the_tick(running: Running) -> None:
    running.accepted("Prepare the Q3 report")
    running.clock.advance(DAY)
    running.steward.scheduler.start()  # first run is immediate, then every `tick`
    assert len(checkins_to(running, ALICE)) == 1
