"""Modal submissions: one domain call; errors come back inline on the form."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.domain.delegations import decline
from bot.domain.intake import offer_from_form, resolve_people
from bot.slack.forms import decline_reason, delegate_form
from bot.slack.ids import CallbackId
from bot.slack.payloads import Submission
from bot.slack.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    @app.view(CallbackId.DECLINE_MODAL)
    def on_decline_submitted(ack: Ack, submission: Submission) -> None:
        runtime.run(
            decline,
            delegation_id=submission.delegation(),
            actor=submission.actor,
            reason=decline_reason(submission.body),
        )
        ack()

    @app.view(CallbackId.DELEGATE_MODAL)
    def on_delegate_submitted(ack: Ack, submission: Submission) -> None:
        assignee_id, form = delegate_form(submission.body)
        people = resolve_people(
            runtime.directory, delegator_id=submission.actor, assignee_id=assignee_id
        )
        runtime.run(offer_from_form, people=people, form=form)
        ack()
