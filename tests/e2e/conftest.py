"""Every Block Kit object the app turns into JSON in these tests is also turned into JSON
by slack_sdk's own ``to_dict``, and the two must agree (bot/slack/blocks/serialize.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject

from bot.slack.blocks import serialize


@pytest.fixture(autouse=True)
def serialised_as_slack_sdk_would(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fast = serialize.to_dict

    def checked(obj: JsonObject) -> dict[str, Any]:
        try:
            expected = obj.to_dict()
        except SlackObjectFormationError as error:
            with pytest.raises(SlackObjectFormationError, match=re.escape(str(error))):
                fast(obj)
            raise
        result = fast(obj)
        assert result == expected
        return result

    monkeypatch.setattr(serialize, "to_dict", checked)
    yield
