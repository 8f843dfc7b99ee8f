"""Helpers for driving the installable app in Chromium (no string-eval waits: our CSP
forbids eval, so waits poll with page.evaluate from Python)."""

from __future__ import annotations

import time
from typing import Any

from tests.support import OFFICER

UNSENT = "() => JBM.outbox.counts().then(c => c.unsent)"
LOGIN_TIMEOUT_MS = 30_000


def poll(page: Any, script: str, predicate: Any = bool, timeout: float = 40.0,
         interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        try:
            value = page.evaluate(script)
        except Exception as exc:  # the page may be navigating
            value = exc
        if not isinstance(value, Exception) and predicate(value):
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {script!r}; last value {value!r}")


def login(page: Any, base_url: str, next_path: str = "/petugas") -> None:
    page.goto(f"{base_url}/masuk?next={next_path}")
    page.fill("#username", OFFICER[0])
    page.fill("#password", OFFICER[1])
    page.click("form[action='/masuk'] button[type=submit]")
    # The login, the redirect and the page's load share two CPU cores with the server, the
    # simulator and the worker's first download of the officer shell: on a busy CI machine
    # that once took longer than a context's 10 s default, so the wait has its own bound.
    try:
        page.wait_for_url(lambda url: url.endswith(next_path) and "/masuk" not in url,
                          timeout=LOGIN_TIMEOUT_MS)
    except Exception as exc:
        raise AssertionError(f"login to {next_path} did not finish: at {page.url}; "
                             f"page says {_headline(page)!r}") from exc


def _headline(page: Any) -> str:
    try:
        return page.evaluate("() => (document.querySelector('main h1, h1, [role=alert]')"
                             " || document.body || {}).textContent || ''")[:200].strip()
    except Exception as exc:  # the page may be between documents
        return f"<{type(exc).__name__}>"


def wait_offline_ready(page: Any) -> None:
    """The service worker controls the page and the officer shell is in its cache."""
    try:
        try:
            poll(page, "() => navigator.serviceWorker.controller !== null", timeout=10)
        except AssertionError:
            # A page whose navigation began while the first worker was still activating
            # is not claimed; like a real phone, the next load of it is controlled.
            page.reload()
            poll(page, "() => navigator.serviceWorker.controller !== null")
    except AssertionError as exc:
        state = page.evaluate(
            "() => navigator.serviceWorker.getRegistration().then(r => r ? {active: r.active &&"
            " r.active.state, installing: !!r.installing, waiting: !!r.waiting} : null)"
        )
        raise AssertionError(f"no service worker in control; registration: {state}") from exc
    # Both stages of the officer shell (sw/cache.js): the form, and the KBLI list.
    for url in ("/petugas/daftar", "/ref/kbli.json"):
        poll(page, "() => caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then("
                   f"c => c.match('{url}'))))).then(r => r.some(Boolean))")


def fill_application(page: Any, business_name: str, nik: str = "3505014507900012",
                     name: str = "Siti Aminah") -> None:
    page.fill("#nik", nik)
    page.fill("#name", name)
    page.fill("#phone", "0812-3456-7890")
    page.check("input[name=no_email]")
    page.fill("#business_name", business_name)
    page.fill("#kbli", "56102")
    if not page.input_value("#desa"):
        page.select_option("#desa", "35.05.01.2001")
    page.fill("#rt", "3")
    page.fill("#rw", "2")
    page.fill("#street", "Jl. Mawar 5")
    page.fill("#capital", "15.000.000")


def save(page: Any) -> None:
    page.click("#capture-form button[type=submit]")


def inject(page: Any, items: list[tuple[str, dict[str, Any]]]) -> None:
    """Put items in the phone's outbox as the capture form does (JBM.outbox.save)."""
    page.evaluate("items => Promise.all(items.map(([id, body]) => JBM.outbox.save(id, body)))",
                  [list(pair) for pair in items])


def send_now(page: Any) -> Any:
    return page.evaluate("() => JBM.app.sendNow()")
