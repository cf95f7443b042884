"""The digest chart: one valid PNG of about 900 x 400 px for any number of days."""

from __future__ import annotations

import struct
import subprocess
import sys
import threading
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.domain.digest import DayCount
from bot.slack.chart import daily_chart, day_label

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first (and its CRC must hold)."""
    assert data.startswith(PNG_SIGNATURE)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    (crc,) = struct.unpack(">I", data[29:33])
    assert crc == zlib.crc32(data[12:29])
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_png(data: bytes) -> None:
    width, height = png_size(data)
    assert 800 <= width <= 1000 and 350 <= height <= 450, (width, height)
    assert data.endswith(b"IEND\xaeB`\x82")


def days(count: int, start: date = date(2026, 3, 16)) -> list[DayCount]:
    return [
        DayCount(start + timedelta(i), created=i % 7, completed=(i * 3) % 5, escalated=i % 2)
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 7, 31])
def test_renders_a_png_for_any_number_of_days(count: int) -> None:
    assert_png(daily_chart(days(count), title=f"Last {count} days"))


def test_one_busy_day_and_all_zero_days() -> None:
    busy = [DayCount(date(2026, 3, 16), created=12, completed=3, escalated=1)]
    quiet = [DayCount(date(2026, 3, 16) + timedelta(i), 0, 0, 0) for i in range(5)]
    assert_png(daily_chart(busy, title="Monday"))
    assert_png(daily_chart(quiet, title="Nothing happened"))


def test_unsorted_days_and_awkward_titles() -> None:
    shuffled = list(reversed(days(10)))
    for title in ("Team $budget$ 100% done", "", "<!channel> & friends", "a" * 300):
        assert_png(daily_chart(shuffled, title=title))


def test_day_label() -> None:
    assert day_label(date(2026, 3, 16)) == "Mon 16"
    assert day_label(date(2026, 3, 1)) == "Sun 1"


def test_threads_can_render_at_once() -> None:
    results: list[bytes] = []
    errors: list[BaseException] = []

    def render(count: int) -> None:
        try:
            results.append(daily_chart(days(count), title=f"{count} days"))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=render, args=(n,)) for n in (0, 1, 14, 31)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and len(results) == 4
    for data in results:
        assert_png(data)


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, bot.slack.chart; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert out.stdout.strip() == "False"
