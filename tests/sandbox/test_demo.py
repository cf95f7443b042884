"""``steward sandbox --script demo``: the whole story, played by the CLI, with its transcript."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# What the story must show, in this order (each a line of the transcript, or part of one).
STORY = [
    "== Tue 24 Nov 10:00 (New York) · Lena, in #general: /delegate @ari",
    "-> only @lena sees, in #general:",
    "Offered to @ari, due Fri 27 Nov 2026, 17:00 (America/New_York)",
    "-> DM to @ari at Tue 10:00:",
    "@lena would like to hand you a task.",
    "Due: Fri 27 Nov 2026, 23:00 (Europe/Berlin)",  # on Ari's own clock
    "[Accept] [Decline]",
    "== Tue 24 Nov 10:00 (New York) · Ari clicks Accept",
    "~> message updated in DM to @ari:",
    "You accepted this.",
    "-> DM to @lena at Tue 10:00:",
    "@ari accepted your delegation.",
    "-> DM to @ari at Wed 10:00:",  # the next day's check-in, in Ari's working hours
    "How is this going?",
    "[On track] [At risk] [Blocked] [Done]",
    "Ari answers At risk, with a note",
    "[] modal: At risk",
    "What's in the way? (optional): ____",
    "You answered At risk. Note: Waiting on finance's numbers",
    "-> DM to @lena at Wed 10:00:",
    "@ari says At risk:",
    "Ari goes quiet",
    "-> DM to @ari at Thu 10:00:",
    "How is this going?",
    "-> DM to @lena at Fri 06:00:",  # 4 working hours on Ari's clock later
    "Escalated to you (level 1): @lena delegated this to @ari.",
    "Escalated because a check-in went unanswered.",
    "[Acknowledge]",
    "-> DM to @ari (in thread) at Fri 06:00:",
    "Heads-up: @lena has been asked to help",
    "Lena clicks Acknowledge",
    "@lena picked this up.",
    "@lena picked up the escalation.",
    "Ari clicks Done",
    "You answered Done.",
    "@ari marked your delegation done.",
    "the weekly digest",
    "-> #team at Mon 09:00:",
    "Delegation digest",
    "Delegated: 1 (was 0)",
    "Completed: 1 (was 0) · 100% on time",
    "Escalations: 1 (was 0) · 1 acknowledged",
    "-> DM to @lena at Mon 09:00:",
    "Your team's delegation digest",
    "-> chart uploaded to #team",
]


def test_the_demo_story_plays_through_the_real_bot(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--script", "demo", "--db", str(database)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    transcript = result.stdout
    position = 0
    for expected in STORY:
        found = transcript.find(expected, position)
        assert found >= 0, f"{expected!r} missing after position {position}:\n{transcript}"
        position = found + len(expected)
    assert "Traceback" not in result.stderr
    assert "<@U" not in transcript and "&lt;" not in transcript  # rendered, not raw mrkdwn
    assert database.stat().st_size > 0  # --db keeps the story's database
