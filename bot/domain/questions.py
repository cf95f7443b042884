"""Asking before accepting: the assignee's question goes to the delegator, the answer comes
back, and the acceptance clock stands still while the question is open."""

from __future__ import annotations

from sqlmodel import Session

from bot.domain.errors import BadInput, InvalidTransition, NotFound
from bot.domain.transitions import as_assignee, as_delegator, transition
from bot.domain.work import Work
from storage.delegations import latest_event
from storage.enums import Action, DelegationStatus, EventType
from storage.models import Delegation, Event

MAX_QUESTION_LENGTH = 2000


def ask(work: Work, *, delegation_id: int, actor: str, question: str) -> Event:
    session, notifier = work.session, work.notifier
    question = (question or "").strip()
    if not question:
        raise BadInput("The question is empty. What would you like to know?", field="question")
    delegation = check_can_ask(session, delegation_id=delegation_id, actor=actor)
    # the clock stops: no "not accepted in time" escalation while the question is open
    asked = transition(
        work,
        delegation,
        Action.ASK,
        actor=actor,
        values={"accept_deadline_at": None},
        data={"question": question[:MAX_QUESTION_LENGTH]},
    ).event
    notifier.question(delegation, asked)
    return asked


def answer(work: Work, *, question_id: int, actor: str, reply: str) -> Event:
    session, now, notifier, supervisor = work.session, work.now, work.notifier, work.supervisor
    reply = (reply or "").strip()
    if not reply:
        raise BadInput("The answer is empty.", field="answer")
    asked, delegation = question_to_answer(session, question_id=question_id, actor=actor)
    values: dict[str, object] = {}
    if delegation.status == DelegationStatus.OFFERED:  # the clock starts again, afresh
        values["accept_deadline_at"] = supervisor.deadline(
            now, supervisor.policy.accept_timeout, delegation.assignee_id
        )
    moved = transition(
        work,
        delegation,
        Action.ANSWER,
        actor=actor,
        values=values,
        data={"question_id": asked.id, "answer": reply[:MAX_QUESTION_LENGTH]},
    )
    fresh, answered = moved.delegation, moved.event
    notifier.answer(fresh, asked, answered)
    return answered


def check_can_ask(session: Session, *, delegation_id: int, actor: str) -> Delegation:
    """The item, if ``actor`` may ask about it now (before the form opens, and again on
    submitting): only its assignee, before accepting, one question at a time."""
    delegation = as_assignee(session, delegation_id=delegation_id, actor=actor)
    if delegation.status != DelegationStatus.OFFERED:
        raise InvalidTransition("Questions are for before you accept; this one is settled.")
    waiting = _open_question(session, delegation_id)
    if waiting is not None and waiting.actor == actor:
        raise InvalidTransition("Your question is still waiting for an answer.")
    return delegation


def question_to_answer(
    session: Session, *, question_id: int, actor: str
) -> tuple[Event, Delegation]:
    """The question and its item, if ``actor`` (the delegator) may answer it now."""
    asked = session.get(Event, question_id)
    if asked is None or asked.type != EventType.QUESTION_ASKED:
        raise NotFound("I can't find that question any more.")
    delegation = as_delegator(
        session, delegation_id=asked.delegation_id or 0, actor=actor, doing="answer questions on"
    )
    open_question = _open_question(session, asked.delegation_id or 0)
    if open_question is None or open_question.id != asked.id:
        raise InvalidTransition("Nothing changed: that question was already answered.")
    if asked.actor != delegation.assignee_id:
        raise InvalidTransition("Nothing changed: that question came before a reassignment.")
    return asked, delegation


def _open_question(session: Session, delegation_id: int) -> Event | None:
    """The item's question still waiting for an answer (there is at most one)."""
    latest = latest_event(
        session,
        delegation_id=delegation_id,
        types=[EventType.QUESTION_ASKED, EventType.QUESTION_ANSWERED],
    )
    return latest if latest is not None and latest.type == EventType.QUESTION_ASKED else None
