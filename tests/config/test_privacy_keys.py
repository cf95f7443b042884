"""The policy keys that say who sees what: ``admins`` and ``digest_shows_tasks``."""

from __future__ import annotations

import pytest

from bot.config.policy_values import ConfigError
from bot.config.settings import Policy, is_admin, policy_from_mapping


def test_by_default_nobody_is_an_admin_and_the_digest_names_no_task() -> None:
    policy = policy_from_mapping({})
    assert policy == Policy()
    assert not is_admin(policy, "U0ANYONE")
    assert policy.digest.shows_tasks is False


def test_admins_and_digest_shows_tasks_are_read() -> None:
    policy = policy_from_mapping(
        {"policy": {"admins": ["U0ADMIN", "W0GRID"], "digest_shows_tasks": True}}
    )
    assert is_admin(policy, "U0ADMIN") and is_admin(policy, "W0GRID")
    assert not is_admin(policy, "U0OTHER")
    assert policy.digest.shows_tasks is True


@pytest.mark.parametrize(
    "admins", ["U0ADMIN", ["C0CHANNEL"], ["u0lower"], [""], [7], {"U0ADMIN": True}]
)
def test_admins_must_be_a_list_of_user_ids(admins: object) -> None:
    with pytest.raises(ConfigError, match=r"\[policy\] admins must be a list of Slack user ids"):
        policy_from_mapping({"policy": {"admins": admins}})


def test_digest_shows_tasks_must_be_true_or_false() -> None:
    with pytest.raises(ConfigError, match="digest_shows_tasks must be true or false"):
        policy_from_mapping({"policy": {"digest_shows_tasks": "yes"}})
