"""The `/delegate` parser on long and hostile text: refused by its length before any pattern
reads it, and its patterns linear on text of any length and shape, finding exactly what the
old backtracking ones found."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.delegations import task_too_long
from bot.domain.errors import BadInput
from bot.slack import command_text
from bot.slack.command_text import MAX_COMMAND_LENGTH, parse_command_text, split_cadence, split_due
from tests.property.support import PURE_SETTINGS

# What made the old patterns backtrack (runs of whitespace, "every"/"by" before one), and
# what might (repeated keywords, spaced-out letters, long words, an open quote).
_PIECES = (" ", "\t", "\n", " \t\n", "\u00a0", "\u2003", "by ", "BY\t", "b y ", "every ")
_PIECES += ("every", "every 2", " 2", "d", "x", "xxxxxxxxxxxxxxxx", '"', "by", "\r\n")
# Beginnings each parsed differently, and each refused otherwise than by its length.
_STARTS = ("", "<@U0ALICE> ", "<@U0ALICE|alice> ", "@alice ", "help ", "quiet ", "chain ")
_STARTS += ("chain <@U0ALICE> ", "<@U0ALICE> <@U0BOB> ", '<@U0ALICE> "', "<!channel> ")


@st.composite
def _worst_shapes(draw: st.DrawFn, *, min_size: int, max_size: int) -> str:
    """Text of a size in the range: a beginning, then one piece, or a few, over and over."""
    size = draw(st.integers(min_size, max_size))
    start = draw(st.sampled_from(_STARTS))
    unit = "".join(draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3)))
    tail = draw(st.sampled_from(("", "x", " by friday", " every 2d", "\n")))
    body = (unit * (size // len(unit) + 1))[: max(size - len(start) - len(tail), 0)]
    return start + body + tail


@settings(PURE_SETTINGS, max_examples=150)
@given(text=_worst_shapes(min_size=MAX_COMMAND_LENGTH + 1, max_size=100_000))
def test_oversized_text_is_refused_by_its_length_before_it_is_read(text: str) -> None:
    """The refusal is the length's even where reading the text would refuse it otherwise
    (no mention, two mentions, "quiet …"): nothing was read before the length was checked."""
    stripped = text.replace("\x00", "").strip()
    assume(len(stripped) > MAX_COMMAND_LENGTH)
    with pytest.raises(BadInput) as refused:
        parse_command_text(text)

    assert refused.value.user_message == task_too_long(len(stripped)).user_message
    assert refused.value.field == "task"


# The patterns as they were, quadratic on a run of whitespace: the reference for what the
# linear ones must find, on text short enough for them.
_BACKTRACKING_BY = re.compile(r"(?:^|\s+)by\s+", re.IGNORECASE)
_BACKTRACKING_EVERY = re.compile(
    r"(?:^|\s+)every\s+(?P<count>\d+)?\s*(?P<unit>h|hours?|d|days?|w|weeks?)\s*$",
    re.IGNORECASE,
)
_CLAUSE_WORDS = "by By BY bye every EVERY Every 2 12 \u0663 d h w day days hours weeks wee\u212a x"
_CLAUSE_PIECES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", *_CLAUSE_WORDS.split()])


@PURE_SETTINGS
@given(pieces=st.lists(_CLAUSE_PIECES, max_size=14))
def test_the_linear_patterns_find_what_the_backtracking_ones_found(pieces: list[str]) -> None:
    text = "".join(pieces)
    found = [match.span() for match in command_text._BY.finditer(text)]
    assert found == [match.span() for match in _BACKTRACKING_BY.finditer(text)]
    every, expected = command_text._EVERY.search(text), _BACKTRACKING_EVERY.search(text)
    assert (every and (every.start(), every.groupdict())) == (
        expected and (expected.start(), expected.groupdict())
    )


def _read_clauses(text: str) -> None:
    """The "every …" and "by …" clauses read off ``text``, with no length limit applied."""
    try:
        rest, _ = split_cadence(text)
        split_due(rest)
    except BadInput:
        pass


def _fastest(read: Callable[[str], None], text: str) -> float:
    timings = []
    for _ in range(5):
        started = time.thread_time()
        read(text)
        timings.append(time.thread_time() - started)
    return min(timings)


@settings(PURE_SETTINGS, max_examples=25)
@given(shape=_worst_shapes(min_size=10_000, max_size=10_000))
def test_the_clauses_are_read_in_linear_time(shape: str) -> None:
    """Ten times the text, at most thirty times the work (linear: ten; the old patterns,
    quadratic on a run of whitespace: a hundred). Timed, as Python's patterns count no
    steps: this thread's CPU time, so other processes' load does not count, the best of
    five runs each."""
    longer = shape * 10
    small, large = _fastest(_read_clauses, shape), _fastest(_read_clauses, longer)
    assert large < 30 * max(small, 1e-4), (small, large)
