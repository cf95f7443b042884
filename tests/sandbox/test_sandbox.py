"""The sandbox behind the page: Slack's escaping of typed text, who sees what, modals and
their errors, the clock, a kept database, the page's API guards, and production's isolation."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.slack.ids import ActionId, BlockId
from sandbox.sandbox_clock import TICK_STEP, next_working_morning
from sandbox.screen import screen
from sandbox.session import BOT_TOKEN, Sandbox
from sandbox.slack_requests import typed_text
from sandbox.team import ARI, BO, GENERAL, LEAD, START
from sandbox.web import SandboxWeb
from storage.db import unit_of_work
from storage.models import Delegation, OutboxMessage


def conversation(sandbox: Sandbox, viewer: str, channel: str) -> list[dict[str, Any]]:
    found = [c for c in screen(sandbox, viewer)["conversations"] if c["id"] == channel]
    return found[0]["messages"]


def html_of(sandbox: Sandbox, viewer: str, channel: str) -> str:
    return "\n".join(entry["html"] for entry in conversation(sandbox, viewer, channel))


def delegations(sandbox: Sandbox) -> int:
    assert sandbox.steward is not None
    with unit_of_work(sandbox.steward.engine) as session:
        return int(session.execute(select(func.count()).select_from(Delegation)).scalar_one())


def test_typed_text_is_escaped_and_mentions_resolved_as_slack_does(sandbox: Sandbox) -> None:
    typed = typed_text("@ari fix <b> & ping @nobody, mail a@b.co", sandbox.names)
    assert typed == "<@U0ARI|ari> fix &lt;b&gt; &amp; ping @nobody, mail a@b.co"


def test_the_answer_to_a_command_is_seen_only_by_who_typed_it(sandbox: Sandbox) -> None:
    reply = sandbox.command(LEAD.user_id, GENERAL.channel_id, "@ari Draft the memo by friday")
    sandbox.settle()
    assert reply.status == 200
    lena = conversation(sandbox, LEAD.user_id, GENERAL.channel_id)
    assert [entry["ephemeral"] for entry in lena] == [True, True]
    assert lena[0]["author"] == "lena" and "Draft the memo" in lena[0]["html"]
    assert "Offered to" in lena[1]["html"] and lena[1]["author"] is None
    assert conversation(sandbox, ARI.user_id, GENERAL.channel_id) == []
    offer = conversation(sandbox, ARI.user_id, sandbox.emulator.dm_channel_for(ARI.user_id))
    assert len(offer) == 1 and "Draft the memo" in offer[0]["html"]
    assert offer[0]["at"] == "Tue 16:00"  # on Ari's clock, in Berlin


def test_hostile_task_text_cannot_ping_or_inject(sandbox: Sandbox) -> None:
    sandbox.command(
        LEAD.user_id,
        GENERAL.channel_id,
        '@ari <!channel> <script>alert(1)</script> "><img src=x onerror=alert(2)> by friday',
    )
    sandbox.settle()
    offer = html_of(sandbox, ARI.user_id, sandbox.emulator.dm_channel_for(ARI.user_id))
    assert "<script" not in offer and "<img" not in offer
    assert "&lt;script&gt;" in offer
    posted = sandbox.emulator.messages_in(ARI.user_id)[0]
    assert "<!channel>" not in json.dumps(posted)


def test_a_modal_shows_the_bots_errors_and_changes_nothing_until_fixed(sandbox: Sandbox) -> None:
    sandbox.command(LEAD.user_id, GENERAL.channel_id, "")
    sandbox.settle()
    view_id = sandbox.modals.top(LEAD.user_id)
    assert view_id is not None
    modal = screen(sandbox, LEAD.user_id)["modal"]
    assert modal["view_id"] == view_id and "Delegate a task" in modal["html"]
    form = {
        BlockId.NEW_ASSIGNEE: {ActionId.NEW_ASSIGNEE: BO.user_id},
        BlockId.NEW_TASK: {ActionId.NEW_TASK: "Rotate the API keys"},
        BlockId.NEW_DUE: {ActionId.NEW_DUE: "2020-01-06"},
    }
    refused = sandbox.submit(LEAD.user_id, view_id, form)
    assert refused.body.get("response_action") == "errors"
    assert sandbox.modals.top(LEAD.user_id) == view_id
    errors = sandbox.modals.errors(view_id)
    assert errors is not None and list(errors) == [BlockId.NEW_DUE]
    assert errors[BlockId.NEW_DUE] in screen(sandbox, LEAD.user_id)["modal"]["html"]
    assert delegations(sandbox) == 0

    form[BlockId.NEW_DUE] = {ActionId.NEW_DUE: "2026-11-27"}
    accepted = sandbox.submit(LEAD.user_id, view_id, form)
    sandbox.settle()
    assert accepted.status == 200 and sandbox.modals.top(LEAD.user_id) is None
    assert delegations(sandbox) == 1
    assert "Rotate the API keys" in html_of(sandbox, BO.user_id, "D0BO")


def test_only_the_open_views_of_the_person_can_be_used(sandbox: Sandbox) -> None:
    sandbox.shortcut(LEAD.user_id)
    sandbox.settle()
    lenas = sandbox.modals.top(LEAD.user_id)
    assert lenas is not None
    with pytest.raises(LookupError, match="not open for you"):
        sandbox.submit(BO.user_id, lenas, {})
    with pytest.raises(LookupError, match="not open for you"):
        sandbox.click_in_view(BO.user_id, lenas, {"type": "button", "action_id": "x"})
    assert delegations(sandbox) == 0


def test_what_the_bot_sends_later_still_changes_the_version(sandbox: Sandbox) -> None:
    """The page redraws when the version moves: also for a Slack call the sandbox did not
    start itself, such as a Home tab the bot publishes after its ack."""
    assert sandbox.open_home(BO.user_id).status == 200
    sandbox.settle()
    assert screen(sandbox, BO.user_id)["home"] is not None
    before = sandbox.version
    bot = WebClient(base_url=sandbox.emulator.api_url, token=BOT_TOKEN)
    view = {"type": "home", "blocks": [{"type": "divider"}]}
    assert bot.views_publish(user_id=BO.user_id, view=view)["ok"]
    assert sandbox.version > before


def test_the_delegate_shortcut_opens_the_form_for_who_chose_it(sandbox: Sandbox) -> None:
    assert sandbox.shortcut(BO.user_id).status == 200
    sandbox.settle()
    assert sandbox.modals.top(LEAD.user_id) is None
    modal = screen(sandbox, BO.user_id)["modal"]
    assert modal is not None and "Delegate a task" in modal["html"]


def test_next_working_morning_is_nine_on_the_viewers_clock(sandbox: Sandbox) -> None:
    """09:00 (the policy's working hours start), on a working day (mon-fri), in the
    viewer's timezone; DST moves the UTC time, not the local one."""
    assert sandbox.clock.now() == START  # Tuesday 16:00 in Berlin
    assert sandbox.advance("morning", ARI.user_id) == datetime(2026, 11, 25, 8, tzinfo=UTC)
    sandbox.clock.set(datetime(2026, 11, 27, 20, tzinfo=UTC))  # Friday evening
    monday_chicago = datetime(2026, 11, 30, 15, tzinfo=UTC)
    assert sandbox.advance("morning", BO.user_id) == monday_chicago
    policy = sandbox.steward.runtime.settings.policy  # type: ignore[union-attr]
    before_dst = datetime(2027, 3, 12, 20, tzinfo=UTC)  # Friday; New York springs forward Sunday
    assert next_working_morning(before_dst, LEAD.tz, policy) == datetime(
        2027, 3, 15, 13, tzinfo=UTC
    )


def test_each_message_lands_at_the_time_it_was_sent(sandbox: Sandbox) -> None:
    for title in ("Draft the budget", "Book the venue", "Order the badges"):
        sandbox.command(LEAD.user_id, GENERAL.channel_id, f"@ari {title} by friday")
    sandbox.settle()
    for _ in range(3):
        sandbox.advance("day", LEAD.user_id)
    assert sandbox.steward is not None
    with unit_of_work(sandbox.steward.engine) as session:
        sent = session.execute(select(OutboxMessage.created_at, OutboxMessage.sent_at)).all()
    assert len(sent) > 15
    assert all(sent_at is not None and sent_at - created <= TICK_STEP for created, sent_at in sent)


def test_two_clock_moves_at_once_both_happen(sandbox: Sandbox) -> None:
    moves = [
        threading.Thread(target=sandbox.advance, args=("hour", LEAD.user_id)) for _ in range(2)
    ]
    for move in moves:
        move.start()
    for move in moves:
        move.join(timeout=60)
    assert sandbox.clock.now() == START + timedelta(hours=2)


def test_a_kept_database_carries_on_where_it_stopped(tmp_path: Path) -> None:
    database = tmp_path / "kept.db"
    with Sandbox(database=database, workdir=tmp_path / "one") as first:
        first.command(LEAD.user_id, GENERAL.channel_id, "@ari Plan the offsite by friday")
        first.settle()
        first.advance("hour", LEAD.user_id)
        left_at = first.clock.now()
    assert (tmp_path / "kept.db.sandbox.json").is_file()

    with Sandbox(database=database, workdir=tmp_path / "two") as second:
        assert second.clock.now() == left_at
        assert delegations(second) == 1
        ari_dm = second.emulator.dm_channel_for(ARI.user_id)
        (offer,) = conversation(second, ARI.user_id, ari_dm)
        assert "Plan the offsite" in offer["html"] and offer["at"] == "Tue 16:00"
        lena_saw = conversation(second, LEAD.user_id, GENERAL.channel_id)
        assert [entry["author"] for entry in lena_saw] == ["lena", None]

        second.click_in_message(
            ARI.user_id,
            ari_dm,
            offer["ts"],
            {
                "type": "button",
                "action_id": ActionId.ACCEPT,
                "block_id": "offer_actions",
                "value": button_value(second, ari_dm),
            },
        )
        second.settle()
        updated = [c for c in second.emulator.calls if c.method == "chat.update"]
        assert updated and updated[0].response["ok"], second.emulator.summary()
        assert "You accepted" in conversation(second, ARI.user_id, ari_dm)[0]["html"]
        new_ts = second.emulator.messages_in(LEAD.user_id)[-1]["ts"]
        assert new_ts > offer["ts"]  # the workspace's clock of message ids goes on too


def test_a_kept_file_of_another_database_or_damaged_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "kept.db"
    with Sandbox(database=database, workdir=tmp_path / "one") as first:
        first.command(LEAD.user_id, GENERAL.channel_id, "@ari Plan the offsite by friday")
        first.settle()
    kept = tmp_path / "kept.db.sandbox.json"
    database.unlink()  # a new database beside the old file
    with Sandbox(database=database, workdir=tmp_path / "two") as second:
        assert second.emulator.messages_in(ARI.user_id) == []
        assert second.clock.now() == START
    assert "belongs to another database" in caplog.text

    kept.write_text(json.dumps({"format": 1, "database": None, "clock": "soon"}))
    database.unlink()
    with Sandbox(database=database, workdir=tmp_path / "three") as third:
        assert third.clock.now() == START and delegations(third) == 0
    assert "damaged" in caplog.text


def test_a_temporary_sandbox_keeps_nothing(tmp_path: Path) -> None:
    with Sandbox(workdir=tmp_path) as temporary:
        temporary.command(LEAD.user_id, GENERAL.channel_id, "@ari Sketch the roadmap")
        temporary.settle()
    assert not list(tmp_path.glob("*.sandbox.json"))


def button_value(sandbox: Sandbox, channel: str) -> str:
    for block in sandbox.emulator.messages_in(channel)[-1]["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == ActionId.ACCEPT:
                return str(element["value"])
    raise AssertionError("no Accept button")


def request(
    web: SandboxWeb,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json", **(headers or {})}
    outgoing = urllib.request.Request(web.url.rstrip("/") + path, data=data, headers=sent)
    try:
        with urllib.request.urlopen(outgoing, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_page_is_served_with_its_script_and_a_content_policy(web: SandboxWeb) -> None:
    status, headers, body = request(web, "/")
    assert status == 200 and b"Steward sandbox" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"  # no other site may frame it
    status, headers, body = request(web, "/static/sandbox.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert request(web, "/static/../session.py")[0] == 404


def test_the_api_refuses_what_it_cannot_do_in_words(web: SandboxWeb, sandbox: Sandbox) -> None:
    status, _, body = request(web, "/api/state?viewer=U0NOBODY")
    assert status == 400 and json.loads(body) == {"error": "choose who you are"}
    status, _, body = request(web, "/api/clock", {"viewer": LEAD.user_id, "step": "year"})
    assert status == 400 and "step must be one of" in json.loads(body)["error"]
    status, _, body = request(web, "/api/command", {"viewer": LEAD.user_id, "text": "/remind"})
    assert status == 400 and "/delegate" in json.loads(body)["error"]
    status, _, body = request(web, "/api/click", {"viewer": LEAD.user_id})
    assert status == 400 and json.loads(body)["error"] == "action must be an object"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert request(web, "/api/close", {"viewer": LEAD.user_id}, headers=form)[0] == 415
    rebound = {"Host": "attacker.example:3300"}
    assert request(web, "/api/state?viewer=U0LENA", headers=rebound)[0] == 403
    body = {"viewer": LEAD.user_id, "step": "hour"}
    assert request(web, "/api/clock", body, headers=rebound)[0] == 403
    status, _, raw = request(web, "/api/clock", {"viewer": "U0NOBODY", "step": "hour"})
    assert status == 400 and json.loads(raw) == {"error": "choose who you are"}
    text = {"viewer": LEAD.user_id, "channel": GENERAL.channel_id, "text": "/delegatex @bo y"}
    assert request(web, "/api/command", text)[0] == 400
    assert sandbox.clock.now() == START  # nothing moved
    assert sandbox.emulator.calls == []  # nothing reached the bot


def test_the_page_api_delegates_and_answers_with_the_new_state(web: SandboxWeb) -> None:
    body = {"viewer": LEAD.user_id, "channel": GENERAL.channel_id, "text": "/delegate @bo Ship it"}
    status, _, raw = request(web, "/api/command", body)
    answer = json.loads(raw)
    assert status == 200 and "error" not in answer
    general = next(c for c in answer["state"]["conversations"] if c["id"] == GENERAL.channel_id)
    assert "Offered to" in general["messages"][-1]["html"]


def test_steward_serve_never_loads_the_sandbox() -> None:
    probe = (
        "import sys, bot.cli, bot.commands.serve, bot.app.wiring; "
        "print([m for m in sys.modules if m.startswith('sandbox')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
