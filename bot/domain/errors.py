"""Errors that carry a message fit to show the person who caused them."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out; ``user_message`` says why, in plain words.

    ``field`` names the part of the request at fault ("assignee", "task", "due"), so a form
    can show the message beside that field.
    """

    def __init__(self, user_message: str, *, field: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.field = field


class BadInput(DomainError):
    """What was asked for is malformed or impossible (no assignee, past date, ...)."""


class NotAllowed(DomainError):
    """The person is not the one who may do this to this item."""


class InvalidTransition(DomainError):
    """The item has moved on (already accepted, declined, done ...)."""


class NotFound(DomainError):
    """No such item."""


class OverLimit(DomainError):
    """More than the policy allows one person for now (new offers in an hour, ...)."""
