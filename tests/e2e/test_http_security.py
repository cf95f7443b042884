"""Every request is verified; bad input gets a 4xx, never a 5xx; user text never pings."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import requests
from sqlalchemy import func
from sqlmodel import select

from bot.slack.ids import ActionId, BlockId
from storage.db import reading
from storage.models import OutboxMessage
from tests.conftest import ALICE, LEAD, Running
from tests.waiting import eventually


def _command_body(text: str = "help") -> str:
    return urlencode(
        {"command": "/delegate", "text": text, "user_id": "U0LEAD", "team_id": "T0TEAM"}
    )


def test_a_bad_signature_is_401(running: Running) -> None:
    response = running.sender.post(_command_body(), secret="not-the-secret")
    assert response.status_code == 401
    assert running.events() == []


def test_a_stale_or_future_timestamp_is_401(running: Running) -> None:
    now = int(time.time())
    assert running.sender.post(_command_body(), timestamp=now - 301).status_code == 401
    assert running.sender.post(_command_body(), timestamp=now + 301).status_code == 401
    assert running.sender.post(_command_body(), timestamp=now - 200).status_code == 200


def test_missing_signature_headers_are_401(running: Running) -> None:
    response = requests.post(
        running.sender.url,
        data=_command_body(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert response.status_code == 401


def test_a_tampered_body_is_401(running: Running) -> None:
    from sandbox.slack_payloads import FORM, signed_headers

    # signed for one body, sent with another
    headers = signed_headers(running.sender.secret, _command_body("help"), content_type=FORM)
    response = requests.post(
        running.sender.url, data=_command_body(f"<@{ALICE}> steal"), headers=headers, timeout=5
    )
    assert response.status_code == 401
    assert running.events() == []


def test_malformed_bodies_are_4xx_not_5xx(running: Running) -> None:
    bodies = [
        urlencode({"payload": "{not json"}),
        urlencode({"payload": json.dumps(["a", "list"])}),
        urlencode({"payload": json.dumps({"type": "block_actions"})}),
        urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x", "user": 3})}),
        urlencode({"payload": json.dumps({"type": "view_submission", "view": None})}),
        "%%%garbage",
        "",
    ]
    for body in bodies:
        response = running.sender.post(body)
        assert 200 <= response.status_code < 500, (body, response.status_code)
        assert (
            response.status_code != 200
            or response.text in ("", "{}")
            or "error" not in response.text
        )
    json_response = running.sender.post("{broken", content_type="application/json")
    assert json_response.status_code == 400
    assert running.events() == []


def test_an_oversized_body_is_413(running: Running) -> None:
    response = running.sender.post(_command_body("x" * 1_100_000))
    assert response.status_code == 413


def test_healthz_and_unknown_paths(running: Running) -> None:
    assert requests.get(f"{running.base_url}/healthz", timeout=5).status_code == 200
    assert requests.get(f"{running.base_url}/nope", timeout=5).status_code == 404
    assert requests.get(running.sender.url, timeout=5).status_code == 405


def test_user_text_can_never_ping_or_spoof(running: Running) -> None:
    hostile = "<!channel> <!here|here> <!everyone> <!subteam^S0TEAM|@team> <@U0BOB|bob> & <https://evil|x>"
    answer = running.delegate(f"<@{ALICE}|alice> {hostile} by friday")
    _, value = running.offer_to(ALICE)
    running.click(ALICE, ActionId.ACCEPT, value)
    running.slack.wait_for("chat.update")
    running.dms_to("U0LEAD")

    rendered = [json.dumps(answer)] + [
        json.dumps({"text": call.params.get("text"), "blocks": call.params.get("blocks")})
        for call in running.slack.calls
        if call.method in ("chat.postMessage", "chat.update")
    ]
    for text in rendered:
        for forbidden in (
            "<!channel>",
            "<!here",
            "<!everyone>",
            "<!subteam",
            "<@U0BOB",
            "<https://evil",
        ):
            assert forbidden not in text, (forbidden, text)
    assert "&lt;!channel&gt;" in rendered[1]
    # the event keeps the text exactly as typed, for the export
    assert running.events()[0]["data"]["text"] == hostile


def test_refusals_quoting_what_was_typed_are_escaped(running: Running) -> None:
    for text in ("@<!channel> do it", f"<@{ALICE}> Do it by <!here>"):
        answer = running.delegate(text)
        rendered = json.dumps(answer)
        assert "<!channel>" not in rendered and "<!here>" not in rendered
        assert "&lt;!" in rendered
    assert running.events() == []


def _replay(sent: requests.Response) -> requests.Response:
    """The very request ``sent`` was answering, byte for byte, signature and timestamp
    included, as someone who captured it would send it again."""
    request = sent.request
    assert request.url and isinstance(request.body, bytes)
    return requests.post(request.url, data=request.body, headers=dict(request.headers), timeout=10)


def _dms_delivered(running: Running, user_id: str) -> list[str]:
    """Once the outbox is empty: the texts posted into ``user_id``'s DM."""

    def drained() -> bool:
        with reading(running.engine) as session:
            count = select(func.count()).select_from(OutboxMessage)
            return session.exec(count.where(OutboxMessage.status != "sent")).one() == 0

    eventually(drained, what="the outbox to be delivered")
    channel = running.slack.dm_channel_for(user_id)
    posts = running.slack.calls_to("chat.postMessage")
    return [str(call.params["text"]) for call in posts if call.params["channel"] == channel]


def test_a_replayed_slash_command_is_acked_and_changes_nothing(running: Running) -> None:
    sent = running.sender.command(f"<@{ALICE}> Prepare the Q3 report", user_id=LEAD)
    assert sent.status_code == 200 and "Offered to" in sent.json()["text"]

    for again in (_replay(sent), _replay(sent)):
        assert again.status_code == 200
        assert again.json()["response_type"] == "ephemeral"
        assert "Offered to" not in again.json()["text"]
    assert running.event_types() == ["created"]
    assert len(_dms_delivered(running, ALICE)) == 1


def test_a_replayed_view_submission_changes_nothing(running: Running) -> None:
    value = running.accepted("Book the venue by in 3 days")
    running.click(ALICE, ActionId.PROPOSE_DUE, value)
    view = running.slack.wait_for("views.open")[0].params["view"]
    values = {
        BlockId.DUE_DATE: {ActionId.DUE_DATE_INPUT: {"selected_date": "2026-12-10"}},
        BlockId.DUE_REASON: {ActionId.DUE_REASON_INPUT: {"value": "Vendor is late"}},
    }
    sent = running.sender.submit_view(user_id=ALICE, view=view, values=values)
    assert sent.status_code == 200 and sent.text == ""

    for again in (_replay(sent), _replay(sent)):
        assert again.status_code == 200 and again.text == ""  # closes the modal, as before
    proposals = [t for t in _dms_delivered(running, LEAD) if "proposes a new due date" in t]
    assert running.event_types().count("due_proposed") == 1
    assert len(proposals) == 1
