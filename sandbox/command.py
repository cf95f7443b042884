"""``steward sandbox``: the page on 127.0.0.1, or with ``--script demo`` the story as text."""

from __future__ import annotations

import errno
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from types import FrameType
from typing import TextIO

from sandbox.session import Sandbox


def run_sandbox(
    *,
    database: Path | None,
    port: int,
    script: str | None,
    open_browser: bool,
    out: TextIO = sys.stdout,
) -> int:
    if database is not None and not database.parent.is_dir():
        print(f"steward: no directory {database.parent} for --db", file=sys.stderr)
        return 2
    if script is not None:
        return _play(script, database, out)
    from sandbox.web import SandboxWeb

    with Sandbox(database=database) as sandbox:
        try:
            web = SandboxWeb(sandbox, port=port)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                print(f"steward: port {port} is in use; try --port", file=sys.stderr)
                return 1
            raise
        print(f"Steward sandbox: open {web.url}", file=out)
        print(f"  database: {sandbox.database}", file=out)
        print("  Ctrl-C stops it.", file=out, flush=True)
        signal.signal(signal.SIGTERM, _interrupt)  # stop as Ctrl-C does, cleaning up
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(web.url,), daemon=True).start()
        try:
            web.serve_forever()
        finally:
            web.stop()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _play(script: str, database: Path | None, out: TextIO) -> int:
    from sandbox.demo import StoryStalled, run_demo

    with Sandbox(database=database) as sandbox:
        try:
            run_demo(sandbox, lambda line: print(line, file=out, flush=True))
        except StoryStalled as stalled:
            print(f"steward: the {script} story stalled: {stalled}", file=sys.stderr)
            return 1
    return 0
