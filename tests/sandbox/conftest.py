"""A running sandbox (emulator, bot, page) per test, in the test's own directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.session import Sandbox
from sandbox.web import SandboxWeb


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(workdir=tmp_path) as running:
        yield running


@pytest.fixture
def web(sandbox: Sandbox) -> Iterator[SandboxWeb]:
    page = SandboxWeb(sandbox).start()
    try:
        yield page
    finally:
        page.stop()
