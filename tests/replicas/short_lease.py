"""``python -m tests.replicas.short_lease serve --http ...``: exactly ``python -m bot.cli``,
with the outbox lease shortened (STEWARD_TEST_OUTBOX_LEASE_SECONDS) so that a test can see a
message claimed by a killed replica taken over in seconds rather than ten minutes."""

from __future__ import annotations

import os
import sys
from datetime import timedelta

import bot.slack.outbox.delivery
from bot.cli import main

if __name__ == "__main__":
    seconds = os.environ.get("STEWARD_TEST_OUTBOX_LEASE_SECONDS")
    if seconds:
        # fail loudly, rather than wait ten minutes, if delivery stops reading this constant
        assert isinstance(bot.slack.outbox.delivery.LEASE, timedelta), (
            "bot.slack.outbox.delivery.LEASE moved"
        )
        bot.slack.outbox.delivery.LEASE = timedelta(seconds=float(seconds))
    sys.exit(main())
