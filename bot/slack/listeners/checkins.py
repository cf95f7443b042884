"""Answers to check-ins: On track and Done at once; At risk and Blocked ask for a note."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.checkins import answer_checkin, check_can_answer
from bot.domain.errors import NotFound
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.checkins import STATUS_OF_ACTION, note_modal
from bot.slack.errors import answers_errors
from bot.slack.forms import button_id, checkin_note, checkin_note_metadata
from bot.slack.ids import ActionId, CallbackId
from bot.slack.runtime import Runtime
from storage.enums import CheckinStatus


def register(app: App, runtime: Runtime) -> None:
    guarded = answers_errors(runtime)

    @guarded
    def answer_now(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        checkin_id = button_id(action, of="a check-in")
        bind_log_ids(checkin_id=checkin_id)
        with runtime.work() as work:
            answer_checkin(
                work.session,
                checkin_id=checkin_id,
                actor=body["user"]["id"],
                status=STATUS_OF_ACTION[ActionId(action["action_id"])],
                note=None,
                now=work.now,
                notifier=work.notifier,
                supervisor=runtime.supervisor,
            )

    @guarded
    def ask_for_note(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        checkin_id = button_id(action, of="a check-in")
        bind_log_ids(checkin_id=checkin_id)
        with runtime.work() as work:
            checkin = check_can_answer(
                work.session,
                checkin_id=checkin_id,
                actor=body["user"]["id"],
            )
        status = STATUS_OF_ACTION[ActionId(action["action_id"])]
        client.views_open(trigger_id=body["trigger_id"], view=note_modal(checkin, status))

    for action_id in (ActionId.CHECKIN_ON_TRACK, ActionId.CHECKIN_DONE):
        app.action(action_id)(answer_now)
    for action_id in (ActionId.CHECKIN_AT_RISK, ActionId.CHECKIN_BLOCKED):
        app.action(action_id)(ask_for_note)

    @app.view(CallbackId.CHECKIN_NOTE_MODAL)
    def on_note_submitted(ack: Ack, body: dict[str, Any]) -> None:
        metadata = checkin_note_metadata(body)
        if metadata is None or metadata[1] not in set(CheckinStatus):
            raise NotFound("This form no longer points at a check-in.")
        checkin_id, status = metadata
        bind_log_ids(checkin_id=checkin_id)
        with runtime.work() as work:
            answer_checkin(
                work.session,
                checkin_id=checkin_id,
                actor=body["user"]["id"],
                status=CheckinStatus(status),
                note=checkin_note(body),
                now=work.now,
                notifier=work.notifier,
                supervisor=runtime.supervisor,
            )
        ack()
