"""Telling people what went wrong, on the surface they used. Used by the app's one error
handler (before the ack) and by ``answers_errors`` (after it)."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import BoltResponse

from bot.domain.errors import DomainError
from bot.slack.blocks.help import refusal_message
from bot.slack.forms import block_for_error
from bot.slack.mrkdwn import escape
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    "Something went wrong on Steward's side and nothing was changed. Please try again in a minute."
)

Listener = TypeVar("Listener", bound=Callable[..., None])
EDGE = ("ack", "body")  # what the guard itself needs of every request


def answers_errors(runtime: Runtime) -> Callable[[Listener], Listener]:
    """For listeners that ack first: an error after the ack is answered privately here.

    (Bolt's own error path, taken after an ack, can reset the ack it is waiting for, so
    these errors must not reach it.) Bolt gives the guard ``ack`` and ``body`` whether or
    not the listener takes them.
    """

    def decorate(listener: Listener) -> Listener:
        wanted = inspect.signature(listener).parameters

        def guarded(**kwargs: Any) -> None:
            ack, body = kwargs["ack"], kwargs["body"]
            try:
                listener(**{name: value for name, value in kwargs.items() if name in wanted})
            except Exception as error:
                if ack.response is None or not isinstance(body, dict):
                    raise
                answer_error(runtime, error, body, None)

        # Bolt passes a listener the arguments its signature names: the listener's, and
        # the two the guard needs.
        named = [*EDGE, *(name for name in wanted if name not in EDGE)]
        guarded.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in named]
        )
        guarded.__name__ = listener.__name__
        guarded.__doc__ = listener.__doc__
        return guarded  # type: ignore[return-value]

    return decorate


def answer_error(
    runtime: Runtime, error: Exception, body: dict[str, Any], response: BoltResponse | None
) -> BoltResponse | None:
    """Tell the person what went wrong, on the surface they used; log the rest."""
    if isinstance(error, DomainError):
        message = error.user_message
        log.info("refused %s: %s", _kind(body), message)
    else:
        message = SOMETHING_WENT_WRONG
        log.error("listener failed on %s", _kind(body), exc_info=error)
    if response is not None:  # not acknowledged yet: the answer rides on the ack
        if body.get("type") == "view_submission":
            return _json(
                200, {"response_action": "errors", "errors": {_error_block(body, error): message}}
            )
        return _json(200, {"response_type": "ephemeral", **refusal_message(message).payload()})
    response_url = body.get("response_url") if isinstance(body.get("response_url"), str) else None
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    if response_url and isinstance(user, str):
        with runtime.work() as work:
            work.notifier.reply_privately(
                response_url=response_url, user_id=user, text=escape(message)
            )
    return None


def _error_block(body: dict[str, Any], error: Exception) -> str:
    callback_id = (body.get("view") or {}).get("callback_id")
    return block_for_error(
        callback_id if isinstance(callback_id, str) else None, getattr(error, "field", None)
    )


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("command") or body.get("type") or "request")


def _json(status: int, payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=json.dumps(payload),
        headers={"content-type": "application/json;charset=utf-8"},
    )
