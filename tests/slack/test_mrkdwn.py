"""Clipping escaped text keeps every visible character that fits, whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.mrkdwn import escape, escaped_clip
from tests.property.strategies import hostile_text
from tests.property.support import PURE_SETTINGS

ELLIPSIS = "…"


def _visible(escaped: str) -> str:
    return escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_a_task_of_ampersands_shows_as_many_as_fit() -> None:
    clipped = escaped_clip("&" * 3000, 2500)
    assert clipped == "&amp;" * 499 + ELLIPSIS  # 2,495 + 1 characters: a 500th would not fit
    assert len(clipped) <= 2500


def test_text_that_fits_is_only_escaped() -> None:
    assert escaped_clip("R&D <now>", 19) == "R&amp;D &lt;now&gt;"


@PURE_SETTINGS
@given(raw=hostile_text(max_size=40), limit=st.integers(1, 400))
def test_a_clip_fits_keeps_whole_entities_and_the_longest_visible_prefix(
    raw: str, limit: int
) -> None:
    clipped = escaped_clip(raw, limit)
    assert len(clipped) <= limit
    if len(escape(raw)) <= limit:
        assert clipped == escape(raw)
        return
    assert clipped.endswith(ELLIPSIS)
    shown = clipped[: -len(ELLIPSIS)]
    # whole entities only: the escaped form of a prefix of the text, never a cut "&am"
    visible = _visible(shown)
    assert escape(visible) == shown and raw.startswith(visible)
    # maximal: one more character of the text would not have fitted beside the ellipsis
    assert len(escape(raw[: len(visible) + 1])) + len(ELLIPSIS) > limit
