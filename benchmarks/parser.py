"""The ``/delegate`` parser on long hostile text, in milliseconds:

    python benchmarks/parser.py [--sizes 10000 100000] [--repeat 3] [--shapes …] [--json FILE]

- command: ``parse_command_text`` on the whole text, as the listener calls it (text over
  the length limit is refused before it is read);
- grammar: the "every …" and "by …" clauses read off the same text with no limit applied
  (``split_cadence`` then ``split_due``), which must stay linear on text of any length.

Each shape is one that made the old patterns backtrack (runs of whitespace that a ``\\s+``
could start anywhere in, "every" followed by a long run of whitespace), or one that might
(repeated keywords, long words). Figures: the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot.domain.errors import BadInput  # noqa: E402
from bot.slack.command_text import parse_command_text, split_cadence, split_due  # noqa: E402

MENTION = "<@U0ALICE> "


def _repeat(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


# Each builds a task body of ``size`` characters (the command adds the mention).
SHAPES: dict[str, Callable[[int], str]] = {
    "spaces": lambda size: "a" + " " * (size - 2) + "b",
    "tabs and newlines": lambda size: "a" + _repeat(" \t\n", size - 2) + "b",
    "every, spaces": lambda size: "x every" + " " * (size - 8) + "x",
    "every 2, spaces": lambda size: "x every 2" + " " * (size - 10) + "x",
    "by, spaces": lambda size: "x by" + " " * (size - 5) + "x",
    "by by by": lambda size: _repeat("by ", size),
    "every every": lambda size: _repeat("every ", size),
    "b y": lambda size: _repeat("b y ", size),
    "every 2d every 2d": lambda size: _repeat("every 2d ", size),
    "one long word": lambda size: "x" * size,
    "open quote, spaces": lambda size: '"' + " " * (size - 1),
}


def _best_ms(read: Callable[[str], object], text: str, repeat: int) -> float:
    """The fastest of ``repeat`` readings of ``text``, read or refused."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(BadInput):
            read(text)
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def _grammar(body: str) -> None:
    rest, _ = split_cadence(body)
    split_due(rest)


def measure(sizes: list[int], repeat: int, shapes: list[str]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for name in shapes:
        shape = SHAPES[name]
        figures[name] = {}
        for size in sizes:
            body = shape(size)
            figures[name][str(size)] = {
                "command_ms": _best_ms(parse_command_text, MENTION + body, repeat),
                "grammar_ms": _best_ms(_grammar, body, repeat),
            }
            print(f"  {name} at {size:,}: {figures[name][str(size)]}", file=sys.stderr)
    return figures


def print_table(figures: dict[str, Any], sizes: list[int]) -> None:
    columns = "".join(f"{f'command {s:,}':>16}{f'grammar {s:,}':>16}" for s in sizes)
    print(f"{'shape':<20}{columns}")
    for name, by_size in figures.items():
        cells = "".join(
            f"{by_size[str(s)]['command_ms']:>13.2f} ms{by_size[str(s)]['grammar_ms']:>13.2f} ms"
            for s in sizes
        )
        print(f"{name:<20}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = measure(args.sizes, args.repeat, args.shapes)
    print_table(figures, args.sizes)
    if args.json:
        args.json.write_text(json.dumps({"sizes": args.sizes, "shapes": figures}, indent=2))


if __name__ == "__main__":
    main()
