"""The sandbox's page in headless Chromium: a person delegates, another accepts, and the
delegator sees the notice, every step through the page's own controls.

Needs Chromium (Debian's ``chromium``): ``STEWARD_TEST_CHROMIUM`` names it, else
/usr/bin/chromium. Skipped without one, except in CI, whose ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from sandbox.session import Sandbox
from sandbox.team import ARI, BO, LEAD
from sandbox.web import SandboxWeb

CHROMIUM = os.environ.get("STEWARD_TEST_CHROMIUM") or shutil.which("chromium") or ""
# Chromium's own background traffic finds no network here; these flags keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

if not Path(CHROMIUM).is_file():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI must run the browser test: install chromium (see .ci/run)")
    pytest.skip("no Chromium (set STEWARD_TEST_CHROMIUM)", allow_module_level=True)


@pytest.fixture
def page(web: SandboxWeb) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        opened = context.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.goto(web.url)
        try:
            yield opened
        finally:
            browser.close()
        assert not errors, f"the page's script failed: {errors}"


def be(page: Page, user_id: str, conversation: str) -> None:
    """Choose who you are, then open a conversation."""
    page.select_option("#viewer", user_id)
    page.click(f"[data-conversation={conversation}]")


def dm(sandbox: Sandbox, user_id: str) -> str:
    return sandbox.emulator.dm_channel_for(user_id)


def type_command(page: Page, text: str) -> None:
    page.fill("#composer-text", text)
    page.click("#composer button[type=submit]")


def test_delegate_accept_and_the_delegator_sees_the_notice(page: Page, sandbox: Sandbox) -> None:
    be(page, LEAD.user_id, "C0GENERAL")
    type_command(page, "/delegate @ari Write the launch post by friday")
    answer = page.locator(".sb-ephemeral", has_text="Offered to")
    expect(answer).to_contain_text("@ari")
    expect(answer).to_contain_text("Write the launch post")

    be(page, ARI.user_id, dm(sandbox, ARI.user_id))
    offer = page.locator(".sb-message", has_text="Write the launch post").last
    offer.locator("button[data-action-id=delegation_accept]").click()
    expect(offer).to_contain_text("You accepted")

    be(page, LEAD.user_id, dm(sandbox, LEAD.user_id))
    notice = page.locator(".sb-message", has_text="accepted").last
    expect(notice).to_contain_text("@ari")
    expect(notice).to_contain_text("Write the launch post")


def test_a_modal_is_filled_in_and_submitted(page: Page, sandbox: Sandbox) -> None:
    be(page, LEAD.user_id, "C0GENERAL")
    type_command(page, "/delegate @bo Review the on-call runbook by friday")
    be(page, BO.user_id, dm(sandbox, BO.user_id))
    page.locator("button[data-action-id=delegation_decline]").last.click()
    modal = page.locator("#modal")
    expect(modal).to_contain_text("Reason")
    modal.locator("textarea, input[type=text]").first.fill("I'm on leave next week")
    modal.locator(".bk-submit").click()
    expect(page.locator("#modal-layer")).to_be_hidden()

    be(page, LEAD.user_id, dm(sandbox, LEAD.user_id))
    notice = page.locator(".sb-message", has_text="declined").last
    expect(notice).to_contain_text("I'm on leave next week")


def test_the_clock_brings_a_check_in_and_the_home_tab_lists_the_item(
    page: Page, sandbox: Sandbox
) -> None:
    be(page, LEAD.user_id, "C0GENERAL")
    type_command(page, "/delegate @ari Migrate the billing cron by friday")
    be(page, ARI.user_id, dm(sandbox, ARI.user_id))
    page.locator("button[data-action-id=delegation_accept]").last.click()
    expect(page.locator(".sb-message", has_text="You accepted")).to_have_count(1)

    page.click("[data-step=day]")
    expect(page.locator("button[data-action-id=checkin_on_track]")).to_have_count(1)
    expect(page.locator("#clock")).to_contain_text("Wed 25 Nov")

    page.click("#home-tab")
    expect(page.locator("#home")).to_contain_text("Migrate the billing cron")
