"""Tests of the Slack double, driven through a real slack_sdk WebClient."""

from __future__ import annotations

import json
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock
from slack_sdk.webhook import WebhookClient

from sandbox.emulator import SlackEmulator

TOKEN = "xoxb-test-token"


@pytest.fixture
def double() -> Iterator[SlackEmulator]:
    with SlackEmulator() as slack:
        slack.add_user("U0ALICE", name="alice", tz="Europe/Berlin", real_name="Alice A")
        slack.add_user("U0GONE", deleted=True, tz=None)
        yield slack
    assert not slack.errors, slack.errors


@pytest.fixture
def client(double: SlackEmulator) -> WebClient:
    return WebClient(base_url=double.api_url, token=TOKEN, retry_handlers=[])


def error_of(call: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call(**kwargs)
    return info.value


def post_raw(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_urls_and_auth_test(double: SlackEmulator, client: WebClient) -> None:
    assert double.api_url == double.base_url + "/api/"
    assert double.response_url("abc") == double.base_url + "/response/abc"
    answer = client.auth_test()
    assert answer["user_id"] == "U0STEWARD" and answer["team_id"] == "T0TEAM"
    assert answer["bot_id"] and answer["url"]
    assert double.calls[-1].token == TOKEN and double.calls[-1].status == 200


def test_auth_errors(double: SlackEmulator) -> None:
    no_token = WebClient(base_url=double.api_url)
    assert error_of(no_token.auth_test).response["error"] == "not_authed"
    wrong = WebClient(base_url=double.api_url, token="xoxb-wrong")
    assert error_of(wrong.users_info, user="U0ALICE").response["error"] == "invalid_auth"
    # the token may also come as a form parameter
    assert no_token.api_call("auth.test", data={"token": TOKEN})["ok"] is True
    assert [c.token for c in double.calls] == [None, "xoxb-wrong", TOKEN]
    assert "token" not in double.calls[-1].params


def test_users_info(client: WebClient) -> None:
    alice = client.users_info(user="U0ALICE")["user"]
    berlin = datetime.now(ZoneInfo("Europe/Berlin")).utcoffset()
    assert berlin is not None
    assert alice["tz"] == "Europe/Berlin" and alice["tz_offset"] == berlin.total_seconds()
    assert alice["name"] == "alice" and alice["profile"]["real_name"] == "Alice A"
    assert alice["is_bot"] is False and alice["deleted"] is False
    gone = client.users_info(user="U0GONE")["user"]
    assert gone["deleted"] is True and gone["tz"] is None and gone["tz_offset"] == 0
    assert client.users_info(user="USLACKBOT")["user"]["is_bot"] is True
    assert error_of(client.users_info, user="U0NOBODY").response["error"] == "user_not_found"


def test_dm_post_update_and_messages_in(double: SlackEmulator, client: WebClient) -> None:
    channel = client.conversations_open(users="U0ALICE")["channel"]["id"]
    assert channel == double.dm_channel_for("U0ALICE") == "D0ALICE"
    blocks = [SectionBlock(text="*hello*", block_id="b1")]
    first = client.chat_postMessage(channel=channel, text="hello", blocks=blocks)
    second = client.chat_postMessage(
        channel="U0ALICE", text="to the user id", thread_ts=first["ts"]
    )
    assert second["channel"] == "D0ALICE" and float(second["ts"]) > float(first["ts"])
    client.chat_update(channel=channel, ts=first["ts"], text="edited")
    messages = double.messages_in("D0ALICE")
    assert [m["text"] for m in messages] == ["edited", "to the user id"]
    assert messages[0]["blocks"][0]["block_id"] == "b1"  # kept: blocks not sent in the update
    assert messages[1]["thread_ts"] == first["ts"] and messages[0]["user"] == "U0STEWARD"
    assert double.wait_for("chat.postMessage", 2)[0].params["blocks"][0]["type"] == "section"
    link = client.chat_getPermalink(channel=channel, message_ts=first["ts"])["permalink"]
    assert link.endswith(f"/archives/D0ALICE/p{first['ts'].replace('.', '')}")


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_message_errors(double: SlackEmulator, client: WebClient) -> None:
    double.add_channel_not_found("C0GONE")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "C0GONE", "text": "x"}, "channel_not_found"),
        ({"channel": "#general", "text": "x"}, "channel_not_found"),
        ({"channel": "C0GENERAL"}, "no_text"),
        ({"channel": "C0GENERAL", "text": "x" * 40_001}, "msg_too_long"),
    ]
    for kwargs, expected in cases:
        assert error_of(client.chat_postMessage, **kwargs).response["error"] == expected
    update = error_of(client.chat_update, channel="C0GENERAL", ts="1.000100", text="x")
    assert update.response["error"] == "message_not_found"
    assert error_of(client.conversations_open, users="U0NOBODY").response["error"] == (
        "user_not_found"
    )
    assert client.chat_postMessage(channel="C0GENERAL", text="x" * 40_000)["ok"]


def test_ephemeral(double: SlackEmulator, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C0GENERAL", user="U0ALICE", text="only you")
    assert answer["message_ts"] and double.ephemerals[0]["user"] == "U0ALICE"
    double.add_user("U0BOB")
    refused = error_of(client.chat_postEphemeral, channel="D0ALICE", user="U0BOB", text="x")
    assert refused.response["error"] == "user_not_in_channel"


def bad_blocks() -> list[tuple[list[dict[str, Any]], str]]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    def button(text: str, action_id: str = "a") -> dict[str, Any]:
        return {
            "type": "button",
            "text": {"type": "plain_text", "text": text},
            "action_id": action_id,
        }

    field = {"type": "mrkdwn", "text": "f"}
    return [
        ([section("x")] * 51, "/blocks"),
        ([section("x" * 3001)], "/blocks/0/text/text"),
        ([{"type": "section", "fields": [field] * 11}], "/blocks/0/fields"),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}],
            "/blocks/0/fields/0/text",
        ),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
            "/blocks/0/text/text",
        ),
        ([{"type": "actions", "elements": [button("x" * 76)]}], "/blocks/0/elements/0/text/text"),
        (
            [{"type": "actions", "elements": [button("x", "a" * 256)]}],
            "/blocks/0/elements/0/action_id",
        ),
        ([{**section("x"), "block_id": "b" * 256}], "/blocks/0/block_id"),
        (
            [{"type": "actions", "elements": [button(str(i), str(i)) for i in range(26)]}],
            "/blocks/0/elements",
        ),
        ([{"type": "context", "elements": [field] * 11}], "/blocks/0/elements"),
        ([{"type": "section", "text": {"type": "markdown", "text": "x"}}], "/blocks/0/text/type"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "/blocks/0/text/text"),
        ([{"type": "section"}], "/blocks/0"),
        ([{"text": {"type": "mrkdwn", "text": "x"}}], "/blocks/0/type"),
        (
            [{**section("a"), "block_id": "same"}, {**section("b"), "block_id": "same"}],
            "/blocks/1/block_id",
        ),
    ]


@pytest.mark.parametrize(("blocks", "pointer"), bad_blocks())
def test_invalid_blocks(client: WebClient, blocks: list[dict[str, Any]], pointer: str) -> None:
    error = error_of(client.chat_postMessage, channel="C0GENERAL", text="t", blocks=blocks)
    assert error.response["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in e for e in error.response["errors"]), error.response


def test_valid_blocks_and_form_encoded_blocks(double: SlackEmulator, client: WebClient) -> None:
    blocks = [
        HeaderBlock(text="Steward"),
        SectionBlock(text="hi", fields=["a", "b"]),
        ActionsBlock(elements=[ButtonElement(text="OK", action_id="ok", value="1")]),
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "x"}]}
            ],
        },
        {"type": "markdown", "text": "**plain markdown block**"},
    ]
    assert client.chat_postMessage(channel="C0GENERAL", text="t", blocks=blocks)["ok"]
    form = {"channel": "C0GENERAL", "text": "t", "blocks": json.dumps([{"type": "divider"}])}
    assert client.api_call("chat.postMessage", data=form)["ok"]
    assert double.calls[-1].params["blocks"] == [{"type": "divider"}]


def modal(**extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Delegate"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
        **extra,
    }


def test_views(double: SlackEmulator, client: WebClient) -> None:
    opened = client.views_open(trigger_id="t1", view=modal(private_metadata="42"))["view"]
    assert opened["id"].startswith("V") and opened["private_metadata"] == "42"
    updated = client.views_update(view_id=opened["id"], view=modal(callback_id="cb"))["view"]
    assert updated["id"] == opened["id"] and updated["callback_id"] == "cb"
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    assert client.views_publish(user_id="U0ALICE", view=home)["view"]["id"].startswith("V")
    assert double.wait_for("views.open")[0].params["view"]["title"]["text"] == "Delegate"


def test_view_errors(client: WebClient) -> None:
    def fails(**kwargs: Any) -> str:
        return str(error_of(client.views_open, **kwargs).response["error"])

    assert fails(trigger_id="", view=modal()) == "invalid_arguments"
    assert fails(trigger_id="expired-1", view=modal()) == "expired_trigger_id"
    long_title = modal(title={"type": "plain_text", "text": "x" * 25})
    assert fails(trigger_id="t1", view=long_title) == "invalid_arguments"
    assert fails(trigger_id="t2", view=modal(private_metadata="x" * 3001)) == "invalid_arguments"
    assert fails(trigger_id="t3", view=modal(blocks=[{"type": "divider"}] * 101)) == (
        "invalid_arguments"
    )
    assert client.views_open(trigger_id="t4", view=modal())["ok"]
    assert fails(trigger_id="t4", view=modal()) == "exchanged_trigger_id"


def test_rate_limit_then_retry_succeeds(
    double: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk sleeps Retry-After plus random() seconds; pin the jitter to keep this test short
    monkeypatch.setattr(
        "slack_sdk.http_retry.builtin_handlers.random", types.SimpleNamespace(random=lambda: 0.0)
    )
    client = WebClient(
        base_url=double.api_url,
        token=TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    double.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C0GENERAL", text="hi")["ok"]
    assert time.monotonic() - started >= 1.0
    first, second = double.calls_to("chat.postMessage")
    assert (first.status, first.response["error"]) == (429, "ratelimited")
    assert second.status == 200 and second.response["ok"] is True


class Ticks:
    """A hand-moved clock for the double's rate limiter."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_enforced_rate_limit_per_channel(double: SlackEmulator, client: WebClient) -> None:
    ticks = Ticks()
    double.enforce_rate_limit(per_channel=1, channel_burst=2, clock=ticks)
    assert client.chat_postMessage(channel="C0ONE", text="1")["ok"]
    assert client.chat_postMessage(channel="C0ONE", text="2")["ok"]  # a short burst passes
    assert client.chat_postMessage(channel="U0ALICE", text="to alice")["ok"]  # its own channel
    refused = error_of(client.chat_postMessage, channel="C0ONE", text="3")
    assert refused.response.status_code == 429 and refused.response["error"] == "ratelimited"
    assert refused.response.headers["Retry-After"] == "1"
    ticks.now += 0.99
    assert error_of(client.chat_postMessage, channel="C0ONE", text="4").response.status_code == 429
    ticks.now += 0.01
    assert client.chat_postMessage(channel="C0ONE", text="5")["ok"]
    assert double.rate_limited == 2
    texts = [m["text"] for m in double.messages_in("C0ONE")]
    assert texts == ["1", "2", "5"]  # refused: not posted
    posted = double.messages_in("C0ONE")[0]
    assert client.chat_update(channel="C0ONE", ts=posted["ts"], text="edited")["ok"]  # not a post


def test_enforced_rate_limit_workspace_wide(double: SlackEmulator, client: WebClient) -> None:
    ticks = Ticks()
    double.enforce_rate_limit(per_channel=None, workspace=3, clock=ticks)
    for n in range(3):  # a second's worth passes at once
        assert client.chat_postMessage(channel=f"C0CH{n}", text="burst")["ok"]
    posted = double.messages_in("C0CH0")[0]
    refused = error_of(client.chat_update, channel="C0CH0", ts=posted["ts"], text="edit")
    assert refused.response.status_code == 429  # chat.update shares the budget
    assert refused.response.headers["Retry-After"] == "1"
    assert client.conversations_open(users="U0ALICE")["ok"]  # other methods are not counted
    ticks.now += 0.34  # a third of a second brings one back
    assert client.chat_update(channel="C0CH0", ts=posted["ts"], text="edit")["ok"]
    assert error_of(client.chat_postMessage, channel="C0CH9", text="x").response.status_code == 429
    assert double.rate_limited == 2
    double.enforce_rate_limit(per_channel=None, workspace=None)  # off again
    assert client.chat_postMessage(channel="C0CH9", text="x")["ok"]


def test_the_rate_limit_runs_on_real_time_by_default(
    double: SlackEmulator, client: WebClient
) -> None:
    # real time; a slow rate, so a loaded machine's slow calls cannot refill the bucket
    double.enforce_rate_limit(per_channel=1, channel_burst=5)
    for _ in range(5):
        assert client.chat_postMessage(channel="C0FAST", text="x")["ok"]
    assert error_of(client.chat_postMessage, channel="C0FAST", text="x").response.status_code == 429
    time.sleep(1.05)
    assert client.chat_postMessage(channel="C0FAST", text="x")["ok"]
    calls = double.calls_to("chat.postMessage")
    assert all(a.at <= b.at for a, b in pairwise(calls))


def test_server_errors(double: SlackEmulator, client: WebClient) -> None:
    double.fail_next("users.info", status=500)
    assert error_of(client.users_info, user="U0ALICE").response.status_code == 500
    retrying = WebClient(
        base_url=double.api_url,
        token=TOKEN,
        retry_handlers=[ServerErrorRetryHandler(1, FixedValueRetryIntervalCalculator(0.01))],
    )
    double.fail_next("users.info", status=503)
    assert retrying.users_info(user="U0ALICE")["ok"]
    double.fail_next("users.info", error="fatal_error", times=2)
    for _ in range(2):
        assert error_of(client.users_info, user="U0ALICE").response["error"] == "fatal_error"
    assert [c.status for c in double.calls_to("users.info")] == [500, 503, 200, 200, 200]


def test_delay_times_out_client_but_not_the_double(double: SlackEmulator) -> None:
    impatient = WebClient(base_url=double.api_url, token=TOKEN, timeout=0.2, retry_handlers=[])
    double.fail_next("chat.postMessage", status=503, delay=0.5)
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C0GENERAL", text="slow")
    assert impatient.auth_test()["ok"]  # answered while the slow call still sleeps
    double.delay_next("auth.test", 0.1)
    started = time.monotonic()
    assert impatient.auth_test()["ok"] and time.monotonic() - started >= 0.1


def test_malformed_and_unknown(double: SlackEmulator, client: WebClient) -> None:
    url = double.api_url + "chat.postMessage"
    assert post_raw(url, b"{not json", "application/json") == (
        200,
        {"ok": False, "error": "invalid_form_data"},
    )
    assert post_raw(url, b"\xff\xfe=&&", "application/x-www-form-urlencoded")[1]["error"] == (
        "invalid_form_data"
    )
    unknown = error_of(client.api_call, api_method="no.such.method")
    assert unknown.response.status_code == 404 and unknown.response["error"] == "unknown_method"
    assert client.auth_test()["ok"]


def test_wait_for_and_reset(double: SlackEmulator, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.05)
        client.chat_postMessage(channel="C0GENERAL", text="late")

    threading.Thread(target=later).start()
    found = double.wait_for("chat.postMessage", where=lambda c: c.params["text"] == "late")
    assert found[0].params["channel"] == "C0GENERAL"
    with pytest.raises(AssertionError, match=r"chat\.postMessage -> 200 ok"):
        double.wait_for("chat.postMessage", count=2, timeout=0.05)
    double.reset_calls()
    assert double.calls == [] and double.calls_to("chat.postMessage") == []


def test_response_url(double: SlackEmulator) -> None:
    webhook = WebhookClient(double.response_url("r9"))
    answer = webhook.send(text="done", replace_original=True, blocks=[SectionBlock(text="*done*")])
    assert (answer.status_code, answer.body) == (200, "ok")
    [posted] = double.wait_for_responses()
    assert posted["_token"] == "r9" and posted["replace_original"] is True
    assert posted["blocks"][0]["text"]["text"] == "*done*"
    with pytest.raises(AssertionError, match="response_url"):
        double.wait_for_responses(count=2, timeout=0.05)


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_files_upload_v2_into_a_thread(double: SlackEmulator, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0GENERAL", text="Daily digest")["ts"]
    answer = client.files_upload_v2(
        channel="C0GENERAL",
        thread_ts=parent,
        file=PNG_BYTES,
        filename="digest.png",
        title="Last 7 days",
        initial_comment="Here is the chart",
    )
    assert answer["file"]["id"] == answer["files"][0]["id"]
    assert answer["file"]["title"] == "Last 7 days"
    [upload] = double.uploads
    assert upload == {
        "file_id": answer["file"]["id"],
        "filename": "digest.png",
        "title": "Last 7 days",
        "bytes": PNG_BYTES,
        "channel_id": "C0GENERAL",
        "thread_ts": parent,
        "initial_comment": "Here is the chart",
    }
    [url_call] = double.calls_to("files.getUploadURLExternal")
    assert url_call.params == {"filename": "digest.png", "length": str(len(PNG_BYTES))}
    assert url_call.response["upload_url"].startswith(double.base_url + "/upload/F")
    [complete] = double.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C0GENERAL" and complete.params["thread_ts"] == parent
    # a file completed once cannot be completed again
    again = error_of(client.files_completeUploadExternal, files=[{"id": upload["file_id"]}])
    assert again.response["error"] == "file_not_found"
    double.reset_calls()
    assert double.uploads == []


def test_files_upload_v2_dm_private_and_title_default(
    double: SlackEmulator, client: WebClient
) -> None:
    client.files_upload_v2(channel="U0ALICE", content="hello", filename="a.txt")
    client.files_upload_v2(content=b"secret", filename="b.txt")
    first, second = double.uploads
    assert (first["channel_id"], first["title"], first["bytes"]) == ("D0ALICE", "a.txt", b"hello")
    assert first["thread_ts"] is None and first["initial_comment"] is None
    assert (second["channel_id"], second["bytes"]) == (None, b"secret")
    assert first["file_id"] != second["file_id"]


def test_files_upload_v2_failures(double: SlackEmulator, client: WebClient) -> None:
    upload = {"file": PNG_BYTES, "filename": "digest.png", "title": "t"}
    double.fail_next("files.completeUploadExternal", error="internal_error")
    failed = error_of(client.files_upload_v2, channel="C0GENERAL", **upload)
    assert failed.response["error"] == "internal_error"
    double.fail_next("files.completeUploadExternal", status=429, retry_after=3)
    limited = error_of(client.files_upload_v2, channel="C0GENERAL", **upload)
    assert limited.response.status_code == 429 and limited.response.headers["Retry-After"] == "3"
    double.add_channel_not_found("C0GONE")
    gone = error_of(client.files_upload_v2, channel="C0GONE", **upload)
    assert gone.response["error"] == "channel_not_found"
    double.fail_next("files.getUploadURLExternal", error="ratelimited")
    assert error_of(client.files_upload_v2, **upload).response["error"] == "ratelimited"
    assert double.uploads == []
    assert [c.response["ok"] for c in double.calls_to("files.completeUploadExternal")] == [
        False,
        False,
        False,
    ]
    # unknown id, and an id whose bytes never arrived
    unknown = error_of(client.files_completeUploadExternal, files=[{"id": "F0NOPE"}])
    assert unknown.response["error"] == "file_not_found"
    started = client.files_getUploadURLExternal(filename="x.png", length=10)
    early = error_of(client.files_completeUploadExternal, files=[{"id": started["file_id"]}])
    assert early.response["error"] == "file_not_found"
    missing = error_of(client.api_call, api_method="files.getUploadURLExternal", params={})
    assert missing.response["error"] == "invalid_arguments"
    bad = error_of(client.api_call, api_method="files.completeUploadExternal", params={})
    assert bad.response["error"] == "invalid_arguments"
    # the upload URL itself: raw bytes in, "OK - <length>" out; unknown ids are 404
    with urllib.request.urlopen(
        urllib.request.Request(started["upload_url"], data=b"0123456789"), timeout=2
    ) as response:
        assert (response.status, response.read()) == (200, b"OK - 10")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(
            urllib.request.Request(double.base_url + "/upload/F0NOPE", data=b"x"), timeout=2
        )
    assert info.value.code == 404
    info.value.close()
    done = client.files_completeUploadExternal(files=[{"id": started["file_id"], "title": "x"}])
    assert done["files"][0]["size"] == 10 and double.uploads[-1]["bytes"] == b"0123456789"


def test_channel_membership_as_slack_answers_it(double: SlackEmulator, client: WebClient) -> None:
    info = client.conversations_info(channel="C0GENERAL")
    assert info["channel"]["is_member"] is True and info["channel"]["is_archived"] is False
    assert "chat:write" in info.headers["X-OAuth-Scopes"].split(",")
    assert client.chat_postMessage(channel="C0GENERAL", text="a channel never set: a member")

    double.set_channel("C0OUTSIDE", name="outside", member=False)
    assert client.conversations_info(channel="C0OUTSIDE")["channel"]["is_member"] is False
    refused = error_of(client.chat_postMessage, channel="C0OUTSIDE", text="x")
    assert refused.response["error"] == "not_in_channel"
    double.scopes.add("chat:write.public")  # a public channel then takes the bot's posts
    assert client.chat_postMessage(channel="C0OUTSIDE", text="x")["ok"]

    double.set_channel("C0OLD", archived=True)
    assert client.conversations_info(channel="C0OLD")["channel"]["is_archived"] is True
    assert error_of(client.chat_postMessage, channel="C0OLD", text="x").response["error"] == (
        "is_archived"
    )
    double.set_channel("G0SECRET", private=True, member=False)  # invisible to the bot
    for call in (client.conversations_info, client.chat_postMessage):
        assert error_of(call, channel="G0SECRET", text="x").response["error"] == (
            "channel_not_found"
        )
    double.scopes.discard("channels:read")
    missing = error_of(client.conversations_info, channel="C0GENERAL").response
    assert missing["error"] == "missing_scope" and missing["needed"] == "channels:read"


def test_a_response_url_failure_is_scripted(double: SlackEmulator) -> None:
    double.fail_next("response_url", status=404, error="expired_url")
    webhook = WebhookClient(double.response_url("r1"), retry_handlers=[])
    answer = webhook.send(text="late")
    assert (answer.status_code, answer.body) == (404, "expired_url")
    assert webhook.send(text="on time").status_code == 200
    assert [r["text"] for r in double.responses] == ["on time"]
