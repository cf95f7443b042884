"""The policy file's values: every bad one stops start-up with one line naming its key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.config.policy_values import MAX_DURATION
from bot.config.settings import ConfigError, policy_from_mapping

DURATION_KEYS = [
    "accept_timeout",
    "checkin_interval",
    "checkin_timeout",
    "escalation_timeout",
    "tick",
    "reacknowledge_after",
]
TOO_LONG = [
    "99999999999d",  # past timedelta's range: OverflowError
    "1" * 5000 + "s",  # past int()'s digit limit: ValueError
    "5000000000s",  # 158 years
    "1096d",
    "26305h",
    "1578241m",
]
NOT_A_CHANNEL = [
    "U0ALICE",  # a person
    "W0ALICE",
    "D0DIRECT",  # a DM
    "#general",
    "general",
    "c0lowercase",
    "C0 SPACED",
    "C",
    "",
    7,
]
NOT_A_PERSON = ["C0CHANNEL", "alice", "@alice", "u0lower", "U0CAROL\n", "U", "U0-DASH"]


def bad(document: dict[str, Any], key: str) -> Any:
    return pytest.param(document, key, id=repr(document)[:60])


BAD_VALUES = [
    *(bad({"policy": {key: value}}, key) for key in DURATION_KEYS for value in TOO_LONG),
    *(
        bad({"policy": {key: value}}, key)
        for key in ("fallback_channel", "digest_channel")
        for value in NOT_A_CHANNEL
    ),
    *(bad({"chain": {"U0ALICE": value}}, "[chain]") for value in NOT_A_PERSON),
    *(bad({"chain": {value: "U0CAROL"}}, "[chain]") for value in NOT_A_PERSON),
]


@pytest.mark.parametrize(("document", "key"), BAD_VALUES)
def test_a_bad_value_is_one_line_naming_its_key(document: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        policy_from_mapping(document, source="steward.toml")
    message = str(raised.value)
    assert message.startswith("steward.toml: ")
    assert key in message
    assert "\n" not in message


@pytest.mark.parametrize("key", DURATION_KEYS)
def test_durations_reach_their_bound_and_no_further(key: str) -> None:
    assert timedelta(days=1095) == MAX_DURATION
    at_bound = policy_from_mapping({"policy": {key: "1095d"}})
    assert getattr(at_bound, key) == MAX_DURATION
    with pytest.raises(ConfigError, match=rf"\[policy\] {key} .*at most 1095d"):
        policy_from_mapping({"policy": {key: "1096d"}})


def test_good_ids_are_taken_as_written() -> None:
    policy = policy_from_mapping(
        {
            "policy": {"fallback_channel": "C0987654321", "digest_channel": "G0PRIVATE"},
            "chain": {"U0ALICE": "W0CAROL", "W0CAROL": "U0DAVE"},
        }
    )
    assert (policy.fallback_channel, policy.digest_channel) == ("C0987654321", "G0PRIVATE")
    assert policy.chain == {"U0ALICE": "W0CAROL", "W0CAROL": "U0DAVE"}


@pytest.mark.parametrize("key", ["max_new_offers_per_hour", "max_open_offers_per_assignee"])
@pytest.mark.parametrize("value", [-1, 1.5, "30", True, 1_000_001])
def test_an_offer_limit_is_a_whole_number_from_0(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as refused:
        policy_from_mapping({"policy": {key: value}})
    assert key in str(refused.value)
    assert "\n" not in str(refused.value)


def test_an_offer_limit_of_0_is_no_limit() -> None:
    limits = policy_from_mapping(
        {"policy": {"max_new_offers_per_hour": 0, "max_open_offers_per_assignee": 12}}
    ).supervision.offer_limits
    assert (limits.new_per_hour, limits.open_per_assignee) == (0, 12)
