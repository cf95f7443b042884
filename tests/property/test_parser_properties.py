"""The `/delegate` parser on arbitrary text: a typed request or a refusal in words, never a
crash; and what it reads from a well-formed command is exactly what was written."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.errors import BadInput
from bot.slack.command_text import (
    MIN_CADENCE,
    ChainRequest,
    CommandRequest,
    DelegateRequest,
    HelpRequest,
    ListRequest,
    ModalRequest,
    parse_command_text,
)
from tests.property.strategies import command_texts, mention_ids
from tests.property.support import PURE_SETTINGS, assert_no_leak

_USER_ID = re.compile(r"[UW][A-Z0-9]+")


def _parse(text: str) -> CommandRequest | str:
    """The request, or the refusal's message. Any other exception fails the test."""
    try:
        return parse_command_text(text)
    except BadInput as refusal:
        return refusal.user_message


@PURE_SETTINGS
@given(text=command_texts)
def test_any_text_is_a_request_or_a_refusal_in_words(text: str) -> None:
    parsed = _parse(text)

    if isinstance(parsed, str):
        assert parsed.strip()
        assert_no_leak(parsed)
        return
    assert isinstance(
        parsed, HelpRequest | ListRequest | ModalRequest | ChainRequest | DelegateRequest
    )
    if isinstance(parsed, ChainRequest):
        assert _USER_ID.fullmatch(parsed.user_id)
    if isinstance(parsed, DelegateRequest):
        assert _USER_ID.fullmatch(parsed.assignee_id)
        assert parsed.task == parsed.task.strip()
        assert parsed.due_phrase is None or parsed.due_phrase == parsed.due_phrase.strip() != ""
        assert parsed.checkin_every is None or parsed.checkin_every >= MIN_CADENCE


@PURE_SETTINGS
@given(text=command_texts, before=st.sampled_from(" \t\n"), after=st.sampled_from(" \t\n"))
def test_surrounding_whitespace_changes_nothing(text: str, before: str, after: str) -> None:
    assert _parse(f"{before}{text}{after}") == _parse(text)


# Words of a task that the grammar leaves alone: no "by", no "every", no mention or quote
# at the start. Slack's control characters are in, since a task may hold anything.
_task_words = st.lists(
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cs", "Z", "Cc"), exclude_characters='"“”'
        ),
        min_size=1,
        max_size=12,
    ).filter(lambda word: word.lower() not in ("by", "every") and not word.isspace()),
    min_size=1,
    max_size=8,
)
_due_words = st.lists(
    st.sampled_from(("friday", "tomorrow", "17:00", "in", "3", "days", "2026-12-01", "eod")),
    min_size=1,
    max_size=5,
)
_cadences = st.sampled_from(
    (
        ("", None),
        (" every 2d", timedelta(days=2)),
        (" every 12h", timedelta(hours=12)),
        (" every week", timedelta(weeks=1)),
        (" every 3 days", timedelta(days=3)),
    )
)


@PURE_SETTINGS
@given(
    assignee=mention_ids,
    label=st.one_of(st.just(""), st.from_regex(r"\|[a-z.]{1,10}", fullmatch=True)),
    words=_task_words,
    due=st.one_of(st.none(), _due_words),
    cadence=_cadences,
)
def test_a_well_formed_command_reads_back_what_was_written(
    assignee: str,
    label: str,
    words: list[str],
    due: list[str] | None,
    cadence: tuple[str, timedelta | None],
) -> None:
    assume(_USER_ID.fullmatch(assignee))
    assume(not words[0].startswith("<@"))
    task = " ".join(words)
    due_phrase = " ".join(due) if due else None
    text = f"<@{assignee}{label}> {task}"
    if due_phrase:
        text += f" by {due_phrase}"
    text += cadence[0]

    parsed = parse_command_text(text)

    assert parsed == DelegateRequest(
        assignee_id=assignee, task=task, due_phrase=due_phrase, checkin_every=cadence[1]
    )


@PURE_SETTINGS
@given(words=_task_words, due=_due_words)
def test_a_quoted_task_keeps_its_own_by(words: list[str], due: list[str]) -> None:
    task = " ".join([*words, "by", *words])
    parsed = parse_command_text(f'<@U0ALICE> "{task}" by {" ".join(due)}')
    assert parsed == DelegateRequest("U0ALICE", task, " ".join(due))
