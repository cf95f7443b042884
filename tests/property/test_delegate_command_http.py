"""Arbitrary `/delegate` text, signed as Slack signs it, through the running app: always an
answer in words, never a 5xx or a traceback, and rows only for an offer actually made."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from bot.domain.errors import BadInput
from bot.slack.command_text import (
    DelegateRequest,
    parse_command_text,
)
from bot.slack.errors import SOMETHING_WENT_WRONG
from tests.conftest import ALICE, BOB, LEAD, Running
from tests.property.strategies import command_texts
from tests.property.support import (
    HTTP_SETTINGS,
    assert_no_leak,
    assert_no_special_mention,
    mrkdwn_strings,
    row_counts,
)


def _parsed(text: str) -> object:
    try:
        return parse_command_text(text)
    except BadInput:
        return None


@settings(HTTP_SETTINGS, max_examples=150)
@given(text=command_texts)
def test_any_delegate_text_is_answered_in_words_and_writes_only_an_offer(
    running: Running, text: str
) -> None:
    before = row_counts(running.engine)

    response = running.sender.command(text, user_id=LEAD)

    assert response.status_code == 200, (response.status_code, response.text[:500])
    assert_no_leak(response.text)
    answer = response.json() if response.text else {}
    assert SOMETHING_WENT_WRONG not in response.text, text  # a refusal of typed text says why
    parsed = _parsed(text)
    # Real mentions: the people Steward resolved, and whoever the command itself named.
    named = {getattr(parsed, "user_id", None), getattr(parsed, "assignee_id", None)}
    people = {LEAD, ALICE, BOB} | {user for user in named if user}
    for shown in mrkdwn_strings(answer):
        assert_no_special_mention(shown, allowed_mentions=people)
    after = row_counts(running.engine)
    if str(answer.get("text", "")).startswith("Offered to"):
        assert isinstance(parsed, DelegateRequest)
        assert after == {
            **before,
            "delegations": before["delegations"] + 1,
            "events": before["events"] + 1,
        }
    else:
        assert after == before, (text, answer)


# ----- regressions found by the properties ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"<@{ALICE}> Do it every 99999999999999999999 weeks",  # OverflowError in the parser
        f"<@{ALICE}> Do it every 999999999 days",  # a cadence no date arithmetic survives
        f"<@{ALICE}> \x00",  # PostgreSQL cannot store NUL in a text column
    ],
)
def test_refused_in_words_where_it_used_to_fail(running: Running, text: str) -> None:
    answer = running.delegate(text)
    assert SOMETHING_WENT_WRONG not in answer["text"]
    assert "Nothing was created" in str(answer["blocks"])
    assert running.events() == []


def test_nul_characters_are_dropped_from_the_task(running: Running) -> None:
    answer = running.delegate(f"<@{ALICE}> Ship\x00 it")
    assert answer["text"].startswith("Offered to")
    assert running.events()[0]["data"]["text"] == "Ship it"


def test_a_task_mentioning_the_word_payload_is_offered(running: Running) -> None:
    response = running.sender.command(f"<@{ALICE}> Update the payload schema", user_id=LEAD)
    assert response.status_code == 200
    assert response.json()["text"].startswith("Offered to")


def test_a_due_date_at_the_end_of_the_calendar_is_refused_in_words(running: Running) -> None:
    answer = running.delegate(f"<@{ALICE}> Do it by 9999-12-31 23:59")
    assert SOMETHING_WENT_WRONG not in answer["text"]
    assert running.events() == []


def test_chain_of_someone_without_a_manager_names_no_empty_channel(running: Running) -> None:
    answer = running.delegate(f"chain <@{BOB}>", user_id=BOB)  # his own: his to see
    for shown in mrkdwn_strings(answer):
        assert_no_special_mention(shown, allowed_mentions={BOB})
