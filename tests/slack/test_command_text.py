"""The /delegate grammar: mentions as Slack escapes them, tasks, and the due clause."""

from __future__ import annotations

import pytest

from bot.domain.errors import BadInput
from bot.slack.command_text import (
    DelegateRequest,
    HelpRequest,
    ListRequest,
    ModalRequest,
    opens_modal,
    parse_command_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<@U0ALICE|alice> Prepare the report",
            DelegateRequest("U0ALICE", "Prepare the report", None),
        ),
        ("<@U0ALICE> Prepare the report", DelegateRequest("U0ALICE", "Prepare the report", None)),
        ("<@W0ALICE|alice.b> Fix it", DelegateRequest("W0ALICE", "Fix it", None)),
        (
            "  <@U0ALICE>   Prepare the report by friday ",
            DelegateRequest("U0ALICE", "Prepare the report", "friday"),
        ),
        (
            "<@U0ALICE> Prepare by tomorrow 17:00",
            DelegateRequest("U0ALICE", "Prepare", "tomorrow 17:00"),
        ),
        ("<@U0ALICE> Prepare BY in 3 days", DelegateRequest("U0ALICE", "Prepare", "in 3 days")),
        (
            "<@U0ALICE> Stand by the door by 2026-12-01",
            DelegateRequest("U0ALICE", "Stand by the door", "2026-12-01"),
        ),
        (
            "<@U0ALICE> Review the plan written by the platform team over the last quarter",
            DelegateRequest(
                "U0ALICE",
                "Review the plan written by the platform team over the last quarter",
                None,
            ),
        ),
        (
            '<@U0ALICE> "Review the doc written by Bob" by monday',
            DelegateRequest("U0ALICE", "Review the doc written by Bob", "monday"),
        ),
        (
            "<@U0ALICE> “Curly quotes by Bob”",
            DelegateRequest("U0ALICE", "Curly quotes by Bob", None),
        ),
        ("<@U0ALICE> by friday", DelegateRequest("U0ALICE", "", "friday")),
        ("<@U0ALICE>", DelegateRequest("U0ALICE", "", None)),
        (
            "<@U0ALICE> Line one\nline two by friday",
            DelegateRequest("U0ALICE", "Line one\nline two", "friday"),
        ),
        (  # Slack escapes &, < and > in command text: the task is what was typed
            "<@U0ALICE> R&amp;D budget &lt;draft&gt; &amp;lt;kept&amp;gt; by friday",
            DelegateRequest("U0ALICE", "R&D budget <draft> &lt;kept&gt;", "friday"),
        ),
        (  # a typed mention-lookalike is literal text, never a second assignee
            "<@U0ALICE> Ask &lt;@U0BOB&gt; about it",
            DelegateRequest("U0ALICE", "Ask <@U0BOB> about it", None),
        ),
    ],
)
def test_delegations(text: str, expected: DelegateRequest) -> None:
    assert parse_command_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ModalRequest()),
        ("   ", ModalRequest()),
        ("help", HelpRequest()),
        ("HELP", HelpRequest()),
        ("list", ListRequest()),
    ],
)
def test_keywords(text: str, expected: object) -> None:
    assert parse_command_text(text) == expected


@pytest.mark.parametrize(
    ("text", "modal"),
    [("", True), ("  \x00 ", True), ("help", False), ("Prepare", False), ("<@U0ALICE> x", False)],
)
def test_only_no_text_opens_the_form(text: str, modal: bool) -> None:
    """What ``/delegate``'s listener middleware decides on (the form is opened after the
    ack, so only it leaves the request's thread), and what the parser does with it."""
    assert opens_modal(text) is modal
    if modal:
        assert parse_command_text(text) == ModalRequest()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Prepare the report", "Start with an @mention"),
        ("@alice Prepare the report", "@-autocomplete"),
        ("<!channel> Prepare", "Start with an @mention"),
        ("<@U0ALICE> <@U0BOB> Prepare", "one person"),
        ('<@U0ALICE> "Quoted" and more', 'only "by <when>"'),
        ("<@u0alice> lower-case ids are not Slack's", "Start with an @mention"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_command_text(text)
    assert message in raised.value.user_message
