"""The answer to ``/delegate help``."""

from __future__ import annotations

from slack_sdk.models.blocks import HeaderBlock, MarkdownTextObject, SectionBlock

from bot.slack.blocks.common import Rendered, context
from bot.slack.blocks.escalations import address
from bot.slack.mrkdwn import escaped_clip, mention

HELP_TEXT = """\
*Hand a task to someone:* `/delegate @person &lt;task&gt; [by &lt;when&gt;]`
• `/delegate @alice Prepare the Q3 report by friday`
• `/delegate @bob Renew the TLS certificate by tomorrow 17:00`
• `/delegate @carol Draft the hiring plan by in 3 days every 2d`
• `/delegate @dan "Review the doc written by the platform team" by 2026-12-01`

_when_ is read in your own Slack timezone; a day without a time means the end of that \
working day. `every 2d` (or `every 12h`, `every week`) sets how often I check in once \
it is accepted. If your task itself contains "by", put the task in quotes.

The person gets a direct message with *Accept* and *Decline*. It only counts as delegated \
once they accept; you hear back either way.

*Other commands*
• `/delegate list`: your open items, both the ones you handed out and the ones you took on
• `/delegate chain @person`: who their escalations go to, in order (yours, or of someone \
below you in the chain)
• `/delegate quiet on` / `off`: mute routine updates (escalations and requests still come)
• `/delegate`: a form instead of typing
• `/delegate help`: this message"""


def help_message() -> Rendered:
    return Rendered(
        text="How to use /delegate",
        blocks=[
            HeaderBlock(text="Delegating with Steward"),
            SectionBlock(text=MarkdownTextObject(text=HELP_TEXT)),
            context("Only the person a task is delegated to can accept or decline it."),
        ],
    )


def chain_message(user_id: str, climb: list[str], *, configured: bool) -> Rendered:
    steps = [address(step) for step in climb]
    if not configured:  # no manager: whoever delegated the item is asked first
        steps.insert(0, "whoever delegated the item")
    text = f"Escalations for {mention(user_id)} go to: {_climb(steps, limit=2900)}"
    note = (
        "From the [chain] table in the policy file; each level has escalation_timeout "
        "(in their working hours) to acknowledge before the next is told."
        if configured
        else f"No manager is configured for {mention(user_id)}: the person who delegated the "
        "item is asked first, then the fallback channel."
    )
    return Rendered(
        text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text)), context(note)]
    )


def _climb(steps: list[str], *, limit: int) -> str:
    """The steps in order, and "…and N more" for those past ``limit`` characters."""
    shown = " → ".join(steps)
    if len(shown) <= limit:
        return shown or "nobody"
    fitting: list[str] = []
    for step in steps:
        more = f" → …and {len(steps) - len(fitting) - 1} more"
        if len(" → ".join([*fitting, step])) + len(more) > limit:
            break
        fitting.append(step)
    return " → ".join(fitting) + f" → …and {len(steps) - len(fitting)} more"


def quiet_message(*, quiet: bool) -> Rendered:
    text = (
        ":zipper_mouth_face: Quiet mode is on. Routine updates (accepted, done, heads-ups) "
        "stay in the App Home; escalations, questions, proposals, check-ins and declines "
        "still come to you. `/delegate quiet off` to undo."
        if quiet
        else ":bell: Quiet mode is off: every update about your items comes by DM again."
    )
    return Rendered(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def refusal_message(reason: str) -> Rendered:
    """A friendly no: what was wrong, and how to write it. ``reason`` may quote what the
    person typed, so it is escaped like any user text."""
    safe = escaped_clip(reason, 2900)
    return Rendered(
        text=f":warning: {safe}",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f":warning: {safe}")),
            context("Nothing was created. `/delegate help` shows examples."),
        ],
    )
