"""Slack's notifier: what the domain tells becomes outbox rows, in the domain's own
transaction, with the words people read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.domain import delegations as d
from bot.slack.outbox.notifier import SlackNotifier
from storage.db import unit_of_work
from storage.models import OutboxMessage
from tests.domain.test_delegations import ALICE, LEAD, NOW
from tests.domain.test_escalation import CAROL, MONDAY_9, World, policy
from tests.fakes import work_in


def _queued(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_an_offer_is_one_dm_to_the_assignee_and_both_homes_refreshed(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        d.create_delegation(
            work_in(session, now=NOW, notifier=SlackNotifier(session, now=NOW)),
            delegator=LEAD,
            assignee=ALICE,
            task="Prepare the Q3 report",
            due_at=NOW + timedelta(days=4),
            origin_channel_id="C0GENERAL",
        )
    messages = _queued(engine)
    [message] = [m for m in messages if m.kind != "home"]
    assert (message.kind, message.recipient, message.status) == ("post", "U0ALICE", "pending")
    # and both people's App Home is refreshed once it is delivered
    homes = sorted(m.recipient for m in messages if m.kind == "home")
    assert homes == ["home:U0ALICE", "home:U0LEAD"]


def test_nothing_is_queued_when_the_change_rolls_back(engine: Engine) -> None:
    try:
        with unit_of_work(engine) as session:
            SlackNotifier(session, now=NOW).reply_privately(
                response_url="https://hooks.slack.com/x", user_id=ALICE.user_id, text="hi"
            )
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert _queued(engine) == []


def test_the_escalation_messages(engine: Engine) -> None:
    world = World(engine, policy(), slack=True)
    world.offer()
    world.at(MONDAY_9 + timedelta(hours=4))
    recipients = [(m.recipient, m.payload["text"]) for m in _queued(engine) if m.kind != "home"]
    to_carol = [text for who, text in recipients if who == CAROL]
    assert to_carol == ["Escalated to you: Ship it"]
    assert any(who == "U0LEAD" and "escalated" in text for who, text in recipients)
    assert any(who == "U0ALICE" and "Heads-up" in text for who, text in recipients)
