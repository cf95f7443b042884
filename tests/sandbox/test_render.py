"""The sandbox's Block Kit renderers, fed with the bot's own messages, modals and Home tab."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    BlockElement,
    DatePickerElement,
    ImageBlock,
    ImageElement,
    InputBlock,
    Option,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

import bot.slack.blocks
from bot.domain.details import ItemDetails
from bot.domain.digest import Digest, Figures, OpenItem
from bot.domain.home import Home, Section
from bot.domain.listing import OpenItems
from bot.slack.blocks import (
    change_modals,
    checkins,
    conversation,
    details,
    digest,
    escalation_notices,
    escalations,
    help,
    home,
    listing,
    modals,
    notices,
    offer,
)
from bot.slack.blocks.common import Rendered
from bot.slack.ids import ActionId, BlockId, CallbackId
from sandbox.mrkdwn import mrkdwn_to_html, mrkdwn_to_text
from sandbox.render_html import (
    SUPPORTED_BLOCKS,
    SUPPORTED_ELEMENTS,
    blocks_to_html,
    message_to_html,
    view_to_html,
)
from sandbox.render_text import blocks_to_text, message_to_text
from storage.enums import CheckinStatus, EventType
from storage.models import Checkin, Delegation, Escalation, EscalationNotice, Event

LEAD, ARI, BO, MIRA = "U0LEAD", "U0ARI", "U0BO", "U0MIRA"
NAMES = {LEAD: "lead", ARI: "ari", BO: "bo", MIRA: "mira"}
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
NY, BERLIN = "America/New_York", "Europe/Berlin"
TASK = "Prepare the Q4 board report\nwith *finance* numbers & the <draft> deck"
HOSTILE = (
    '<script>alert(1)</script> "><img src=x onerror=alert(2)> <!channel> <@U0LEAD> '
    "&lt;b&gt; <https://evil.example|click> `x` ' onmouseover='y"
)


# ----- the bot's surfaces, built with realistic data ------------------------------------------


def delegation(status: str = "accepted", **changes: Any) -> Delegation:
    values: dict[str, Any] = {
        "id": 7,
        "delegator_id": LEAD,
        "assignee_id": ARI,
        "task": TASK,
        "due_at": NOW + timedelta(days=3),
        "status": status,
        "created_at": NOW - timedelta(days=2),
        "updated_at": NOW,
        "checkin_every_s": 86_400,
        "next_checkin_at": NOW + timedelta(days=1),
    }
    return Delegation(**(values | changes))


def checkin(status: str | None = CheckinStatus.AT_RISK, note: str | None = None) -> Checkin:
    return Checkin(id=3, delegation_id=7, slot=NOW, sent_at=NOW, status=status, note=note)


def event(kind: str, actor: str = ARI, **data: Any) -> Event:
    return Event(id=11, delegation_id=7, type=kind, actor=actor, at=NOW, data=data)


def escalation(level: int = 2) -> Escalation:
    return Escalation(
        id=5,
        delegation_id=7,
        reason="checkin_unanswered",
        chain=[LEAD, MIRA, "C0LEADS"],
        level=level,
        target=[LEAD, MIRA, "C0LEADS"][level - 1],
        started_at=NOW - timedelta(hours=5),
        stalled_since=NOW - timedelta(hours=30),
        level_started_at=NOW - timedelta(hours=1),
        note="Finance is late",
        acknowledged_by=MIRA,
    )


def resolved() -> Escalation:
    ended = escalation()
    ended.status, ended.resolved_cause, ended.acknowledged_by = "resolved", "unblocked", None
    return ended


def listed(
    level: int = 2,
    *,
    status: str = "open",
    notice_level: int | None = None,
    answer: Checkin | str | None = "given",
) -> escalations.Listed:
    """One level of an escalation as its message lists it."""
    climbing = escalation(level)
    climbing.status = status
    climbing.acknowledged_by = MIRA if status == "acknowledged" else None
    climbing.resolved_cause = "checkin_answered" if status == "resolved" else None
    at = notice_level or level
    notice = EscalationNotice(
        id=at,
        escalation_id=5,
        level=at,
        recipient=climbing.chain[at - 1],
        message_key="k",
        sent_at=NOW,
    )
    last = checkin(note="Stuck") if answer == "given" else None
    return escalations.Listed(notice, climbing, delegation(), last)


def the_digest(*, lead: str | None = None, quiet: bool = False, task: str | None = TASK) -> Digest:
    start = NOW - timedelta(days=7)
    previous = Figures(start=start - timedelta(days=7), end=start, created=1, accepted=1)
    if quiet:
        return Digest(current=Figures(start=start, end=NOW), previous=previous, timezone=NY)
    current = Figures(
        start=start,
        end=NOW,
        created=5,
        accepted=3,
        declined=1,
        accept_p50_s=3 * 3600,
        accept_p90_s=10 * 3600,
        checkins_sent=4,
        checkins_answered=2,
        completed=2,
        completed_on_time=1,
        complete_p50_s=2 * 86_400,
        escalations=2,
        escalations_by_reason={"overdue": 1, "checkin_unanswered": 1},
        escalations_by_level={1: 1, 2: 1},
        acknowledged=1,
        acknowledge_p50_s=7200,
        open_items=3,
        overdue_items=1,
        stalled_items=1,
        oldest=[OpenItem(7, task, ARI, NOW - timedelta(days=9), None)],
        load=[(ARI, 2, 1), (BO, 1, 0)],
    )
    return Digest(current=current, previous=previous, timezone=NY, lead=lead)


def the_home() -> Home:
    offered = delegation("offered", id=1)
    accepted = delegation(id=2, overdue_at=NOW)
    mine = delegation(id=3, delegator_id=ARI, assignee_id=BO)
    escalated = delegation(id=4, delegator_id=BO, assignee_id=LEAD)
    return Home(
        to_me=Section(items=[offered, accepted], total=5),
        by_me=Section(items=[mine], total=1),
        escalated_to_me=Section(items=[escalated], total=1),
        escalations={4: escalation()},
        last_answers={2: checkin()},
    )


def the_details() -> ItemDetails:
    history = [
        event(EventType.CREATED, LEAD),
        event(EventType.CHECKIN_SENT, "system"),
        event(EventType.CHECKIN_ANSWERED, status="blocked", note="Waiting on finance"),
        event(EventType.ESCALATED, "system", to=LEAD, level=1),
        event(EventType.ESCALATED, LEAD, to="C0LEADS", level=2),
        event(EventType.DECLINED, reason="Out next week"),
        event(EventType.DUE_PROPOSED),
    ]
    return ItemDetails(delegation=delegation(overdue_at=NOW), history=history, earlier=2)


def proposal() -> Event:
    due, previous = NOW + timedelta(days=5), NOW + timedelta(days=3)
    return event(
        EventType.DUE_PROPOSED, due=due.isoformat(), previous=previous.isoformat(), reason="QA"
    )


Surface = Rendered | View
SURFACES: list[tuple[Callable[..., Surface], Callable[[], list[Surface]]]] = [
    (
        offer.offer_message,
        lambda: [offer.offer_message(delegation("offered"), assignee_tz=BERLIN)],
    ),
    (
        offer.settled_message,
        lambda: [
            offer.settled_message(delegation(status, decline_reason="Busy"), assignee_tz=None)
            for status in ("offered", "accepted", "declined", "completed", "cancelled")
        ],
    ),
    (
        checkins.checkin_message,
        lambda: [checkins.checkin_message(delegation(), checkin(None), tz=BERLIN, why="Daily.")],
    ),
    (
        checkins.checkin_settled_message,
        lambda: [
            checkins.checkin_settled_message(delegation(), checkin(note="Finance")),
            checkins.checkin_settled_message(delegation("cancelled"), checkin(None)),
        ],
    ),
    (
        checkins.risk_notice,
        lambda: [
            checkins.risk_notice(delegation(), checkin(note="Finance is late"), tz=NY),
            checkins.risk_notice(delegation(), checkin(CheckinStatus.BLOCKED), tz=NY),
        ],
    ),
    (checkins.reminder_message, lambda: [checkins.reminder_message(delegation(), tz=BERLIN)]),
    (checkins.note_modal, lambda: [checkins.note_modal(checkin(), CheckinStatus.BLOCKED)]),
    (
        conversation.question_message,
        lambda: [
            conversation.question_message(
                delegation("offered"), event("question_asked", question="Q3?"), answered=None
            ),
            conversation.question_message(
                delegation("offered"), event("question_asked", question="Q3?"), answered="Q4"
            ),
        ],
    ),
    (
        conversation.answer_message,
        lambda: [
            conversation.answer_message(
                delegation("offered"),
                event("question_asked", question="Which quarter?"),
                event("question_answered", LEAD, answer="Q4"),
            )
        ],
    ),
    (
        conversation.due_proposal_message,
        lambda: [
            conversation.due_proposal_message(delegation(), proposal(), tz=NY),
            conversation.due_proposal_message(delegation(), proposal(), tz=NY, outcome="Kept."),
        ],
    ),
    (
        conversation.due_decided_message,
        lambda: [
            conversation.due_decided_message(delegation(), approved=approved, tz=BERLIN)
            for approved in (True, False)
        ],
    ),
    (conversation.reassigned_notice, lambda: [conversation.reassigned_notice(delegation())]),
    (
        conversation.cancelled_notice,
        lambda: [conversation.cancelled_notice(delegation("cancelled"), actor=LEAD)],
    ),
    (
        escalations.escalation_list,
        lambda: [
            escalations.escalation_list([listed()], tz=NY, now=NOW),
            escalations.escalation_list([listed(1, answer=None)], tz=None, now=NOW),
            escalations.escalation_list([listed(2, status="acknowledged")], tz=NY, now=NOW),
            escalations.escalation_list([listed(2, status="resolved")], tz=NY, now=NOW),
            escalations.escalation_list([listed(1), listed(2, notice_level=1)], tz=NY, now=NOW),
        ],
    ),
    (
        escalation_notices.escalated_notice,
        lambda: [
            escalation_notices.escalated_notice(
                delegation(), escalation(level), to_assignee=to_assignee
            )
            for level, to_assignee in ((1, True), (3, False))
        ],
    ),
    (
        escalation_notices.picked_up_notice,
        lambda: [escalation_notices.picked_up_notice(delegation(), escalation())],
    ),
    (
        escalation_notices.resolved_notice,
        lambda: [escalation_notices.resolved_notice(delegation(), resolved())],
    ),
    (
        escalation_notices.listed_update,
        lambda: [escalation_notices.listed_update(delegation(), escalation(), what="resolved.")],
    ),
    (
        escalation_notices.reacknowledge_message,
        lambda: [escalation_notices.reacknowledge_message(delegation(), escalation(), now=NOW)],
    ),
    (
        escalation_notices.still_on_it_message,
        lambda: [escalation_notices.still_on_it_message(delegation())],
    ),
    (
        escalation_notices.escalate_modal,
        lambda: [escalation_notices.escalate_modal(delegation())],
    ),
    (
        escalation_notices.pass_up_modal,
        lambda: [escalation_notices.pass_up_modal(delegation(), escalation(1))],
    ),
    (
        notices.delegator_notice,
        lambda: [
            notices.delegator_notice(
                delegation(decline_reason="Out next week"), what=what, actor=ARI, delegator_tz=NY
            )
            for what in ("accepted", "declined", "completed", "cancelled")
        ],
    ),
    (
        digest.digest_message,
        lambda: [
            digest.digest_message(the_digest(), names=NAMES),
            digest.digest_message(the_digest(task=None), names=NAMES),
            digest.digest_message(the_digest(lead=LEAD)),
            digest.digest_message(the_digest(quiet=True)),
        ],
    ),
    (help.help_message, lambda: [help.help_message()]),
    (
        help.chain_message,
        lambda: [
            help.chain_message(ARI, [LEAD, MIRA, "C0LEADS"], configured=True),
            help.chain_message(ARI, ["C0LEADS"], configured=False),
        ],
    ),
    (help.quiet_message, lambda: [help.quiet_message(quiet=quiet) for quiet in (True, False)]),
    (help.refusal_message, lambda: [help.refusal_message("I can't read <when> as a date")]),
    (
        listing.confirmation_message,
        lambda: [
            listing.confirmation_message(delegation("offered"), delegator_tz=NY, tz_known=False)
        ],
    ),
    (
        listing.list_message,
        lambda: [
            listing.list_message(
                OpenItems(
                    to_me=[delegation(overdue_at=NOW)],
                    by_me=[delegation("offered", id=8, delegator_id=ARI, assignee_id=BO)],
                    truncated=True,
                    last_answers={7: checkin()},
                ),
                viewer_tz=NY,
            ),
            listing.list_message(OpenItems(to_me=[], by_me=[], truncated=False), viewer_tz=None),
        ],
    ),
    (home.home_view, lambda: [home.home_view(the_home(), viewer_tz=BERLIN)]),
    (details.details_modal, lambda: [details.details_modal(the_details(), viewer_tz=NY)]),
    (modals.decline_modal, lambda: [modals.decline_modal(delegation("offered"))]),
    (
        modals.delegate_modal,
        lambda: [
            modals.delegate_modal(channel_id="C0GENERAL"),
            modals.delegate_modal(channel_id=None, task=TASK, context_text="From #general"),
        ],
    ),
    (
        modals.question_modal,
        lambda: [
            modals.question_modal(
                callback_id=CallbackId.QUESTION_MODAL,
                metadata="7",
                title="A title longer than Slack's twenty-four",
                submit="Send",
                question=modals.TextQuestion(
                    block_id=BlockId.QUESTION,
                    action_id=ActionId.QUESTION_INPUT,
                    label="Your question",
                    max_length=500,
                    placeholder="Ask away",
                ),
                footnote="A footnote.",
            )
        ],
    ),
    (change_modals.ask_modal, lambda: [change_modals.ask_modal(delegation("offered"))]),
    (
        change_modals.answer_modal,
        lambda: [change_modals.answer_modal(delegation(), event("question_asked", question="?"))],
    ),
    (change_modals.propose_due_modal, lambda: [change_modals.propose_due_modal(delegation())]),
    (change_modals.reassign_modal, lambda: [change_modals.reassign_modal(delegation())]),
]


def payload(surface: Surface) -> dict[str, Any]:
    """What the bot sends Slack: a message's text and blocks, or a view."""
    if isinstance(surface, Rendered):
        return surface.payload()
    return surface.to_dict()


def all_payloads() -> Iterator[tuple[str, dict[str, Any]]]:
    for builder, build in SURFACES:
        for index, surface in enumerate(build()):
            yield f"{builder.__module__}.{builder.__name__}[{index}]", payload(surface)


def builder_functions() -> set[str]:
    """Every public function in bot/slack/blocks that returns a message or a view."""
    found: set[str] = set()
    for module_info in pkgutil.iter_modules(bot.slack.blocks.__path__):
        module = importlib.import_module(f"bot.slack.blocks.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            returns = function.__annotations__.get("return")
            ours = function.__module__ == module.__name__ and not name.startswith("_")
            if ours and returns in ("Rendered", "View", Rendered, View):
                found.add(f"{module.__name__}.{name}")
    return found


def types_used(node: Any, blocks: set[str], elements: set[str]) -> None:
    """The block types and element types anywhere in a payload (text objects left out)."""
    if isinstance(node, list):
        for item in node:
            types_used(item, blocks, elements)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "blocks":
            blocks.update(block["type"] for block in value)
        if key in ("elements", "accessory", "element"):
            for element in value if isinstance(value, list) else [value]:
                if element["type"] not in ("mrkdwn", "plain_text"):
                    elements.add(element["type"])
        types_used(value, blocks, elements)


# ----- a small DOM to read the HTML back ------------------------------------------------------

VOID = {"input", "hr", "img", "br"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def all(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.all()

    def find(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Nodes with that tag and attributes (``class_`` matches one of the classes)."""
        wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
        return [
            node
            for node in self.all()
            if (tag is None or node.tag == tag)
            and all(node.has(key, value) for key, value in wanted.items())
        ]

    def has(self, key: str, value: str) -> bool:
        if key == "class":
            return value in self.attrs.get("class", "").split()
        return self.attrs.get(key) == value

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value if value is not None else "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed tags"
    return builder.root


# tags and attributes the renderer may produce: anything else came from someone's text
ALLOWED_TAGS = {
    "div", "span", "b", "i", "s", "code", "pre", "blockquote", "br", "a", "hr", "button",
    "select", "option", "optgroup", "input", "textarea", "label", "footer", "figure", "img",
    "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "class", "href", "target", "rel", "type", "value", "selected", "disabled", "maxlength",
    "placeholder", "src", "alt", "label", "data-action-id", "data-block-id",
    "data-element-type", "data-value", "data-confirm", "data-dispatch", "data-optional",
    "data-view-id", "data-callback-id",
}  # fmt: skip


def assert_only_our_markup(root: Node) -> None:
    for node in root.all():
        assert node.tag in ALLOWED_TAGS, node
        assert set(node.attrs) <= ALLOWED_ATTRIBUTES, node
        if node.tag == "a":
            assert node.attrs["href"].startswith(("https://", "http://", "mailto:"))


def render(surface: Surface, **kwargs: Any) -> Node:
    data = payload(surface)
    if isinstance(surface, View):
        data["id"] = "V0TEST"
        return parse(view_to_html(data, names=NAMES, **kwargs))
    return parse(message_to_html(data, names=NAMES))


# ----- 1. everything the bot emits is covered ------------------------------------------------


def test_every_builder_of_the_bot_is_exercised_here() -> None:
    exercised = {f"{builder.__module__}.{builder.__name__}" for builder, _ in SURFACES}
    assert builder_functions() - exercised == set(), "add the new builder to SURFACES"


def test_every_block_and_element_type_the_bot_emits_is_supported() -> None:
    blocks: set[str] = set()
    elements: set[str] = set()
    for _, data in all_payloads():
        types_used(data, blocks, elements)
    assert blocks == {"header", "section", "context", "actions", "divider", "input"}
    assert elements == {
        "button",
        "static_select",
        "datepicker",
        "timepicker",
        "plain_text_input",
        "users_select",
    }
    assert blocks <= SUPPORTED_BLOCKS
    assert elements <= SUPPORTED_ELEMENTS


def test_every_block_kit_class_the_builders_import_is_supported() -> None:
    """Catches a new kind of block even before a builder's output is added above."""
    for module_info in pkgutil.iter_modules(bot.slack.blocks.__path__):
        module = importlib.import_module(f"bot.slack.blocks.{module_info.name}")
        for name, kind in vars(module).items():
            if inspect.isclass(kind) and getattr(kind, "type", None):
                if issubclass(kind, Block):
                    assert kind.type in SUPPORTED_BLOCKS, (module.__name__, name)
                elif issubclass(kind, BlockElement):
                    assert kind.type in SUPPORTED_ELEMENTS, (module.__name__, name)


PAYLOADS = list(all_payloads())
INTERACTIVE = ("button", "select", "input", "textarea")


@pytest.mark.parametrize("data", [data for _, data in PAYLOADS], ids=[n for n, _ in PAYLOADS])
def test_every_surface_renders_as_html_and_text(data: dict[str, Any]) -> None:
    if data.get("type") in ("modal", "home"):
        html = view_to_html({**data, "id": "V0TEST"}, names=NAMES)
        text = blocks_to_text(data["blocks"], names=NAMES)
    else:
        html = message_to_html(data, names=NAMES)
        text = message_to_text(data, names=NAMES)
    root = parse(html)
    assert root.find(class_="bk-unsupported") == []
    assert_only_our_markup(root)
    assert "unsupported" not in text and text.strip()
    controls = [
        node
        for node in root.all()
        if node.tag in INTERACTIVE
        and not node.has("class", "bk-close")
        and not node.has("class", "bk-submit")
    ]
    for control in controls:
        for attribute in ("data-action-id", "data-block-id", "data-element-type"):
            assert control.attrs.get(attribute), (attribute, control)


# ----- 2. what each block and element becomes ------------------------------------------------


def test_offer_buttons_carry_what_the_page_sends_back() -> None:
    root = render(offer.offer_message(delegation("offered"), assignee_tz=BERLIN))
    buttons = root.one(class_="bk-actions", data_block_id=BlockId.OFFER_ACTIONS).find("button")
    assert [(b.text, b.attrs["data-action-id"]) for b in buttons] == [
        ("Accept", ActionId.ACCEPT),
        ("Decline", ActionId.DECLINE),
        ("Ask a question", ActionId.ASK_QUESTION),
        ("Propose a new date", ActionId.PROPOSE_DUE),
    ]
    for button in buttons:
        assert button.attrs["type"] == "button"
        assert button.attrs["data-block-id"] == BlockId.OFFER_ACTIONS
        assert button.attrs["data-element-type"] == "button"
        assert button.attrs["data-value"] == "7"
        assert "data-confirm" not in button.attrs
    assert buttons[0].attrs["class"] == "bk-button bk-primary"
    assert buttons[1].attrs["class"] == "bk-button bk-danger"
    assert buttons[2].attrs["class"] == "bk-button"


def test_offer_text_fields_and_context() -> None:
    root = render(offer.offer_message(delegation("offered"), assignee_tz=BERLIN))
    first = root.find(class_="bk-section")[0]
    assert first.one(class_="bk-mention").text == "@lead"
    quote = first.one("blockquote")
    assert quote.text == "Prepare the Q4 board reportwith finance numbers & the <draft> deck"
    assert quote.one("b").text == "finance"  # the task's own *finance*, as Slack shows it
    assert len(quote.find("br")) == 1
    fields = [field.text for field in root.one(class_="bk-fields").find(class_="bk-field")]
    assert fields == ["DueFri 27 Nov 2026, 16:00 (Europe/Berlin)", "From@lead"]
    assert root.one(class_="bk-context").text.startswith("It only counts as yours")


def test_a_confirm_dialog_travels_as_json() -> None:
    notice = notices.delegator_notice(delegation(), what="accepted", actor=ARI, delegator_tz=NY)
    root = render(notice)
    cancel = root.one("button", data_action_id=ActionId.CANCEL)
    assert cancel.attrs["class"] == "bk-button bk-danger"
    confirm = json.loads(cancel.attrs["data-confirm"])
    assert confirm["title"]["text"] == "Cancel this delegation?"
    assert confirm["confirm"]["text"] == "Cancel it" and confirm["deny"]["text"] == "Keep it"
    assert root.one("button", data_action_id=ActionId.ESCALATE).attrs["data-value"] == "7"


def test_an_accessory_and_blocks_without_an_id_get_their_index() -> None:
    data = payload(digest.digest_message(the_digest(), names=NAMES))
    root = parse(message_to_html(data, names=NAMES))
    index = next(i for i, block in enumerate(data["blocks"]) if block.get("accessory"))
    section = root.one(class_="bk-section", data_block_id=f"b{index}")
    details_button = section.one(class_="bk-accessory").one("button")
    assert details_button.attrs["data-action-id"] == ActionId.ITEM_DETAILS
    assert details_button.attrs["data-block-id"] == f"b{index}"
    assert details_button.attrs["data-value"] == "7"
    assert root.one(class_="bk-header").text == "Delegation digest"
    assert root.find("hr", class_="bk-divider")
    assert "@ari\n2 open · 1 overdue" not in root.text  # fields are separate, no raw newlines
    assert [field.text for field in root.find(class_="bk-field")][-2:] == [
        "@ari2 open · 1 overdue",
        "@bo1 open",
    ]


def test_home_is_a_view_its_buttons_can_name() -> None:
    view = payload(home.home_view(the_home(), viewer_tz=BERLIN)) | {"id": "V0HOME"}
    root = parse(view_to_html(view, names=NAMES))
    home_view = root.one("div", class_="bk-home")
    assert home_view.attrs["data-view-id"] == "V0HOME"
    assert "bk-modal" not in home_view.attrs["class"] and not root.find(class_="bk-view-title")
    for index, block in enumerate(view["blocks"]):
        if block["type"] == "actions":
            actions = root.one(class_="bk-actions", data_block_id=f"b{index}")
            assert {b.attrs["data-block-id"] for b in actions.find("button")} == {f"b{index}"}
    acknowledge = root.one("button", data_action_id=ActionId.ACKNOWLEDGE)
    assert acknowledge.attrs["data-value"] == "5"  # the escalation's id, not the item's


def test_the_delegate_modal_as_a_form() -> None:
    root = render(modals.delegate_modal(channel_id=None, task=TASK, context_text="See #general"))
    modal = root.one("div", class_="bk-modal")
    assert "bk-view" in modal.attrs["class"].split()
    assert modal.attrs["data-view-id"] == "V0TEST"
    assert modal.attrs["data-callback-id"] == CallbackId.DELEGATE_MODAL
    assert modal.one(class_="bk-view-title").text == "Delegate a task"
    assert modal.one("button", class_="bk-submit").text == "Offer"
    assert modal.one("button", class_="bk-close").text == "Cancel"
    assert modal.one(class_="bk-close").attrs["type"] == "button"
    assert not modal.find(data_dispatch="1")

    assignee = modal.one(class_="bk-input", data_block_id=BlockId.NEW_ASSIGNEE)
    assert "data-optional" not in assignee.attrs
    assert assignee.one("label").text == "Who should do it?"
    people = assignee.one("select", data_action_id=ActionId.NEW_ASSIGNEE)
    assert people.attrs["data-element-type"] == "users_select"
    assert people.attrs["data-block-id"] == BlockId.NEW_ASSIGNEE
    options = people.find("option")
    assert options[0].attrs["value"] == "" and "disabled" in options[0].attrs
    assert [(o.attrs["value"], o.text) for o in options[1:]] == [
        (ARI, "ari"),
        (BO, "bo"),
        (LEAD, "lead"),
        (MIRA, "mira"),
    ]

    task = modal.one("textarea", data_action_id=ActionId.NEW_TASK)
    assert task.text == TASK and task.attrs["maxlength"] == "3000"
    assert task.attrs["data-block-id"] == BlockId.NEW_TASK
    context_field = modal.one("textarea", data_action_id=ActionId.NEW_CONTEXT)
    assert context_field.text == "See #general"

    due = modal.one(class_="bk-input", data_block_id=BlockId.NEW_DUE)
    assert due.attrs["data-optional"] == "1"
    assert due.one("label").text == "Due date (optional)"  # as Slack shows it
    date = due.one("input")
    assert (date.attrs["type"], date.attrs["data-element-type"]) == ("date", "datepicker")
    assert "value" not in date.attrs
    assert due.one(class_="bk-hint").text == "In your timezone."
    time = modal.one("input", data_action_id=ActionId.NEW_DUE_TIME)
    assert (time.attrs["type"], time.attrs["data-element-type"]) == ("time", "timepicker")

    cadence = modal.one("select", data_action_id=ActionId.NEW_CADENCE)
    values = [option.attrs["value"] for option in cadence.find("option")]
    assert values == ["", "1d", "2d", "7d", "none"]
    blank = cadence.find("option")[0]
    assert "selected" in blank.attrs and "disabled" not in blank.attrs  # optional: clearable
    assert root.find(class_="bk-error") == []


def test_errors_show_under_their_input() -> None:
    errors = {BlockId.NEW_TASK: "Say what should be done.", "elsewhere": "not shown"}
    root = render(modals.delegate_modal(channel_id=None), errors=errors)
    error = root.one(class_="bk-error")
    assert error.text == "Say what should be done."
    assert error in root.one(class_="bk-input", data_block_id=BlockId.NEW_TASK).children


def test_initial_values_of_every_input_element() -> None:
    cadence = StaticSelectElement(
        action_id="pick",
        placeholder="How often?",
        options=[Option(value="1d", label="Daily"), Option(value="7d", label="Weekly")],
        initial_option=Option(value="7d", label="Weekly"),
    )
    blocks = [
        InputBlock(
            label="When", element=DatePickerElement(action_id="d", initial_date="2026-11-27")
        ),
        InputBlock(label="At", element=TimePickerElement(action_id="t", initial_time="17:30")),
        InputBlock(label="Cadence", element=cadence),
        InputBlock(label="Who", element=UserSelectElement(action_id="u", initial_user=BO)),
        InputBlock(
            block_id="title",
            label="Title",
            element=modals.PlainTextInputElement(
                action_id="x", initial_value='A "quoted" <title>', max_length=80, placeholder="Hi"
            ),
        ),
    ]
    root = parse(blocks_to_html([block.to_dict() for block in blocks], names=NAMES))
    assert root.one("input", data_action_id="d").attrs["value"] == "2026-11-27"
    assert root.one("input", data_action_id="d").attrs["data-block-id"] == "b0"
    assert root.one("input", data_action_id="t").attrs["value"] == "17:30"
    chosen = root.one("select", data_action_id="pick").find("option", selected="")
    assert [(o.attrs["value"], o.text) for o in chosen] == [("7d", "Weekly")]
    assert root.one("select", data_action_id="pick").find("option")[0].text == "How often?"
    person = root.one("select", data_action_id="u").find("option", selected="")
    assert [o.attrs["value"] for o in person] == [BO]
    title = root.one("input", data_action_id="x")
    assert title.attrs["type"] == "text" and title.attrs["value"] == 'A "quoted" <title>'
    assert title.attrs["maxlength"] == "80" and title.attrs["placeholder"] == "Hi"
    assert title.attrs["data-block-id"] == "title"


def test_selects_outside_a_form_act_when_changed() -> None:
    select = StaticSelectElement(
        action_id="snooze", options=[Option(value="1h", label="An hour")], placeholder="Snooze"
    )
    blocks = [ActionsBlock(block_id="act", elements=[select]).to_dict()]
    element = parse(blocks_to_html(blocks, names=NAMES)).one("select")
    assert element.attrs["data-dispatch"] == "1" and element.attrs["class"] == "bk-select"
    assert element.attrs["data-element-type"] == "static_select"
    placeholder, option = element.find("option")
    assert placeholder.text == "Snooze" and {"disabled", "selected"} <= set(placeholder.attrs)
    assert (option.attrs["value"], option.text) == ("1h", "An hour")


def test_images_and_unknown_types() -> None:
    blocks = [
        ImageBlock(image_url="https://example.com/chart.png", alt_text="Weekly chart").to_dict(),
        {"type": "context", "elements": [ImageElement(image_url="javascript:x", alt_text="no")]},
        {"type": "rich_text", "elements": []},
        {"type": "actions", "elements": [{"type": "overflow", "action_id": "more"}]},
    ]
    blocks[1]["elements"] = [element.to_dict() for element in blocks[1]["elements"]]
    root = parse(blocks_to_html(blocks, names=NAMES))
    image = root.one("img")
    assert image.attrs["src"] == "https://example.com/chart.png"
    assert image.attrs["alt"] == "Weekly chart"
    assert root.one(class_="bk-context").text == "no"
    unsupported = root.find(class_="bk-unsupported")
    assert [(node.tag, node.text) for node in unsupported] == [
        ("div", "[unsupported block: rich_text]"),
        ("span", "[unsupported element: overflow]"),
    ]
    assert "[image: Weekly chart]" in blocks_to_text(blocks, names=NAMES)


def test_a_modal_without_submit_and_a_message_without_blocks() -> None:
    root = render(details.details_modal(the_details(), viewer_tz=NY))
    assert root.one(class_="bk-close").text == "Close" and not root.find(class_="bk-submit")
    assert root.one(class_="bk-view-title").text == "Delegation #7"
    text_only = {"text": "Only <@U0ARI> can answer *this* one."}
    shown = parse(message_to_html(text_only, names=NAMES))
    assert shown.one(class_="bk-text").text == "Only @ari can answer this one."
    assert shown.one("b").text == "this"


# ----- 3. nobody's text becomes markup ---------------------------------------------------------


def test_a_hostile_task_stays_text_in_every_message_about_it() -> None:
    item = delegation("offered", task=HOSTILE, decline_reason=HOSTILE)
    surfaces: list[Surface] = [
        offer.offer_message(item, assignee_tz=BERLIN),
        notices.delegator_notice(item, what="declined", actor=ARI, delegator_tz=NY),
        help.refusal_message(HOSTILE),
        modals.delegate_modal(channel_id=None, task=HOSTILE, context_text=HOSTILE),
        listing.list_message(OpenItems(to_me=[item], by_me=[], truncated=False), viewer_tz=NY),
    ]
    for surface in surfaces:
        root = render(surface)
        assert_only_our_markup(root)
        assert not root.find("script") and not root.find("img") and not root.find("a")
        assert {node.text for node in root.find(class_="bk-mention")} <= {"@lead", "@ari"}
        for node in root.all():
            assert not any(name.startswith("on") for name in node.attrs)
    offered = render(offer.offer_message(item, assignee_tz=BERLIN)).one("blockquote")
    # every character as typed, &lt;b&gt; included; only mrkdwn's own markers still format
    assert offered.text == HOSTILE.replace("`x`", "x")
    assert offered.one("code").text == "x"
    declined = render(notices.delegator_notice(item, what="declined", actor=ARI, delegator_tz=NY))
    assert declined.text.count(HOSTILE.replace("`x`", "x")) == 2  # the task and the reason
    form = render(modals.delegate_modal(channel_id=None, task=HOSTILE))
    assert form.one("textarea", data_action_id=ActionId.NEW_TASK).text == HOSTILE


def test_hostile_names_ids_values_and_plain_text() -> None:
    names = {ARI: '<b>ari</b>" onclick="x'}
    sneaky = "x' onclick='alert(1)' data-y=\"z\""
    blocks = [
        {
            "type": "actions",
            "block_id": sneaky,
            "elements": [
                {
                    "type": "button",
                    "action_id": sneaky,
                    "value": sneaky,
                    "text": {"type": "plain_text", "text": "&lt;i&gt;hi&lt;/i&gt; <u>raw</u>"},
                    "confirm": {"title": {"type": "plain_text", "text": sneaky}},
                },
                {"type": "users_select", "action_id": "who"},
            ],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "<@U0ARI> and <!channel>"}},
        {"type": "header", "text": {"type": "plain_text", "text": "<script>x</script>"}},
    ]
    root = parse(blocks_to_html(blocks, names=names))
    assert_only_our_markup(root)
    button = root.one("button")
    assert button.attrs["data-action-id"] == sneaky == button.attrs["data-block-id"]
    assert button.attrs["data-value"] == sneaky
    assert json.loads(button.attrs["data-confirm"])["title"]["text"] == sneaky
    assert button.text == "<i>hi</i> <u>raw</u>"
    assert root.one("option", value=ARI).text == names[ARI]
    mentions = [node.text for node in root.find(class_="bk-mention")]
    assert mentions == ['@<b>ari</b>" onclick="x', "@channel"]
    assert root.one(class_="bk-header").text == "<script>x</script>"


def test_only_web_and_mail_links_are_links() -> None:
    text = (
        "<javascript:alert(1)|click> <data:text/html,x|data> "
        '<https://ok.example/?a=1&amp;b=2|ok> <http://x.example/"onmouseover=1>'
    )
    root = parse(mrkdwn_to_html(text, names=NAMES))
    links = [(a.attrs["href"], a.text) for a in root.find("a")]
    assert links == [
        ("https://ok.example/?a=1&b=2", "ok"),
        ('http://x.example/"onmouseover=1', 'http://x.example/"onmouseover=1'),
    ]
    assert all(
        a.attrs["target"] == "_blank" and a.attrs["rel"] == "noopener" for a in root.find("a")
    )
    assert root.text.startswith("click data ok")


# ----- 4. mrkdwn, and the terminal's text -----------------------------------------------------


@pytest.mark.parametrize(
    "mrkdwn, html",
    [
        ("*bold* _italic_ ~struck~", "<b>bold</b> <i>italic</i> <s>struck</s>"),
        ("snake_case_name, 2*3*4 and a * b *", "snake_case_name, 2*3*4 and a * b *"),
        ("*Due*\nFri", "<b>Due</b><br>Fri"),
        ("`a *b* &lt;c&gt;` *d*", "<code>a *b* &lt;c&gt;</code> <b>d</b>"),
        ("run:\n```x = 1\n*y* &amp; z```\ndone", "run:<pre>x = 1\n*y* &amp; z</pre>done"),
        (">quoted *q*\n>two\nafter", "<blockquote>quoted <b>q</b><br>two</blockquote>after"),
        ("&gt; not a quote", "&gt; not a quote"),
        (
            "<@U0LEAD> <@U0NOBODY>",
            '<span class="bk-mention">@lead</span> <span class="bk-mention">@U0NOBODY</span>',
        ),
        (
            "<#C0TEAM|team> <#C0LEADS>",
            '<span class="bk-mention">#team</span> <span class="bk-mention">#C0LEADS</span>',
        ),
        (
            "<!here> <!everyone>",
            '<span class="bk-mention">@here</span> <span class="bk-mention">@everyone</span>',
        ),
        ("<!subteam^S0ENG|@eng>", '<span class="bk-mention">@eng</span>'),
        ("<!date^1700000000^{date_short}|14 Nov 2023>", "14 Nov 2023"),
        (
            "<https://example.com>",
            '<a href="https://example.com" target="_blank" rel="noopener">https://example.com</a>',
        ),
        (
            "<mailto:a@example.com|write>",
            '<a href="mailto:a@example.com" target="_blank" rel="noopener">write</a>',
        ),
        ("<ftp://files.example|files>", "files"),
        ("R&amp;D &lt;b&gt; &amp;lt;", "R&amp;D &lt;b&gt; &amp;lt;"),
        (":tada: at 10:30:00 :not_an_emoji:", "🎉 at 10:30:00 :not_an_emoji:"),
        ("*From <@U0LEAD>*", '<b>From <span class="bk-mention">@lead</span></b>'),
    ],
)
def test_mrkdwn_to_html(mrkdwn: str, html: str) -> None:
    assert mrkdwn_to_html(mrkdwn, names=NAMES) == html


@pytest.mark.parametrize(
    "mrkdwn, text",
    [
        ("*bold* _it_ ~s~ `code`", "bold it s `code`"),
        ("<@U0LEAD> in <#C0TEAM|team>, <!here>", "@lead in #team, @here"),
        (
            "<https://x.example|the doc> <https://y.example>",
            "the doc (https://x.example) https://y.example",
        ),
        (">R&amp;D\n>&lt;b&gt;\nend", "> R&D\n> <b>\nend"),
        ("```\ncode &lt;\n```", "code <"),
    ],
)
def test_mrkdwn_to_text(mrkdwn: str, text: str) -> None:
    assert mrkdwn_to_text(mrkdwn, names=NAMES) == text


def test_the_offer_in_a_terminal() -> None:
    text = message_to_text(
        payload(offer.offer_message(delegation("offered"), assignee_tz=BERLIN)), names=NAMES
    )
    assert text.splitlines() == [
        "@lead would like to hand you a task.",
        "> Prepare the Q4 board report",
        "> with finance numbers & the <draft> deck",
        "  Due: Fri 27 Nov 2026, 16:00 (Europe/Berlin)",
        "  From: @lead",
        "[Accept] [Decline] [Ask a question] [Propose a new date]",
        "  · It only counts as yours once you accept. Declining asks for a reason; a question "
        "pauses the acceptance clock until it is answered.",
    ]


def test_headers_dividers_accessories_and_forms_in_a_terminal() -> None:
    help_text = message_to_text(payload(help.help_message()), names=NAMES)
    assert help_text.startswith("Delegating with Steward\n=======================\n")
    assert "`/delegate @person <task> [by <when>]`" in help_text
    listed = listing.list_message(
        OpenItems(to_me=[delegation()], by_me=[], truncated=False), viewer_tz=NY
    )
    assert "----" in message_to_text(payload(listed), names=NAMES).splitlines()
    digest_text = message_to_text(payload(digest.digest_message(the_digest())), names=NAMES)
    assert "#7 Prepare the Q4 board report · @ari · open 9 days  [Details]" in digest_text
    form = modals.delegate_modal(channel_id=None, task="Renew the TLS certificate").to_dict()
    assert blocks_to_text(form["blocks"], names=NAMES).splitlines() == [
        "Who should do it?: ____ (a person)",
        "Task: Renew the TLS certificate",
        "Due date (optional): ____-__-__",
        "  In your timezone.",
        "Due time (optional): __:__",
        "  Without a time, the end of the working day.",
        "Check-ins (optional): [Daily | Every 2 days | Weekly | No check-ins]",
        "  Without a choice, the team's usual cadence.",
        "Context (optional): ____",
    ]
    assert message_to_text({"text": "Hi <@U0BO>, *welcome*"}, names=NAMES) == "Hi @bo, welcome"
