"""Two installs a month apart run the same code: every runtime dependency has a tested range in
pyproject.toml, and constraints.txt pins it, and everything it pulls in, to one release."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
DEV = [Requirement(line) for line in PROJECT["optional-dependencies"]["dev"]]


def pins() -> dict[str, Version]:
    """constraints.txt as name -> version; every line must be an exact pin."""
    pinned: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"constraints.txt: {line!r} is not an exact pin"
        pinned[canonicalize_name(requirement.name)] = Version(specifier.version)
    return pinned


@pytest.mark.parametrize("requirement", RUNTIME + DEV, ids=str)
def test_every_dependency_has_a_lower_and_an_upper_bound(requirement: Requirement) -> None:
    operators = {specifier.operator for specifier in requirement.specifier}
    assert ">=" in operators, f"{requirement} has no lower bound"
    assert "<" in operators, f"{requirement} has no upper bound"


@pytest.mark.parametrize("requirement", RUNTIME + DEV, ids=str)
def test_constraints_pin_every_dependency_inside_its_range(requirement: Requirement) -> None:
    pinned = pins()
    names = [requirement.name, *(f"{requirement.name}-{extra}" for extra in requirement.extras)]
    for name in names:  # psycopg[binary] pulls in psycopg-binary, pinned on its own line
        version = pinned.get(canonicalize_name(name))
        assert version is not None, f"constraints.txt does not pin {name}"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"constraints.txt pins {name}=={version}, outside pyproject's {requirement}"
        )


def test_constraints_leave_steward_itself_out() -> None:
    assert canonicalize_name(PROJECT["name"]) not in pins()


def test_ci_runs_the_readmes_test_command_with_the_constraints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    (command,) = {line.strip() for line in readme if line.strip().endswith("python -m pytest")}
    assert "-c constraints.txt" in command
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
