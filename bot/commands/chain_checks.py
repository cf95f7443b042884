"""The reporting chain's problems, told by `steward check` and warned of by `steward serve`."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config.settings import Settings
from bot.domain.chain import find_loops


def chain_loops(chain: Mapping[str, str]) -> list[str]:
    return [
        "The [chain] loops: " + " → ".join(loop) + " (escalations stop where it would repeat)."
        for loop in find_loops(chain)
    ]


def chain_people(settings: Settings) -> list[str]:
    """Everyone named in [chain] must be a current, human member of the workspace."""
    client = WebClient(base_url=settings.api_url, token=settings.bot_token, timeout=10)
    people = sorted(set(settings.policy.chain) | set(settings.policy.chain.values()))
    problems = []
    for user_id in people:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "user_not_found":
                problems.append(f"[chain] names {user_id}, who is not in this workspace.")
            else:
                problems.append(f"Could not look up {user_id} from [chain] ({reason}).")
            continue
        except (SlackClientError, OSError) as error:
            return [f"Could not look up the people in [chain] ({error})."]
        if user.get("deleted"):
            problems.append(f"[chain] names {user_id}, whose account is deactivated.")
        elif user.get("is_bot"):
            problems.append(f"[chain] names {user_id}, which is a bot.")
    return problems
