"""Can Steward post to the digest and fallback channels? Told by `steward check`, warned of by
`steward serve`. Slack refuses a post to a public channel the bot is not in (`not_in_channel`)
unless the app has `chat:write.public`, and any post to an archived or unseen private one."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config.settings import Settings

INVITE = "invite the bot with /invite @Steward in that channel"
# What to do about each refusal of a post to a channel (the check's words, and the hint
# beside a parked message that Slack refused so).
FIXES = {
    "not_in_channel": f"{INVITE}, or add the chat:write.public scope to the app",
    "channel_not_found": f"check the channel id; for a private channel, {INVITE}",
    "is_archived": "the channel is archived: unarchive it or choose another one",
}


def channel_problems(settings: Settings, notes: list[str] | None = None) -> list[str]:
    """Each configured channel must take the bot's posts (conversations.info)."""
    policy = settings.policy
    configured = [
        (key, channel)
        for key, channel in (
            ("digest_channel", policy.digest_channel),
            ("fallback_channel", policy.fallback_channel),
        )
        if channel
    ]
    client = WebClient(base_url=settings.api_url, token=settings.bot_token, timeout=10)
    problems = []
    for key, channel in configured:
        try:
            response = client.conversations_info(channel=channel)
        except SlackApiError as error:
            problems.append(_refused(key, channel, error.response.data))
            continue
        except (SlackClientError, OSError) as error:
            return [f"Could not check digest_channel and fallback_channel ({error})."]
        info = response["channel"]
        name = f"#{info.get('name') or channel} ({channel})"
        scopes = str(response.headers.get("X-OAuth-Scopes") or "").split(",")
        if info.get("is_archived"):
            problems.append(f"{key} {name} cannot take Steward's posts: {FIXES['is_archived']}.")
        elif info.get("is_member") or (
            "chat:write.public" in scopes and not info.get("is_private")
        ):
            if notes is not None:
                notes.append(f"{key} {name}: Steward can post there")
        else:
            problems.append(
                f"Steward is not a member of {key} {name}, so Slack refuses its posts "
                f"(not_in_channel): {FIXES['not_in_channel']}."
            )
    return problems


def _refused(key: str, channel: str, answer: object) -> str:
    reason = answer.get("error") if isinstance(answer, dict) else None
    if reason == "channel_not_found":
        return f"{key} {channel} was not found: {FIXES['channel_not_found']}."
    if reason == "missing_scope":
        return (
            f"Cannot check {key} {channel}: the bot token lacks channels:read (groups:read for "
            "a private channel); add them to the app's bot scopes and reinstall it."
        )
    return f"Could not check {key} {channel} ({reason})."


def parked_hint(reason: str | None) -> str:
    """What to do about a message Slack refused for its channel; "" for other reasons."""
    fix = FIXES.get(reason or "")
    return f" To fix: {fix}." if fix else ""
