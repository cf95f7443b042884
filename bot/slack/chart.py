"""A PNG bar chart of daily task activity, for the digest posted to Slack.

Rendered with matplotlib's object-oriented API on the Agg canvas (no pyplot, so no global
state: safe from worker threads and headless). matplotlib is imported inside the function,
so importing this module stays cheap.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

from bot.domain.digest import DayCount

WIDTH_IN, HEIGHT_IN, DPI = 9.0, 4.0, 100  # 900 x 400 px
MAX_TITLE = 100  # characters that fit on one line at 12 pt; longer titles are clipped
MAX_LABELS = 16  # more day labels than this would overlap: show every n-th one
SERIES = (  # attribute, legend label, colour
    ("created", "Created", "#4a90d9"),
    ("completed", "Completed", "#2eb67d"),
    ("escalated", "Escalated", "#e01e5a"),
)


def day_label(day: date) -> str:
    """ "Mon 16": short weekday and day of month (English names, whatever the locale)."""
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day.weekday()]
    return f"{weekday} {day.day}"


def daily_chart(days: Sequence[DayCount], *, title: str) -> bytes:
    """One PNG (900 x 400 px): created, completed and escalated counts as grouped bars per day,
    in date order. No days, or only zeros, gives empty axes with a "No activity" note."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ordered = sorted(days, key=lambda d: d.day)
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    title = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"
    ax.set_title(title, parse_math=False, fontsize=12, loc="left")
    positions = list(range(len(ordered)))
    width = 0.8 / len(SERIES)
    for index, (attribute, label, colour) in enumerate(SERIES):
        offset = (index - (len(SERIES) - 1) / 2) * width
        heights = [getattr(d, attribute) for d in ordered]
        ax.bar([p + offset for p in positions], heights, width, label=label, color=colour)

    step = max(1, math.ceil(len(ordered) / MAX_LABELS))
    shown = positions[::step]
    ax.set_xticks(shown, [day_label(ordered[p].day) for p in shown], fontsize=8)
    ax.set_xlim(-0.6, max(len(ordered), 1) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    highest = max((getattr(d, a) for d in ordered for a, _, _ in SERIES), default=0)
    ax.set_ylim(0, max(highest, 1) * 1.1)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    if highest == 0:
        ax.text(
            0.5,
            0.5,
            "No activity",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=14,
            color="#777777",
        )
    if ordered:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
