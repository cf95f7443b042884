"""Answers to check-ins: On track and Done at once; At risk and Blocked ask for a note."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.checkins import answer_checkin, check_can_answer
from bot.slack.blocks.checkins import STATUS_OF_ACTION, note_modal
from bot.slack.errors import answers_errors
from bot.slack.forms import checkin_note, checkin_note_form
from bot.slack.ids import ActionId, CallbackId
from bot.slack.payloads import Click, Submission
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    @guarded
    def answer_now(ack: Ack, click: Click) -> None:
        ack()
        status = STATUS_OF_ACTION[ActionId(click.action_id)]
        runtime.run(
            answer_checkin, checkin_id=click.checkin(), actor=click.actor, status=status, note=None
        )

    @guarded
    def ask_for_note(ack: Ack, click: Click, client: WebClient) -> None:
        ack()
        with runtime.reading() as session:
            checkin = check_can_answer(session, checkin_id=click.checkin(), actor=click.actor)
        status = STATUS_OF_ACTION[ActionId(click.action_id)]
        client.views_open(trigger_id=click.trigger_id, view=note_modal(checkin, status))

    for action_id in (ActionId.CHECKIN_ON_TRACK, ActionId.CHECKIN_DONE):
        app.action(action_id)(answer_now)
    for action_id in (ActionId.CHECKIN_AT_RISK, ActionId.CHECKIN_BLOCKED):
        app.action(action_id)(ask_for_note)

    @app.view(CallbackId.CHECKIN_NOTE_MODAL)
    def on_note_submitted(ack: Ack, submission: Submission) -> None:
        checkin_id, status = checkin_note_form(submission.body)
        runtime.run(
            answer_checkin,
            checkin_id=checkin_id,
            actor=submission.actor,
            status=status,
            note=checkin_note(submission.body),
        )
        ack()
