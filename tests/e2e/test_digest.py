"""The weekly digest reaching Slack: scheduled exactly once, and `steward digest --post`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.slack.ids import ActionId
from tests.conftest import ALICE, BOB, LEAD, Running
from tests.test_cli import env_for, steward

DIGESTS = "C0DIGEST"


@pytest.fixture
def policy_toml() -> str:
    return f"""
[policy]
digest_channel = "{DIGESTS}"
digest_schedule = "mon 09:00"
digest_timezone = "Europe/London"
"""


def digest_posts(running: Running) -> list:
    return [
        call
        for call in running.slack.calls_to("chat.postMessage")
        if call.params["channel"] == DIGESTS and call.response.get("ok")
    ]


def test_the_weekly_digest_is_posted_once_with_its_chart(running: Running) -> None:
    running.clock.set(datetime(2026, 11, 16, 10, 0, tzinfo=UTC))
    value = running.accepted("Prepare the Q3 report")
    running.click(ALICE, ActionId.DONE, value)
    running.delegate(f"<@{BOB}> Book the venue")

    running.clock.set(datetime(2026, 11, 23, 8, 59, tzinfo=UTC))  # Monday, 08:59 in London
    running.tick()
    assert digest_posts(running) == []

    running.clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
    running.tick()
    running.tick()  # a second tick (or replica) in the same minute posts nothing more
    post = running.slack.wait_for(
        "chat.postMessage", where=lambda c: c.params["channel"] == DIGESTS
    )[0]
    running.slack.wait_for("files.completeUploadExternal")
    assert len(digest_posts(running)) == 1
    text = json.dumps(post.params["blocks"], ensure_ascii=False)
    assert "*Delegated*\\n2 (was 0)" in text and "*Completed*\\n1 (was 0)" in text
    assert "@bob" in text and f"<@{BOB}>" not in text  # listed by name: nobody is pinged
    [uploaded] = running.slack.uploads
    assert uploaded["channel_id"] == DIGESTS and uploaded["thread_ts"] == post.response["ts"]
    assert uploaded["bytes"].startswith(b"\x89PNG")

    running.clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    running.tick()
    assert len(digest_posts(running)) == 1


def test_a_restarted_process_does_not_post_the_same_week_again(
    running: Running, slack, clock, database_url: str, policy_file: Path
) -> None:
    from bot.app.wiring import assemble
    from tests.conftest import settings_for

    running.clock.set(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    running.tick()
    running.slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == DIGESTS)
    running.steward.stop()

    second = assemble(settings_for(slack, database_url, policy_file=policy_file), clock=clock)
    second.start_background(scheduler=False)
    try:
        clock.advance(timedelta(minutes=30))
        second.tick()
        clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # next week: a new digest
        second.tick()
        running.slack.wait_for(
            "chat.postMessage", count=2, where=lambda c: c.params["channel"] == DIGESTS
        )
        assert len(digest_posts(running)) == 2
    finally:
        second.stop()


def test_a_tick_more_than_a_day_late_skips_that_week(running: Running) -> None:
    running.clock.set(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    running.tick()
    assert digest_posts(running) == []


def test_steward_digest_post_matches_the_export(running: Running, tmp_path: Path) -> None:
    real_now = datetime.now(UTC)
    running.clock.set(real_now - timedelta(days=2))
    value = running.accepted("Prepare the Q3 report")
    running.click(ALICE, ActionId.DONE, value)
    running.delegate(f"<@{BOB}> Book the venue")
    running.offer_to(BOB)

    (tmp_path / "steward.toml").write_text(f'[policy]\ndigest_channel = "{DIGESTS}"\n')
    env = env_for(running, tmp_path / "steward.toml")
    printed = steward("digest", "--days", "7", env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    exported = steward("export", env=env, cwd=tmp_path)
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    created = sum(e["type"] == "created" for e in events)
    completed = sum(e["type"] == "completed" for e in events)
    assert f"Delegated         {created} (was 0)" in printed.stdout
    assert f"Completed         {completed} (was 0)" in printed.stdout
    assert digest_posts(running) == []  # printing alone posts nothing

    posted = steward("digest", "--post", env=env, cwd=tmp_path)
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert f"Posted to {DIGESTS}." in posted.stdout
    [post] = digest_posts(running)
    assert f"*Delegated*\\n{created} (was 0)" in json.dumps(post.params["blocks"])
    assert running.slack.uploads[0]["thread_ts"] == post.response["ts"]


def test_an_old_item_opens_its_history_for_the_people_on_it(running: Running) -> None:
    running.clock.set(datetime(2026, 11, 16, 10, 0, tzinfo=UTC))
    value = running.accepted("Prepare the <!channel> Q3 report")
    running.clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
    running.tick()
    post = running.slack.wait_for(
        "chat.postMessage", where=lambda c: c.params["channel"] == DIGESTS
    )[0]
    details = [
        block["accessory"]
        for block in post.params["blocks"]
        if block.get("accessory", {}).get("action_id") == ActionId.ITEM_DETAILS
    ]
    assert [button["value"] for button in details] == [value]

    running.click(LEAD, ActionId.ITEM_DETAILS, value)  # the delegator
    [opened] = running.slack.wait_for("views.open")
    text = json.dumps(opened.params["view"], ensure_ascii=False)
    assert f"Delegation #{value}" in text and "&lt;!channel&gt;" in text
    assert f"<@{ALICE}> accepted" in text and f"<@{LEAD}> delegated it" in text

    running.click(BOB, ActionId.ITEM_DETAILS, value)  # not on it, not above anyone on it
    [refusal] = running.slack.wait_for_responses()
    assert "Only the people on" in refusal["text"]
    running.click(LEAD, ActionId.ITEM_DETAILS, "99999")
    assert "There is no delegation #99999" in running.slack.wait_for_responses(count=2)[1]["text"]
    assert len(running.slack.calls_to("views.open")) == 1


def _weekly_post(running: Running) -> str:
    """Two items, one delegated in a DM-only conversation; Monday's post, as JSON text."""
    running.clock.set(datetime(2026, 11, 16, 10, 0, tzinfo=UTC))
    running.accepted("Draft the reorg memo")
    running.delegate(f"<@{BOB}> Book the venue for Erin's leaving do")
    running.clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
    running.tick()
    [post] = running.slack.wait_for(
        "chat.postMessage", where=lambda c: c.params["channel"] == DIGESTS
    )
    return json.dumps([post.params["text"], post.params["blocks"]], ensure_ascii=False)


def test_the_channel_digest_names_people_and_counts_but_no_task(running: Running) -> None:
    text = _weekly_post(running)
    assert "reorg" not in text and "venue" not in text
    assert "@alice" in text and "@bob" in text and "*Oldest open items*" in text
    assert "Tasks are not quoted here" in text
    assert text.count(ActionId.ITEM_DETAILS) == 2  # the task is one (permitted) click away


@pytest.mark.parametrize(
    "policy_toml", [f'[policy]\ndigest_channel = "{DIGESTS}"\ndigest_shows_tasks = true\n']
)
def test_digest_shows_tasks_quotes_them_in_the_channel(running: Running) -> None:
    text = _weekly_post(running)
    assert "Draft the reorg memo" in text and "Book the venue for Erin" in text
    assert "Tasks are not quoted here" not in text
