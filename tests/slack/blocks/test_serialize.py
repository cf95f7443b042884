"""bot.slack.blocks.serialize.to_dict gives what slack_sdk's to_dict gives, errors included.
(tests/e2e/conftest.py also holds it to slack_sdk for every message and view rendered
end to end.)"""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.slack.blocks.notices import CANCEL_CONFIRM
from bot.slack.blocks.serialize import rendered_once, to_dict
from bot.slack.ids import ActionId

SAMPLES: list[JsonObject] = [
    DividerBlock(),
    HeaderBlock(text="Your delegations"),
    SectionBlock(text=MarkdownTextObject(text="*bold* & <escaped>")),
    SectionBlock(
        fields=[MarkdownTextObject(text="*Due*\nFri"), MarkdownTextObject(text="*From*")],
        block_id="fields",
    ),
    ContextBlock(elements=[MarkdownTextObject(text="a note")]),
    ActionsBlock(
        block_id="offer_actions",
        elements=[
            ButtonElement(text="Accept", action_id=ActionId.ACCEPT, value="7", style="primary"),
            ButtonElement(
                text="Cancel",
                action_id=ActionId.CANCEL,
                value="7",
                style="danger",
                confirm=ConfirmObject(title="Sure?", text="It goes.", confirm="Yes", deny="No"),
            ),
        ],
    ),
    InputBlock(
        block_id="due",
        label="Due",
        optional=True,
        element=DatePickerElement(action_id="day", initial_date="2026-12-01"),
    ),
    InputBlock(
        block_id="task",
        label=PlainTextObject(text="Task", emoji=True),
        element=PlainTextInputElement(action_id="text", multiline=True, max_length=3000),
    ),
    InputBlock(block_id="who", label="Who", element=UserSelectElement(action_id="user")),
    InputBlock(  # Option defines its own to_dict: left to it
        block_id="every",
        label="Check in",
        element=StaticSelectElement(
            action_id="every",
            options=[Option(text="Daily", value="1d"), Option(text="Weekly", value="7d")],
            initial_option=Option(text="Daily", value="1d"),
        ),
    ),
    ConfirmObject(  # serialised here too, as slack_sdk's own to_dict() does
        title="Cancel it?", text=MarkdownTextObject(text="*Gone*"), style="danger"
    ),
    SectionBlock(text="plain string becomes mrkdwn", fields=[]),  # empty list: left out
    RichTextBlock(elements=[RichTextSectionElement(elements=[])]),  # empty allowed here
    View(
        type="modal",
        callback_id="delegate",
        title="Delegate",
        submit="Offer",
        close="Cancel",
        private_metadata='{"channel": "C1"}',
        blocks=[HeaderBlock(text="Hi"), DividerBlock()],
    ),
    View(type="home", blocks=[SectionBlock(text=MarkdownTextObject(text="x"))]),
]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: type(sample).__name__)
def test_same_dict_as_slack_sdk(sample: JsonObject) -> None:
    assert to_dict(sample) == sample.to_dict()


@pytest.mark.parametrize(
    "invalid",
    [
        HeaderBlock(text="x" * 151),
        SectionBlock(text=MarkdownTextObject(text="x" * 3001)),
        ActionsBlock(elements=[ButtonElement(text="b", action_id=f"a{n}") for n in range(26)]),
        ButtonElement(text="x" * 76, action_id="a"),
        View(type="modal", title="x" * 25, blocks=[]),
        View(type="home", blocks=[DividerBlock() for _ in range(101)]),
        ActionsBlock(block_id="ok", elements=[ButtonElement(text="b" * 80, action_id="deep")]),
        ConfirmObject(title="t" * 101, text="x"),
        ButtonElement(text="b", action_id="c", confirm=ConfirmObject(title="t", text="x" * 301)),
    ],
    ids=lambda sample: type(sample).__name__,
)
def test_same_error_as_slack_sdk(invalid: JsonObject) -> None:
    with pytest.raises(SlackObjectFormationError) as expected:
        invalid.to_dict()
    with pytest.raises(SlackObjectFormationError) as raised:
        to_dict(invalid)
    assert str(raised.value) == str(expected.value)


def test_a_class_that_serialises_itself_is_left_to_it() -> None:
    option = Option(text="Daily", value="1d", description="every weekday")
    assert to_dict(option) == option.to_dict()


def test_a_constant_is_rendered_once_as_slack_sdk_renders_it() -> None:
    dialog = ConfirmObject(title="Sure?", text="Gone.", confirm="Go", deny="Stay", style="danger")
    expected = dialog.to_dict()
    assert rendered_once(dialog) is dialog
    button = ButtonElement(text="b", action_id="c", confirm=dialog)
    assert to_dict(button)["confirm"] == expected == button.to_dict()["confirm"]
    assert to_dict(dialog) is to_dict(dialog)  # one rendering, not one per message


def test_the_cancel_dialog_is_what_slack_sdk_renders() -> None:
    assert to_dict(CANCEL_CONFIRM) == CANCEL_CONFIRM.to_dict()
