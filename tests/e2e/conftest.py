"""Real headless Chromium (Debian's /usr/bin/chromium) driving the real server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
# How long an action or a wait may take before a test fails. Generous: CI runs the server,
# the simulator and Chromium on two busy cores, where a login (argon2, 64 MiB) alone was seen
# to take 3 s; a passing test never waits for it.
WAIT_MS = 30_000


expect.set_options(timeout=WAIT_MS // 2)


def context_options(**changes: Any) -> dict[str, Any]:
    """A phone-sized, Indonesian-locale browser context."""
    return {"viewport": PHONE, "locale": "id-ID", **changes}


# Package scope: Playwright's sync API runs an event loop in this thread while it is open;
# it must be closed before tests outside tests/e2e call asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"e2e tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser is a broken run
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def profile(playwright: Any, tmp_path: Path) -> Iterator[Any]:
    """A browser with a real (non-incognito) profile, as an installed app has."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
        headless=True, **context_options(),
    )
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """An officer's phone: a context of its own, with room for the service worker's waits."""
    context = browser.new_context(**context_options())
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**context_options())
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()
