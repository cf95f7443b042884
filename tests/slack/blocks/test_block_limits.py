"""Every Block Kit builder stays inside Slack's limits (sandbox/block_checks.py, the same
checks the Slack double applies) for the longest inputs Steward accepts, and still shows
user text literally: no ``<!channel>`` and no mention but the ones Steward resolved."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

import bot.slack.blocks
from bot.slack.blocks import (
    change_modals,
    checkins,
    conversation,
    details,
    digest,
    escalation_notices,
    escalations,
    help,
    home,
    listing,
    modals,
    notices,
    offer,
    serialize,
)
from bot.slack.blocks.common import Rendered
from sandbox.block_checks import payload_errors
from storage.enums import CheckinStatus, EventType
from tests.property.support import PURE_SETTINGS, assert_no_special_mention, mrkdwn_strings
from tests.slack.blocks import longest_inputs as inputs
from tests.slack.blocks.longest_inputs import (
    CHANNEL,
    PEOPLE,
    answered_checkins,
    delegations,
    events,
    maybe,
    people,
    targets,
    texts,
    zones,
)

# What Steward itself writes into a builder's words (the "why", "what" and "outcome" of a
# notifier): its own mrkdwn, short.
steward_words = st.text(alphabet="abcdefghij *_:.,", min_size=1, max_size=200)
Builder = Callable[[st.DataObject], Rendered | View]


def _escalation(data: st.DataObject) -> Any:
    return data.draw(inputs.escalations())


BUILDERS: dict[str, Builder] = {
    "checkin_message": lambda d: checkins.checkin_message(
        d.draw(delegations), d.draw(answered_checkins), tz=d.draw(zones), why=d.draw(steward_words)
    ),
    "checkin_settled_message": lambda d: checkins.checkin_settled_message(
        d.draw(delegations), d.draw(answered_checkins)
    ),
    "risk_notice": lambda d: checkins.risk_notice(
        d.draw(delegations), d.draw(answered_checkins), tz=d.draw(zones)
    ),
    "reminder_message": lambda d: checkins.reminder_message(d.draw(delegations), tz=d.draw(zones)),
    "note_modal": lambda d: checkins.note_modal(
        d.draw(answered_checkins), d.draw(st.sampled_from(list(CheckinStatus)))
    ),
    "question_message": lambda d: conversation.question_message(
        d.draw(delegations), d.draw(events()), answered=d.draw(maybe(texts(2000)))
    ),
    "answer_message": lambda d: conversation.answer_message(
        d.draw(delegations), d.draw(events()), d.draw(events())
    ),
    "due_proposal_message": lambda d: conversation.due_proposal_message(
        d.draw(delegations),
        d.draw(events()),
        tz=d.draw(zones),
        outcome=d.draw(maybe(steward_words)),
    ),
    "due_decided_message": lambda d: conversation.due_decided_message(
        d.draw(delegations), approved=d.draw(st.booleans()), tz=d.draw(zones)
    ),
    "reassigned_notice": lambda d: conversation.reassigned_notice(d.draw(delegations)),
    "cancelled_notice": lambda d: conversation.cancelled_notice(
        d.draw(delegations), actor=d.draw(people)
    ),
    "ask_modal": lambda d: change_modals.ask_modal(d.draw(delegations)),
    "answer_modal": lambda d: change_modals.answer_modal(d.draw(delegations), d.draw(events())),
    "propose_due_modal": lambda d: change_modals.propose_due_modal(d.draw(delegations)),
    "reassign_modal": lambda d: change_modals.reassign_modal(d.draw(delegations)),
    "details_modal": lambda d: details.details_modal(
        d.draw(inputs.item_details), viewer_tz=d.draw(zones)
    ),
    "digest_message": lambda d: digest.digest_message(
        d.draw(inputs.digests), names=d.draw(inputs.slack_names)
    ),
    "escalated_notice": lambda d: escalation_notices.escalated_notice(
        d.draw(delegations), _escalation(d), to_assignee=d.draw(st.booleans())
    ),
    "picked_up_notice": lambda d: escalation_notices.picked_up_notice(
        d.draw(delegations), d.draw(inputs.escalations().filter(lambda e: e.acknowledged_by))
    ),
    "resolved_notice": lambda d: escalation_notices.resolved_notice(
        d.draw(delegations), _escalation(d)
    ),
    "listed_update": lambda d: escalation_notices.listed_update(
        d.draw(delegations), _escalation(d), what=d.draw(steward_words)
    ),
    "reacknowledge_message": lambda d: escalation_notices.reacknowledge_message(
        d.draw(delegations), _escalation(d), now=d.draw(inputs.moments)
    ),
    "still_on_it_message": lambda d: escalation_notices.still_on_it_message(d.draw(delegations)),
    "escalate_modal": lambda d: escalation_notices.escalate_modal(d.draw(delegations)),
    "pass_up_modal": lambda d: escalation_notices.pass_up_modal(
        d.draw(delegations),  # only offered below the top of the chain
        d.draw(inputs.escalations().filter(lambda e: e.level < len(e.chain))),
    ),
    "escalation_list": lambda d: escalations.escalation_list(
        d.draw(inputs.listed_messages), tz=d.draw(zones), now=d.draw(inputs.moments)
    ),
    "help_message": lambda d: help.help_message(),
    "chain_message": lambda d: help.chain_message(
        d.draw(people),
        d.draw(
            st.one_of(st.lists(targets, max_size=8), st.lists(targets, min_size=90, max_size=200))
        ),
        configured=d.draw(st.booleans()),
    ),
    "quiet_message": lambda d: help.quiet_message(quiet=d.draw(st.booleans())),
    "refusal_message": lambda d: help.refusal_message(d.draw(texts(4000))),
    "home_view": lambda d: home.home_view(d.draw(inputs.homes()), viewer_tz=d.draw(zones)),
    "confirmation_message": lambda d: listing.confirmation_message(
        d.draw(delegations), delegator_tz=d.draw(zones), tz_known=d.draw(st.booleans())
    ),
    "list_message": lambda d: listing.list_message(
        d.draw(inputs.open_items()), viewer_tz=d.draw(zones)
    ),
    "decline_modal": lambda d: modals.decline_modal(d.draw(delegations)),
    "delegate_modal": lambda d: modals.delegate_modal(
        channel_id=d.draw(maybe(st.just(CHANNEL))),
        task=d.draw(texts(40_000)),  # a message shortcut brings a whole message
        context_text=d.draw(texts(2000)),
    ),
    "delegator_notice": lambda d: notices.delegator_notice(
        d.draw(delegations),
        what=d.draw(
            st.sampled_from(
                [EventType.ACCEPTED, EventType.DECLINED, EventType.COMPLETED, EventType.CANCELLED]
            )
        ),
        actor=d.draw(people),
        delegator_tz=d.draw(zones),
    ),
    "offer_message": lambda d: offer.offer_message(d.draw(delegations), assignee_tz=d.draw(zones)),
    "settled_message": lambda d: offer.settled_message(
        d.draw(delegations), assignee_tz=d.draw(zones)
    ),
}
# Fewer examples than a pure test's usual, and no shrinking: each draws texts thousands of
# characters long (shrinking them takes minutes); a failure names the limit and where.
BUILDER_SETTINGS = settings(
    PURE_SETTINGS, max_examples=80, phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
# Builders only other builders call, each of whose callers is above.
HELPERS = {"question_modal"}


def _payload(rendered: Rendered | View) -> dict[str, Any]:
    if isinstance(rendered, View):
        return serialize.to_dict(rendered)
    return rendered.payload()


def _shown_literally(payload: dict[str, Any]) -> None:
    shown = {"view": payload} if payload.get("type") in ("modal", "home") else payload
    for text in mrkdwn_strings(shown):
        assert_no_special_mention(text.replace(f"<#{CHANNEL}>", ""), allowed_mentions=set(PEOPLE))


@pytest.mark.parametrize("name", sorted(BUILDERS))
@BUILDER_SETTINGS
@given(data=st.data())
def test_every_builder_stays_inside_block_kit_limits(name: str, data: st.DataObject) -> None:
    payload = _payload(BUILDERS[name](data))
    assert payload_errors(payload) == []
    _shown_literally(payload)


def test_every_builder_is_checked() -> None:
    """A new builder (anything in bot/slack/blocks returning a message or a view) joins
    BUILDERS, or this fails."""
    found = set()
    for module_info in pkgutil.iter_modules(bot.slack.blocks.__path__):
        module = importlib.import_module(f"bot.slack.blocks.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            returns = inspect.signature(function).return_annotation
            if (
                function.__module__ == module.__name__
                and not name.startswith("_")
                and returns in ("Rendered", "View")
            ):
                found.add(name)
    assert found - HELPERS == set(BUILDERS)
