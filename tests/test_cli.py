"""The `steward` command as people run it: a real process, one clear line on mistakes."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.commands.check import run_checks
from bot.config.settings import load_settings
from sandbox.emulator import SlackEmulator
from tests.conftest import ALICE, BOT_TOKEN, Running
from tests.waiting import eventually


def steward(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STEWARD_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def env_for(running: Running, policy: Path) -> dict[str, str]:
    """What `steward` needs to work on a running test app's database and Slack double."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": running.slack.api_url,
        "DATABASE_URL": running.engine.url.render_as_string(hide_password=False),
        "STEWARD_CONFIG": str(policy),
    }


@pytest.fixture
def base_env(tmp_path: Path, slack: SlackEmulator) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_mistakes_are_one_line(tmp_path: Path, base_env: dict[str, str]) -> None:
    assert "invalid choice" in one_clear_line(steward("bogus", env=base_env, cwd=tmp_path))
    assert "--format" in one_clear_line(
        steward("export", "--format", "xml", env=base_env, cwd=tmp_path)
    )
    no_token = {k: v for k, v in base_env.items() if k != "SLACK_BOT_TOKEN"}
    assert "SLACK_BOT_TOKEN" in one_clear_line(steward("serve", env=no_token, cwd=tmp_path))
    (tmp_path / "bad.toml").write_text('[policy]\naccept_timeout = "soon"\n')
    bad = {**base_env, "STEWARD_CONFIG": str(tmp_path / "bad.toml")}
    assert "accept_timeout" in one_clear_line(steward("check", env=bad, cwd=tmp_path))
    (tmp_path / "huge.toml").write_text('[policy]\ntick = "99999999999d"\n')
    huge = {**base_env, "STEWARD_CONFIG": str(tmp_path / "huge.toml")}
    assert "tick must be at most" in one_clear_line(steward("serve", env=huge, cwd=tmp_path))
    (tmp_path / "shape.toml").write_text("policy = 5\n")
    shape = {**base_env, "STEWARD_CONFIG": str(tmp_path / "shape.toml")}
    assert "[policy] table" in one_clear_line(steward("check", env=shape, cwd=tmp_path))
    (tmp_path / "broken.toml").write_text("[policy\n")
    broken = {**base_env, "STEWARD_CONFIG": str(tmp_path / "broken.toml")}
    assert "not valid TOML" in one_clear_line(steward("check", env=broken, cwd=tmp_path))
    missing = {**base_env, "STEWARD_CONFIG": str(tmp_path / "nope.toml")}
    assert "does not exist" in one_clear_line(steward("check", env=missing, cwd=tmp_path))
    lead = steward("digest", "--lead", "C0CHANNEL", env=base_env, cwd=tmp_path)
    assert "--lead wants a Slack user id" in one_clear_line(lead)


def test_a_plain_http_slack_api_url_is_refused_unless_loopback(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    """The bot token travels in every call: in clear only to this machine (the sandbox)."""
    for url in ("http://slack.example.com/api/", "http://10.0.0.5:8080/api/", "ftp://x/"):
        clear = {**base_env, "SLACK_API_URL": url}
        assert "SLACK_API_URL" in one_clear_line(steward("check", env=clear, cwd=tmp_path))
    for url in ("http://localhost:9/api/", "http://[::1]:9/api/", "https://slack.example/api/"):
        settings = load_settings({**base_env, "SLACK_API_URL": url})
        assert settings.api_url == url


def test_export_needs_a_schema_and_changes_nothing(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    assert "steward db upgrade" in one_clear_line(steward("export", env=base_env, cwd=tmp_path))
    upgraded = steward("db", "upgrade", env=base_env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    exported = steward("export", env=base_env, cwd=tmp_path)
    assert exported.returncode == 0 and exported.stdout == ""


def test_check_reports_what_is_right_and_wrong(
    tmp_path: Path, base_env: dict[str, str], slack: SlackEmulator
) -> None:
    slack.add_user("U0CAROL", tz="UTC")
    (tmp_path / "steward.toml").write_text(
        '[chain]\nU0ALICE = "U0CAROL"\nU0CAROL = "U0NOBODY"\nU0LOOPA = "U0LOOPB"\n'
        'U0LOOPB = "U0LOOPA"\n'
    )
    result = steward("check", env={**base_env, "STEWARD_CONFIG": "steward.toml"}, cwd=tmp_path)
    assert result.returncode == 1
    assert "ok: bot token works" in result.stdout
    assert "U0NOBODY, who is not in this workspace" in result.stdout
    assert "loops: U0LOOPA → U0LOOPB → U0LOOPA" in result.stdout

    fine = steward("check", env=base_env, cwd=tmp_path / "..")
    assert fine.returncode == 0, fine.stdout
    assert "Steward is ready to run." in fine.stdout

    wrong_token = steward("check", env={**base_env, "SLACK_BOT_TOKEN": "xoxb-wrong"}, cwd=tmp_path)
    assert wrong_token.returncode == 1 and "invalid_auth" in wrong_token.stdout


def test_check_tells_whether_steward_can_post_to_its_channels(
    tmp_path: Path, base_env: dict[str, str], slack: SlackEmulator
) -> None:
    (tmp_path / "steward.toml").write_text(
        '[policy]\ndigest_channel = "C0DIGEST"\nfallback_channel = "C0FALLBACK"\n'
    )
    env = {**base_env, "STEWARD_CONFIG": str(tmp_path / "steward.toml")}
    slack.set_channel("C0DIGEST", name="digest")
    fine = io.StringIO()
    assert run_checks(load_settings(env), out=fine) == 0, fine.getvalue()
    assert "ok: digest_channel #digest (C0DIGEST): Steward can post there" in fine.getvalue()

    slack.set_channel("C0DIGEST", name="digest", member=False)
    slack.set_channel("C0FALLBACK", name="escalations", archived=True)
    report = io.StringIO()
    assert run_checks(load_settings(env), out=report) == 1
    lines = report.getvalue().splitlines()
    [outside] = [line for line in lines if "C0DIGEST" in line]
    assert outside.startswith("problem: Steward is not a member of digest_channel #digest")
    assert "/invite @Steward" in outside and "chat:write.public" in outside
    [archived] = [line for line in lines if "C0FALLBACK" in line]
    assert "fallback_channel #escalations" in archived and "archived" in archived

    slack.scopes.add("chat:write.public")  # a public channel then needs no invitation
    slack.set_channel("C0FALLBACK", private=True, member=False)
    again = io.StringIO()
    assert run_checks(load_settings(env), out=again) == 1
    assert "ok: digest_channel #digest (C0DIGEST)" in again.getvalue()
    assert "fallback_channel C0FALLBACK was not found" in again.getvalue()


def test_export_jsonl_and_csv(running: Running, tmp_path: Path) -> None:
    running.delegate(f'<@{ALICE}> Prepare the <Q3> report, "final", by friday')
    running.offer_to(ALICE)
    env = {"DATABASE_URL": str(running.engine.url.render_as_string(hide_password=False))}
    jsonl = steward("export", env=env, cwd=tmp_path)
    assert jsonl.returncode == 0, jsonl.stderr
    [line] = jsonl.stdout.splitlines()
    record = json.loads(line)
    assert set(record) == {"id", "delegation_id", "type", "actor", "at", "data"}
    assert record["type"] == "created" and record["at"].endswith("Z")
    assert record["data"]["text"] == 'Prepare the <Q3> report, "final",'

    csv_out = steward("export", "--format", "csv", env=env, cwd=tmp_path)
    header, row = csv_out.stdout.splitlines()
    assert header == "id,delegation_id,type,actor,at,data"
    assert row.startswith("1,1,created,U0LEAD,")


def test_serve_warns_of_chain_and_channel_problems_at_start_up(
    tmp_path: Path, base_env: dict[str, str], slack: SlackEmulator
) -> None:
    (tmp_path / "steward.toml").write_text(
        '[policy]\ndigest_channel = "C0OUTSIDE"\n'
        '[chain]\nU0ALICE = "U0NOBODY"\nU0LOOPA = "U0LOOPB"\nU0LOOPB = "U0LOOPA"\n'
    )
    slack.set_channel("C0OUTSIDE", name="digest", member=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STEWARD_"))}
    env.update(base_env, STEWARD_CONFIG="steward.toml")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", port],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = ""
        deadline = time.monotonic() + 20
        assert process.stderr is not None
        while not ("U0NOBODY" in seen and "C0OUTSIDE" in seen) and time.monotonic() < deadline:
            seen += process.stderr.readline()
        assert "loops: U0LOOPA → U0LOOPB → U0LOOPA" in seen
        assert "U0NOBODY, who is not in this workspace" in seen
        assert "not a member of digest_channel #digest (C0OUTSIDE)" in seen
        assert "/invite @Steward" in seen
    finally:
        process.terminate()
        process.wait(10)


def test_socket_mode_wiring_builds_without_a_signing_secret(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    """Socket Mode needs no signing secret; the handler is the websocket-client adapter.
    (Connecting needs Slack's Socket Mode server, which is not available here.)"""
    from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

    from bot.app.clocks import SystemClock
    from bot.app.wiring import assemble

    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
        }
    )
    steward_app = assemble(settings, clock=SystemClock(), http_mode=False)
    try:
        handler = SocketModeHandler(steward_app.app, settings.app_token)
        assert handler.client.web_client.base_url == slack.api_url
    finally:
        steward_app.stop()


def test_serve_over_http_exits_on_ctrl_c(
    tmp_path: Path, base_env: dict[str, str], slack: SlackEmulator
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "STEWARD_"))}
    env.update(base_env)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", port],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: _healthy(port), what="steward serve --http answering /healthz")
        process.send_signal(signal.SIGINT)
        process.wait(10)  # the server's worker threads must not keep the process alive
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _healthy(port: str) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
    except requests.ConnectionError:
        return False
