"""The digest as Block Kit and as terminal text, from the hand-computed fixture."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.domain.digest import compute_digest
from bot.render.digest_text import digest_text
from bot.slack.blocks.digest import digest_message
from storage.db import unit_of_work
from tests.domain.test_digest import engine  # noqa: F401  (the fixture)

END = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_blocks(engine: Engine) -> None:  # noqa: F811
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=END, days=7, tz="UTC", shows_tasks=True)
    rendered = digest_message(digest)
    payload = rendered.payload()
    blocks = payload["blocks"]
    assert (
        blocks[0]
        == {
            "type": "header",
            "text": {"type": "plain_text", "text": "Delegation digest", "emoji": True},
        }
        or blocks[0]["type"] == "header"
    )
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in blocks[1]["fields"]}
    assert fields["*Delegated*"] == "5 (was 1)"
    assert fields["*Accepted*"] == "3 (was 1) · 75% of answers"
    assert fields["*Time to accept*"] == "median 3 h · p90 10 h"
    assert fields["*Check-ins*"] == "2 sent · 50% answered (was n/a)"
    assert fields["*Completed*"] == "2 (was 0) · 50% on time"
    assert fields["*Time to complete*"] == "median 2 days from acceptance"
    assert fields["*Escalations*"] == "2 (was 0) · 1 acknowledged (median 2 h)"
    assert fields["*Open now*"] == "3 · 1 overdue · 2 stalled"
    text = json.dumps(blocks, ensure_ascii=False)
    assert "By reason: " in text and "overdue 1" in text and "level 2: 1" in text
    assert "#5 Item 5" in text and "<@U0BOB>" in text
    assert len(blocks) <= 50
    assert "5 delegated, 2 completed, 2 escalations, 3 open" in rendered.text


def test_terminal_text(engine: Engine) -> None:  # noqa: F811
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=END, days=7, tz="UTC", shows_tasks=True)
    text = digest_text(digest)
    assert text.startswith("Delegation digest\nMon 16 Nov 00:00 to Mon 23 Nov 00:00 (UTC)\n")
    assert "  Delegated         5 (was 1)" in text
    assert "Oldest open items\n  #5 Item 5 (U0ALICE, open 12.6 days)" in text
    assert "Load per person\n  U0ALICE: 2 open\n  U0BOB: 1 open, 1 overdue" in text


def test_an_empty_week_reads_well(engine: Engine) -> None:  # noqa: F811
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=datetime(2026, 11, 1, tzinfo=UTC), days=7, tz="UTC")
    assert "A quiet week" in json.dumps(digest_message(digest).payload())
    assert "A quiet week" in digest_text(digest)


def test_a_channel_digest_names_people_without_notifying_them(engine: Engine) -> None:  # noqa: F811
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=END, days=7, tz="UTC")
    text = json.dumps(digest_message(digest, names={"U0BOB": "bob <!here>"}).payload())
    assert "@bob &lt;!here&gt;" in text and "<@U0BOB>" not in text
    assert "<@U0ALICE>" in text  # a name not known: a mention rather than nothing


def test_by_default_the_oldest_items_are_named_by_number_not_task(engine: Engine) -> None:  # noqa: F811
    with unit_of_work(engine) as session:
        digest = compute_digest(session, end=END, days=7, tz="UTC")
    assert all(item.task is None for item in digest.current.oldest)
    blocks = json.dumps(digest_message(digest).payload(), ensure_ascii=False)
    assert "Item 5" not in blocks and "#5 · <@U0ALICE> · open 12.6 days" in blocks
    assert "Tasks are not quoted here" in blocks
    text = digest_text(digest)
    assert "Item 5" not in text and "Oldest open items\n  #5 (U0ALICE, open 12.6 days)" in text
