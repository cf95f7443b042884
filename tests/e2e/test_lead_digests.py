"""Each lead's own weekly digest, by DM: the items they and the people below them delegated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.slack.ids import ActionId
from sandbox.emulator import Call
from tests.conftest import ALICE, BOB, CAROL, LEAD, Running
from tests.test_cli import env_for, steward

TITLE = "Your team's delegation digest"


@pytest.fixture
def policy_toml() -> str:  # no digest channel: lead digests go regardless
    return f"""
[policy]
lead_digests = true
digest_schedule = "mon 09:00"
digest_timezone = "Europe/London"

[chain]
{ALICE} = "{LEAD}"
{LEAD} = "{CAROL}"
"""


def lead_digests(running: Running, person: str) -> list[Call]:
    channel = running.slack.dm_channel_for(person)
    return [
        call
        for call in running.slack.calls_to("chat.postMessage")
        if call.params["channel"] == channel and TITLE in json.dumps(call.params.get("blocks"))
    ]


def test_each_lead_gets_their_teams_digest_once(running: Running) -> None:
    running.clock.set(datetime(2026, 11, 17, 10, 0, tzinfo=UTC))
    value = running.accepted("Prepare the Q3 report")  # delegated by the lead
    running.click(ALICE, ActionId.DONE, value)
    running.delegate(f"<@{ALICE}> Book the venue", user_id=BOB)  # Bob is in no one's team
    running.delegate(f"<@{LEAD}> Review the budget", user_id=ALICE)  # Alice reports to Lead

    running.clock.set(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))
    running.tick()
    running.tick()  # a second tick (or replica) sends nothing more
    running.slack.wait_for("files.completeUploadExternal", count=2)
    [leads] = lead_digests(running, LEAD)
    [carols] = lead_digests(running, CAROL)
    assert lead_digests(running, BOB) == [] and lead_digests(running, ALICE) == []

    text = json.dumps(leads.params["blocks"], ensure_ascii=False)
    assert "*Delegated*\\n2 (was 0)" in text and "*Completed*\\n1 (was 0)" in text
    assert "Book the venue" not in text and "Review the budget" in text
    assert "items delegated by you and the people below you" in text
    assert "*Delegated*\\n2 (was 0)" in json.dumps(carols.params["blocks"])
    threads = {upload["thread_ts"] for upload in running.slack.uploads}
    assert threads == {leads.response["ts"], carols.response["ts"]}

    running.clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    running.tick()
    assert len(lead_digests(running, LEAD)) == 1 and len(lead_digests(running, CAROL)) == 1


def test_steward_digest_for_one_lead(running: Running, tmp_path: Path) -> None:
    running.clock.set(datetime.now(UTC) - timedelta(days=1))
    running.delegate(f"<@{ALICE}> Prepare the Q3 report")
    running.delegate(f"<@{ALICE}> Book the venue", user_id=BOB)
    (tmp_path / "steward.toml").write_text(f'[chain]\n{LEAD} = "{CAROL}"\n')
    env = env_for(running, tmp_path / "steward.toml")
    printed = steward("digest", "--lead", CAROL, env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert f"Delegation digest for {CAROL} and their team" in printed.stdout
    assert "Delegated         1 (was 0)" in printed.stdout
    posted = steward("digest", "--lead", CAROL, "--post", env=env, cwd=tmp_path)
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert len(lead_digests(running, CAROL)) == 1
