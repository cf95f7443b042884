"""Modal submissions: one domain call; errors come back inline on the form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.domain.delegations import MAX_TASK_LENGTH, decline
from bot.domain.due_dates import due_from_picker
from bot.domain.errors import BadInput, NotFound
from bot.domain.intake import offer_delegation, resolve_people
from bot.observability.logs import bind_log_ids
from bot.slack.blocks.modals import CADENCES
from bot.slack.forms import decline_reason, delegate_form, delegation_id_from_metadata
from bot.slack.ids import CallbackId
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    @app.view(CallbackId.DECLINE_MODAL)
    def on_decline_submitted(ack: Ack, body: dict[str, Any]) -> None:
        delegation_id = delegation_id_from_metadata(body)
        if delegation_id is None:
            raise NotFound("This form no longer points at a delegation.")
        bind_log_ids(delegation_id=delegation_id)
        with runtime.work() as work:
            decline(
                work.session,
                delegation_id=delegation_id,
                actor=body["user"]["id"],
                reason=decline_reason(body),
                now=work.now,
                notifier=work.notifier,
            )
        ack()

    @app.view(CallbackId.DELEGATE_MODAL)
    def on_delegate_submitted(ack: Ack, body: dict[str, Any]) -> None:
        form = delegate_form(body)
        if form.assignee_id is None:
            raise BadInput("Choose who should do it.", field="assignee")
        people = resolve_people(
            runtime.directory, delegator_id=body["user"]["id"], assignee_id=form.assignee_id
        )
        due_at = None
        if form.due_day is not None:
            due_at = due_from_picker(
                form.due_day,
                form.due_time,
                tz=people.delegator.tz,
                default_time=runtime.settings.policy.default_due_time,
            )
        elif form.due_time is not None:
            raise BadInput("Pick a date for that time too.", field="due")
        task = form.task.strip()
        if task and form.context:
            task = f"{task}\n\nContext: {form.context}"
            if len(task) > MAX_TASK_LENGTH:
                raise BadInput(
                    f"Task and context together must stay under {MAX_TASK_LENGTH:,} "
                    "characters; shorten the context or link to a document.",
                    field="context",
                )
        with runtime.work() as work:
            offer_delegation(
                work.session,
                people=people,
                task=task,
                due_phrase=None,
                due_at=due_at,
                checkin_every=CADENCES[form.cadence][1] if form.cadence in CADENCES else None,
                origin_channel_id=form.channel_id,
                default_due_time=runtime.settings.policy.default_due_time,
                now=work.now,
                notifier=work.notifier,
                supervisor=runtime.supervisor,
            )
        ack()
