"""Hypothesis strategies for hostile and broken input: `/delegate` text, arbitrary JSON, and
mutations of the payloads Slack really sends."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from sandbox import slack_payloads as payloads
from tests.slack_requests import WORKSPACE

# Slack's control sequences and the characters that make them, as a person could type them.
HOSTILE_TOKENS = (
    "<!channel>",
    "<!here>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S0TEAM|@team>",
    "<@U123>",
    "<@U123|bob>",
    "<@W0EVIL>",
    "<#C1>",
    "<#C1|general>",
    "<https://evil.example|click me>",
    "<mailto:x@example.com>",
    "&",
    "&amp;",
    "&lt;!channel&gt;",
    "<",
    ">",
    "<<!here>>",
    "<!channel",
    "@channel",
    "@here",
    "*",
    "_",
    "`",
    "```",
    "\n",
    "\n>",
    "\x00",
    " ",
    " by ",
    " every ",
)

# Text a person can type (no lone surrogates: those cannot even be sent as UTF-8).
typed_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def hostile_text(*, min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Mixtures of control sequences, markup and arbitrary text."""
    piece = st.one_of(st.sampled_from(HOSTILE_TOKENS), typed_text)
    return st.lists(piece, min_size=min_size, max_size=max_size).map("".join)


_PREFIXES = (
    "",
    "help",
    "HELP",
    "list",
    "chain",
    "chain ",
    "chain <@U0ALICE>",
    "chain <@U0ALICE> <@U0BOB>",
    "@alice ",
    "<@U0ALICE> ",
    "<@U0ALICE|alice> ",
    "<@U0BOB|bob> ",
    "<@U0LEAD> ",
    "<@U0ROBOT|robot> ",
    "<@U0GONE> ",
    "<@U0NOBODY> ",
    "<@USLACKBOT> ",
    "<@u0alice> ",
    "<@U0ALICE> <@U0BOB> ",
    "<@",
    "<!channel> ",
    '<@U0ALICE> "',
    "<@U0ALICE> “",
)
_DUES = (
    "",
    " by friday",
    " by tomorrow 17:00",
    " BY in 3 days",
    " by 2026-12-01",
    " by 2020-01-01",
    " by yesterday",
    " by blurgsday",
    " by",
    " by by by",
    " by in 99999999999999999999 days",
    " by 99999-99-99",
    " by 0001-01-01",
    " by eod",
    " by eow",
    " by 25:99",
    " by <!here>",
    '" by monday',
)
_CADENCES = (
    "",
    " every 2d",
    " every 12h",
    " every week",
    " every 1h",
    " every 0h",
    " every 59 minutes",
    " every h",
    " every 99999999999999999999 weeks",
    " every 999999999 days",
    " every 0000000000000000000000000001h",
)

# A mention of any shape the parser's pattern accepts, including absurdly long ids.
mention_ids = st.from_regex(r"[UW][A-Z0-9]{0,60}", fullmatch=True)


@st.composite
def structured_commands(draw: st.DrawFn) -> str:
    prefix = draw(
        st.one_of(
            st.sampled_from(_PREFIXES),
            mention_ids.map(lambda user: f"<@{user}> "),
            mention_ids.map(lambda user: f"chain <@{user}|x>"),
        )
    )
    body = draw(hostile_text())
    due = draw(st.one_of(st.sampled_from(_DUES), hostile_text(max_size=4).map(" by {}".format)))
    cadence = draw(st.sampled_from(_CADENCES))
    padding = draw(st.sampled_from(("", " ", "\n", "\t ")))
    return f"{padding}{prefix}{body}{due}{cadence}{padding}"


@st.composite
def offers(draw: st.DrawFn) -> str:
    """Commands that mostly make an offer: a real person, then anything at all as the task."""
    who = draw(st.sampled_from(("<@U0ALICE>", "<@U0ALICE|alice>", "<@U0BOB|bob>")))
    task = draw(hostile_text(min_size=1))
    due = draw(st.sampled_from(("", " by friday", " by in 3 days", " by 2026-12-01 09:00")))
    return f"{who} {task}{due}{draw(st.sampled_from(_CADENCES[:4]))}"


command_texts = st.one_of(
    typed_text,
    st.text(max_size=300),
    structured_commands(),
    offers(),
    st.integers(2990, 3010).map(lambda size: "<@U0ALICE> " + "x" * size),
)


# ----- JSON --------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    typed_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(typed_text, children, max_size=4)
    ),
    max_leaves=20,
)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


# Values that go wrong in particular ways: wrong types, huge strings, deep nesting.
garbage = st.one_of(
    json_values,
    st.integers(3_000, 200_000).map(lambda size: "x" * size),
    st.integers(500, 20_000).map(lambda size: "<!channel>" * (size // 10)),
    st.integers(10, 400).map(nested),
    st.sampled_from(
        ["", " ", "0", "-1", "1e3", "\u0661\u0662", "\uff19", "NaN", "null", "[]", "{}", "1:2"]
    ),
    st.sampled_from([0, -1, 2**63, 1.5, True, [], {}]),
)


# ----- real payloads, as Slack sends them --------------------------------------------------


def block_actions(
    *, user_id: str, action_id: str, value: str, response_url: str, block_id: str = "x"
) -> dict[str, Any]:
    """A click, as Slack sends it (the payload the mutations start from)."""
    return payloads.block_actions(
        WORKSPACE,
        user=WORKSPACE.user(user_id),
        trigger_id="1.1234.trigger",
        action={
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "text": {"type": "plain_text", "text": "Press"},
        },
        container={
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "D0CHANNEL",
            "is_ephemeral": False,
        },
        channel={"id": "D0CHANNEL", "name": "directmessage"},
        message={"type": "message", "ts": "1700000000.000100", "text": "", "blocks": []},
        response_url=response_url,
    )


def view_submission(
    *, user_id: str, callback_id: str, private_metadata: str, values: dict[str, Any]
) -> dict[str, Any]:
    """A modal submitted, as Slack sends it."""
    view = {
        "id": "V0VIEW",
        "team_id": WORKSPACE.team_id,
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "blocks": [],
        "state": {"values": values},
        "hash": "1.abc",
    }
    return payloads.view_submission(
        WORKSPACE, user=WORKSPACE.user(user_id), trigger_id="1.1234.trigger", view=view
    )


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


@st.composite
def mutations(draw: st.DrawFn, base: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """``base`` with a few of its keys removed or their values replaced by garbage (wrong
    types, huge strings, deep nesting), or with unknown keys added. Top-level keys in
    ``keep`` are left alone."""
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [path for path in _paths(payload) if path not in {(key,) for key in keep}]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = payload
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        operation = draw(st.sampled_from(("delete", "replace", "replace", "add")))
        if operation == "delete":
            del parent[key]
        elif operation == "replace":
            parent[key] = draw(garbage)
        elif isinstance(parent, dict):
            parent[draw(typed_text)] = draw(garbage)
        else:
            parent.append(draw(garbage))
    return payload
