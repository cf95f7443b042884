"""Who people are (timezone, bot or not), from Slack's users.info, remembered in the database."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine

from bot.domain.ports import Clock, DirectoryUnavailable, Person
from storage.db import reading, unit_of_work
from storage.models import SlackUser
from storage.slack_cache import get_user, save_user

log = logging.getLogger(__name__)

CACHE_TTL = timedelta(hours=12)
MEMORY_TTL = timedelta(minutes=10)
# users.info runs while Slack waits for our ack: never let it take the 3 seconds.
LOOKUP_TIMEOUT_SECONDS = 1


class SlackDirectory:
    def __init__(self, *, engine: Engine, client: WebClient, clock: Clock) -> None:
        self._engine = engine
        self._client = client
        self._clock = clock
        # Per process, in front of the database cache: the ack path reads it twice a command.
        self._memory: dict[str, tuple[Person, datetime]] = {}

    def lookup(self, user_id: str) -> Person | None:
        now = self._clock.now()
        if (remembered := self.remembered(user_id)) is not None:
            return remembered
        with reading(self._engine) as session:
            cached = get_user(session, user_id=user_id)
            if cached is not None and now - cached.fetched_at < CACHE_TTL:
                return self._remember(_from_cache(cached), now)
        try:
            response = self._client.users_info(user=user_id)
        except SlackApiError as error:
            if error.response.get("error") == "user_not_found":
                return None
            log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
            return self._stale_or_unavailable(cached, error)
        except (SlackClientError, OSError) as error:
            log.warning("users.info unreachable for %s: %s", user_id, error)
            return self._stale_or_unavailable(cached, error)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name")
        is_bot = bool(user.get("is_bot")) or user_id == "USLACKBOT"
        with unit_of_work(self._engine) as session:
            saved = save_user(
                session,
                user_id=user_id,
                name=name,
                tz=user.get("tz"),
                is_bot=is_bot,
                deleted=bool(user.get("deleted")),
                fetched_at=now,
            )
        return self._remember(_from_cache(saved), now)

    def remembered(self, user_id: str) -> Person | None:
        """The person as this process last looked them up, if that was lately (within
        MEMORY_TTL); None otherwise. Asks neither the database nor Slack."""
        remembered = self._memory.get(user_id)
        if remembered is not None and self._clock.now() - remembered[1] < MEMORY_TTL:
            return remembered[0]
        return None

    def _remember(self, person: Person, now: datetime) -> Person:
        self._memory[person.user_id] = (person, now)
        return person

    def known_tz(self, user_id: str) -> str | None:
        if (remembered := self.remembered(user_id)) is not None:
            return remembered.tz
        with reading(self._engine) as session:
            cached = get_user(session, user_id=user_id)
            return cached.tz if cached else None

    @staticmethod
    def _stale_or_unavailable(cached: SlackUser | None, error: Exception) -> Person:
        if cached is not None:  # an old answer beats no answer while Slack is away
            return _from_cache(cached)
        raise DirectoryUnavailable(str(error)) from error


def _from_cache(user: SlackUser) -> Person:
    return Person(
        user_id=user.user_id, name=user.name, tz=user.tz, is_bot=user.is_bot, deleted=user.deleted
    )
