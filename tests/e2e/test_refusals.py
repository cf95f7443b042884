"""Every /delegate that cannot be carried out: a clear ephemeral answer, nothing created."""

from __future__ import annotations

import pytest

from tests.conftest import ALICE, BOT_USER, GONE, LEAD, Running

REFUSALS = [
    ("Prepare the report by friday", "@mention"),
    ("@alice Prepare the report", "autocomplete"),
    ("<@U0NOBODY|nobody> Prepare the report", "can't find that person"),
    (f"<@{BOT_USER}|robot> Prepare the report", "bot"),
    (f"<@{GONE}|gone> Prepare the report", "deactivated"),
    (f"<@{LEAD}|lead> Prepare the report", "yourself"),
    (f"<@{ALICE}|alice>", "task is empty"),
    (f"<@{ALICE}|alice>   by friday", "task is empty"),
    (f"<@{ALICE}|alice> {'x' * 3001}", "3,000"),
    (f"<@{ALICE}|alice> Prepare the report by blurgsday", 'couldn\'t read "blurgsday"'),
    (f"<@{ALICE}|alice> Prepare the report by 2020-01-01", "past"),
    (f"<@{ALICE}|alice> Prepare the report by yesterday", "past"),
    (f"<@{ALICE}|alice> <@U0BOB|bob> Prepare the report", "one person"),
]


@pytest.mark.parametrize(("text", "explanation"), REFUSALS)
def test_refused_with_an_explanation_and_nothing_created(
    running: Running, text: str, explanation: str
) -> None:
    answer = running.delegate(text)

    assert answer["response_type"] == "ephemeral"
    assert explanation in answer["text"]
    assert "Nothing was created" in str(answer["blocks"])
    assert running.events() == []
    assert running.slack.calls_to("chat.postMessage") == []
    assert running.slack.calls_to("conversations.open") == []


def test_a_command_padded_with_30000_spaces_is_refused_at_once(running: Running) -> None:
    """Before its length was checked first, reading this froze the process for seconds,
    then offered "Prepare the report" by friday."""
    answer = running.delegate(f"<@{ALICE}|alice> Prepare the report{' ' * 30_000}by friday")

    assert answer["response_type"] == "ephemeral"
    assert "keep it under 3,000" in answer["text"]
    assert "Nothing was created" in str(answer["blocks"])
    assert running.events() == []
    assert running.slack.calls_to("users.info") == []


def test_a_task_of_exactly_3000_characters_is_fine(running: Running) -> None:
    answer = running.delegate(f"<@{ALICE}> {'x' * 3000}")
    assert "Offered to" in answer["text"]
    offer = running.dms_to(ALICE)[0]
    assert offer.response["ok"]  # and it fits Slack's section limit once rendered
    assert running.event_types() == ["created"]


def test_help_explains_the_syntax(running: Running) -> None:
    answer = running.delegate("help")
    assert answer["response_type"] == "ephemeral"
    assert "/delegate @person &lt;task&gt; [by &lt;when&gt;]" in str(answer["blocks"])
    assert "tomorrow 17:00" in str(answer["blocks"])
    assert running.events() == []
