"""Reading the text of ``/delegate`` into a typed request. Pure: no Slack calls, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.delegations import MAX_TASK_LENGTH, task_too_long
from bot.domain.errors import BadInput
from bot.slack.mrkdwn import unescape

# With should_escape: true Slack sends a typed mention as <@U123|name> or <@U123>.
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_UNRESOLVED = re.compile(r"^@\S+")
_QUOTED = re.compile(r'^["“](?P<task>.*?)["”]\s*(?P<rest>.*)$', re.DOTALL)
# The clauses are searched for, so each pattern must take linear time on any text: a run of
# whitespace is entered only at its start (``(?<!\s)``), and every repeat is possessive, so
# nothing is tried twice. (With ``(?:^|\s+)``, each of n spaces started a scan of the rest
# of the run: 40,000 spaces took 22 s.) They find what ``(?:^|\s+)by\s+`` and the like did.
_CLAUSE_START = r"(?:^|(?<!\s)\s++)"
_BY = re.compile(_CLAUSE_START + r"by\s++", re.IGNORECASE)
# A due-date phrase is short; a longer tail after " by " is part of the task.
_MAX_DUE_WORDS = 5

USAGE = "/delegate @person <task> [by <when>] [every <interval>]"
# The task and room around it for the mention (with the name Slack adds), "by <when>" and
# "every <interval>". Longer text is refused before any pattern reads it.
MAX_COMMAND_LENGTH = MAX_TASK_LENGTH + 300
MIN_CADENCE = timedelta(hours=1)
MAX_CADENCE = timedelta(days=365)
_EVERY = re.compile(
    _CLAUSE_START + r"every\s++(?:(?P<count>\d++)\s*+)?(?P<unit>h|hours?|d|days?|w|weeks?)\s*+$",
    re.IGNORECASE,
)
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class HelpRequest:
    pass


@dataclass(frozen=True)
class ListRequest:
    pass


@dataclass(frozen=True)
class ModalRequest:
    pass


@dataclass(frozen=True)
class ChainRequest:
    user_id: str


@dataclass(frozen=True)
class QuietRequest:
    quiet: bool


@dataclass(frozen=True)
class DelegateRequest:
    assignee_id: str
    task: str
    due_phrase: str | None
    checkin_every: timedelta | None = None


CommandRequest = (
    HelpRequest | ListRequest | ModalRequest | ChainRequest | QuietRequest | DelegateRequest
)


def opens_modal(text: str) -> bool:
    """Whether ``/delegate`` with this text opens the form: there is no text."""
    return not _cleaned(text)


def _cleaned(text: str) -> str:
    # NUL means nothing in a message, and PostgreSQL cannot store it in a text column.
    return text.replace("\x00", "").strip()


def parse_command_text(text: str) -> CommandRequest:
    stripped = _cleaned(text)
    if not stripped:
        return ModalRequest()
    if len(stripped) > MAX_COMMAND_LENGTH:
        raise task_too_long(len(stripped))
    keyword = stripped.lower()
    if keyword in ("help", "-h", "--help", "?"):
        return HelpRequest()
    if keyword in ("list", "ls"):
        return ListRequest()
    if keyword in ("quiet on", "quiet off"):
        return QuietRequest(quiet=keyword.endswith("on"))
    if keyword == "quiet" or keyword.startswith("quiet "):
        raise BadInput("Say `/delegate quiet on` or `/delegate quiet off`.")
    if keyword == "chain" or keyword.startswith("chain "):
        return _parse_chain(stripped[len("chain") :].strip())
    return _parse_delegation(stripped)


def _parse_chain(rest: str) -> ChainRequest:
    match = _MENTION.match(rest)
    if match is None or rest[match.end() :].strip():
        raise BadInput("Mention one person: `/delegate chain @person`.")
    return ChainRequest(user_id=match.group(1))


def _parse_delegation(text: str) -> DelegateRequest:
    match = _MENTION.match(text)
    if match is None:
        if _UNRESOLVED.match(text):
            raise BadInput(
                f"I don't know who {text.split()[0]} is. Pick the person from Slack's "
                f"@-autocomplete so the mention turns blue, e.g. `{USAGE}`."
            )
        raise BadInput(f"Start with an @mention of who should do it: `{USAGE}`.")
    assignee_id = match.group(1)
    rest = text[match.end() :].strip()
    if _MENTION.match(rest):
        raise BadInput("Delegate to one person at a time; mention only one teammate.")
    # The task as typed: "R&D" arrives as "R&amp;D" and is escaped again wherever it is shown.
    rest, checkin_every = split_cadence(unescape(rest))
    task, due_phrase = split_due(rest)
    return DelegateRequest(
        assignee_id=assignee_id, task=task, due_phrase=due_phrase, checkin_every=checkin_every
    )


def split_cadence(rest: str) -> tuple[str, timedelta | None]:
    """Take a trailing "every 2d" / "every 3 days" / "every week" off the text."""
    match = _EVERY.search(rest)
    if match is None:
        return rest, None
    count, unit = int(match.group("count") or 1), _UNIT[match.group("unit")[0].lower()]
    if count > MAX_CADENCE // unit:  # compared before multiplying: a huge count overflows
        raise BadInput(
            "Check in at least once a year: try `every week` or `every 30d`.", field="cadence"
        )
    every = count * unit
    if every < MIN_CADENCE:
        raise BadInput(
            "Check in at most every hour: try `every 4h` or `every 2d`.", field="cadence"
        )
    return rest[: match.start()].rstrip(), every


def split_due(rest: str) -> tuple[str, str | None]:
    """Split "<task> by <when>" at its last " by ".

    A quoted task ("…" by friday) is taken whole, so a task may itself contain "by".
    Without quotes, a tail of more than a few words after the last " by " is not a date
    but part of the task ("Review the plan written by the platform team last quarter").
    """
    quoted = _QUOTED.match(rest)
    if quoted:
        tail = quoted.group("rest").strip()
        if not tail:
            return quoted.group("task").strip(), None
        by = re.match(r"^by\s+(.+)$", tail, re.IGNORECASE | re.DOTALL)
        if not by:
            raise BadInput(f'After the quoted task, only "by <when>" may follow: `{USAGE}`.')
        return quoted.group("task").strip(), by.group(1).strip()
    splits = list(_BY.finditer(rest))
    if not splits:
        return rest, None
    last = splits[-1]
    tail = rest[last.end() :].strip()
    if not tail or len(tail.split()) > _MAX_DUE_WORDS:
        return rest, None
    return rest[: last.start()].strip(), tail
