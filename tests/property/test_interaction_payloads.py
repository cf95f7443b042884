"""Arbitrary and mangled interaction payloads, signed as Slack signs them: button clicks
(block_actions) and form submissions (view_submission). Never a 5xx, never exception text
shown to anyone, and rows only for a submission the app accepted."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.ids import ActionId, BlockId, CallbackId
from tests.conftest import ALICE, BOB, LEAD, Running
from tests.property.strategies import (
    block_actions,
    garbage,
    hostile_text,
    json_values,
    mutations,
    typed_text,
    view_submission,
)
from tests.property.support import (
    HTTP_SETTINGS,
    ListenerTracker,
    assert_no_leak,
    private_replies,
    row_counts,
)


@pytest.fixture
def offered(running: Running) -> str:
    """The id of an item LEAD offered ALICE: something real for payloads to point at."""
    running.delegate(f"<@{ALICE}> Prepare the report by friday")
    return running.offer_to(ALICE)[1]


def _answer(running: Running, listeners: ListenerTracker, body: str) -> tuple[int, str]:
    """Post ``body`` signed; the status and text of the answer, once the work the request
    started (listeners run after their ack) has finished."""
    response = running.sender.post(body)
    listeners.settle()
    return response.status_code, response.text


def _check_answered(running: Running, status: int, text: str) -> None:
    assert status < 500, (status, text[:500])
    assert_no_leak(text)
    for reply in private_replies(running.engine):
        assert_no_leak(reply)


def _form(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


# ----- button clicks ----------------------------------------------------------------------

_action_ids = st.one_of(st.sampled_from(list(ActionId)), typed_text)


@st.composite
def clicks(draw: st.DrawFn, *, delegation_id: str, response_url: str) -> dict[str, Any]:
    """A click by someone who is on no item (BOB), on any button, mangled or not."""
    base = block_actions(
        user_id=BOB,
        action_id=draw(_action_ids),
        value=draw(st.one_of(st.just(delegation_id), st.sampled_from(["1", "0", "-1"]), garbage)),
        block_id=draw(st.sampled_from(list(BlockId))),
        response_url=response_url,
    )
    return draw(st.one_of(st.just(base), mutations(base)))


@HTTP_SETTINGS
@given(data=st.data())
def test_any_click_by_a_stranger_changes_nothing_and_never_fails(
    running: Running, listeners: ListenerTracker, offered: str, data: st.DataObject
) -> None:
    payload = data.draw(
        clicks(delegation_id=offered, response_url=running.slack.response_url("click"))
    )
    before = row_counts(running.engine)

    status, text = _answer(running, listeners, _form(payload))

    _check_answered(running, status, text)
    assert row_counts(running.engine) == before


@HTTP_SETTINGS
@given(
    payload=st.one_of(
        json_values,
        st.dictionaries(typed_text, json_values).map(
            lambda extra: {**extra, "type": "block_actions"}
        ),
        st.dictionaries(typed_text, json_values).map(
            lambda extra: {**extra, "type": "view_submission"}
        ),
    )
)
def test_arbitrary_json_as_an_interaction_is_refused_cleanly(
    running: Running, listeners: ListenerTracker, payload: Any
) -> None:
    before = row_counts(running.engine)

    status, text = _answer(running, listeners, _form(payload))

    _check_answered(running, status, text)
    assert row_counts(running.engine) == before


def _nested_bodies(depth: int) -> list[str]:
    """Nesting built as text: json.dumps itself would refuse to write it."""
    deep = "[" * depth + "]" * depth
    return [
        urlencode({"payload": '{"type": "block_actions", "actions": ' + deep + "}"}),
        urlencode({"payload": deep}),
    ]


def test_nested_payloads_are_refused_cleanly(running: Running, listeners: ListenerTracker) -> None:
    before = row_counts(running.engine)
    for body in [*_nested_bodies(50), *_nested_bodies(900)]:
        status, text = _answer(running, listeners, body)
        _check_answered(running, status, text)
    assert row_counts(running.engine) == before


def test_deeply_nested_payloads_are_refused_cleanly(
    running: Running, listeners: ListenerTracker
) -> None:
    for body in _nested_bodies(5_000):
        status, text = _answer(running, listeners, body)
        _check_answered(running, status, text)


def _typed(running: Running, offered: str, kind: Any) -> list[dict[str, Any]]:
    """A click and a form submission whose top-level "type" is ``kind``."""
    click = block_actions(
        user_id=BOB,
        action_id=ActionId.ACCEPT,
        value=offered,
        response_url=running.slack.response_url("click"),
    )
    form = view_submission(
        user_id=BOB, callback_id=CallbackId.DECLINE_MODAL, private_metadata=offered, values={}
    )
    return [{**click, "type": kind}, {**form, "type": kind}]


def test_a_payload_type_of_another_kind_is_refused_cleanly(
    running: Running, listeners: ListenerTracker, offered: str
) -> None:
    before = row_counts(running.engine)
    for kind in (3, 1.5, None, True, "", "x" * 5000, "view_closed", "shortcut"):
        for payload in _typed(running, offered, kind):
            status, text = _answer(running, listeners, _form(payload))
            _check_answered(running, status, text)
    assert row_counts(running.engine) == before


@pytest.mark.parametrize("kind", [[], {"a": 1}], ids=["list", "object"])
def test_a_payload_type_that_is_a_list_or_object_is_refused_cleanly(
    running: Running, listeners: ListenerTracker, offered: str, kind: Any
) -> None:
    for payload in _typed(running, offered, kind):
        status, text = _answer(running, listeners, _form(payload))
        _check_answered(running, status, text)


# ----- form submissions ------------------------------------------------------------------


def _inputs(draw: st.DrawFn) -> dict[str, Any]:
    """state.values with an answer in every input a Steward form has."""
    values: dict[str, Any] = {}
    for block in BlockId:
        for name in (block.name, f"{block.name}_INPUT"):
            if name in ActionId.__members__:
                values[block] = {
                    ActionId[name]: {
                        "type": "plain_text_input",
                        "value": draw(st.one_of(hostile_text(), st.none())),
                        "selected_user": ALICE,
                        "selected_date": draw(st.sampled_from(["2026-12-01", "2020-01-01", "x"])),
                        "selected_time": draw(st.sampled_from(["17:00", "25:61", None])),
                    }
                }
    return values


@st.composite
def submissions(draw: st.DrawFn, *, delegation_id: str) -> dict[str, Any]:
    """A submission of any Steward form (or an unknown one), mangled or not. LEAD submits
    the delegate form, which may rightly create an offer; every other form is submitted by
    BOB, who is on no item."""
    callback_id = draw(st.one_of(st.sampled_from(list(CallbackId)), typed_text))
    metadata = draw(
        st.one_of(
            st.sampled_from([delegation_id, f"{delegation_id}:blocked", "C0GENERAL", "", "1", "0"]),
            typed_text,
            st.integers(3_000, 50_000).map(lambda size: "C" * size),
        )
    )
    user = LEAD if callback_id == CallbackId.DELEGATE_MODAL else BOB
    base = view_submission(
        user_id=user, callback_id=callback_id, private_metadata=metadata, values=_inputs(draw)
    )
    return draw(st.one_of(st.just(base), mutations(base, keep=("type",))))


@HTTP_SETTINGS
@given(data=st.data())
def test_any_submission_is_answered_and_writes_only_what_it_accepted(
    running: Running, listeners: ListenerTracker, offered: str, data: st.DataObject
) -> None:
    payload = data.draw(submissions(delegation_id=offered))
    before = row_counts(running.engine)

    status, text = _answer(running, listeners, _form(payload))

    _check_answered(running, status, text)
    after = row_counts(running.engine)
    if after == before:
        return
    # Only an accepted delegate form writes: one offer and its event, and the form closes.
    view = payload.get("view")
    assert isinstance(view, dict) and view.get("callback_id") == CallbackId.DELEGATE_MODAL, text
    assert status == 200 and text in ("", "{}"), text
    assert after == {
        **before,
        "delegations": before["delegations"] + 1,
        "events": before["events"] + 1,
    }
