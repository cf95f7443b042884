"""Publishing a person's App Home: on opening the tab, and whenever an item they are part
of changes (the notifier queues a refresh; delivery publishes the state of that moment)."""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.domain.home import home_for
from bot.slack.blocks import serialize
from bot.slack.blocks.home import home_view
from storage.db import reading
from storage.slack_cache import get_user


def publish_home(engine: Engine, client: WebClient, user_id: str) -> None:
    with reading(engine) as session:
        user = get_user(session, user_id=user_id)
        view = home_view(home_for(session, user_id=user_id), viewer_tz=user.tz if user else None)
    client.views_publish(user_id=user_id, view=serialize.to_dict(view))
