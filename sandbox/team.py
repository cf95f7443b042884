"""The sandbox's seeded workspace: a lead, two reports in different timezones, the lead's
manager, a few channels, and the policy Steward runs with there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str
    title: str
    tz: str


@dataclass(frozen=True)
class Channel:
    channel_id: str
    name: str
    purpose: str


LEAD = Member("U0LENA", "lena", "Team lead", "America/New_York")
ARI = Member("U0ARI", "ari", "Engineer, reports to Lena", "Europe/Berlin")
BO = Member("U0BO", "bo", "Engineer, reports to Lena", "America/Chicago")
MANAGER = Member("U0MIRA", "mira", "Engineering manager, Lena's manager", "America/New_York")
MEMBERS = (LEAD, ARI, BO, MANAGER)

GENERAL = Channel("C0GENERAL", "general", "type /delegate here")
TEAM = Channel("C0TEAM", "team", "the weekly digest")
LEADS = Channel("C0LEADS", "leads", "escalations that reach the top of the chain")
CHANNELS = (GENERAL, TEAM, LEADS)

# Tuesday 24 November 2026, 15:00 UTC: morning in Chicago and New York, afternoon in Berlin
# (a Tuesday, so the first weekly digest is the one Steward itself collected).
START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def policy_toml() -> str:
    """Timeouts short enough to watch, long enough to act on; everyone reports up to Mira."""
    return f"""\
[policy]
accept_timeout     = "4h"
checkin_interval   = "1d"
checkin_timeout    = "4h"
escalation_timeout = "2h"
working_hours      = "09:00-17:00"
working_days       = "mon-fri"
digest_schedule    = "mon 09:00"
digest_timezone    = "{LEAD.tz}"
digest_channel     = "{TEAM.channel_id}"
fallback_channel   = "{LEADS.channel_id}"
lead_digests       = true
slack_pacing       = false  # the emulator has none of Slack's rate limits

[chain]
{ARI.user_id} = "{LEAD.user_id}"
{BO.user_id} = "{LEAD.user_id}"
{LEAD.user_id} = "{MANAGER.user_id}"
"""
