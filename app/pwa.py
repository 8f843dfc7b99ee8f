"""The installable app: its version, the offline precache list and the manifest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.domain.form_rules import form_rules

# Two shells. Every visitor's worker keeps the citizen shell (small: the offline page and
# what every page loads). Officers' pages ask the worker for the officer shell after login,
# in two stages: the capture form, its scripts and the regions for the desa picker (2 KB)
# first, so the form works without signal at once (a KBLI code can be typed); then the
# KBLI list its offline search reads (~85 KB, most of the download).
CITIZEN_PAGES = ("/offline",)
CITIZEN_ASSETS = (
    "css/app.css",
    "js/app.js",
    "icons/icon-192.png",
    "manifest-warga.webmanifest",
)
# Officer pages that hold no personal data: cached for offline use.
OFFICER_PAGES = ("/petugas/daftar", "/petugas/antrian", "/petugas/pengaturan", "/petugas/offline",
                 "/petugas/survei-kiosk")
OFFICER_ASSETS = (
    "vendor/htmx-2.0.11.min.js",
    "js/capture.js",
    "js/receipt.js",
    "js/prereg.js",
    "vendor/qr-creator-1.0.0.min.js",
    "js/queue.js",
    "js/pengaturan.js",
    "js/kiosk.js",
    "icons/icon-maskable-192.png",
    "manifest-petugas.webmanifest",
)
OFFICER_SCRIPTS = ("messages.js", "outbox.js", "replay.js", "validate.js", "offline-data.js",
                   "survey.js")
OFFICER_REGIONS = "/ref/wilayah.json"
OFFICER_DATA = ("/ref/kbli.json",)
SHELL_PAGES = CITIZEN_PAGES + OFFICER_PAGES
# The worker is one file (no importScripts: each would be one more round trip at install):
# the prelude, these modules, then sw/sw.js. Citizens' worker leaves out what only officers
# use: the outbox, its replay and the offline search (registered as /sw.js?app=petugas).
WORKER_MODULES = ("messages.js", "cache.js", "routes.js", "push.js")
OFFICER_WORKER_MODULES = ("outbox.js", "replay.js", "offline-data.js")
OFFICER_APP = "petugas"
SW_MODULES = ("routes.js", "cache.js", "outbox.js", "replay.js", "messages.js",
              "validate.js", "offline-data.js", "push.js", "survey.js")


@dataclass(frozen=True)
class AppShell:
    version: str
    precache: tuple[str, ...]  # the citizen shell, kept at install
    officer: tuple[tuple[str, ...], tuple[str, ...]]  # the officer shell's two stages
    rules: str  # the form's rules (app/domain/form_rules.py) as JSON, for sw/validate.js

    def sw_prelude(self, officer: bool) -> str:
        """Lines put before the worker's code: its version, its app and what to precache."""
        return (
            f"const JBM_VERSION = {json.dumps(self.version)};\n"
            f"const JBM_APP = {json.dumps(OFFICER_APP if officer else 'warga')};\n"
            f"const JBM_PRECACHE = {json.dumps(list(self.precache))};\n"
            f"const JBM_OFFICER_STAGES = {json.dumps([list(s) for s in self.officer])};\n"
            f"const JBM_SHELL_PAGES = {json.dumps(list(SHELL_PAGES))};\n"
        )

    def worker(self, sw_dir: Path, officer: bool) -> str:
        """The service worker as served: the prelude, its modules and sw/sw.js, in one."""
        names = WORKER_MODULES + (OFFICER_WORKER_MODULES if officer else ()) + ("sw.js",)
        return self.sw_prelude(officer) + "".join(
            (sw_dir / name).read_text(encoding="utf-8") for name in names)

    def module_prelude(self, name: str) -> str:
        """Lines prepended to a module of sw/: validate.js gets the server's rules."""
        if name != "validate.js":
            return ""
        return f"self.JBM = self.JBM || {{}};\nself.JBM.rules = {self.rules};\n"


def _tree_digest(roots: list[Path], patterns: tuple[str, ...], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for root in roots:
        for pattern in patterns:
            for path in sorted(root.rglob(pattern)):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_shell(
    static_dir: Path, sw_dir: Path, templates_dir: Path, asset: Callable[[str], str],
    salt: str = "",
) -> AppShell:
    """The version changes whenever anything the phone caches changes."""
    rules = json.dumps(form_rules(), sort_keys=True)
    version = _tree_digest(
        [static_dir, sw_dir, templates_dir], ("*.js", "*.css", "*.html", "*.png", "*.webmanifest"),
        rules,
    )
    if salt:
        version = hashlib.sha256((version + salt).encode()).hexdigest()[:12]
    precache = (*CITIZEN_PAGES, *(asset(name) for name in CITIZEN_ASSETS))
    form = (
        *OFFICER_PAGES,
        *(asset(name) for name in OFFICER_ASSETS),
        *(f"/sw/{name}?v={version}" for name in OFFICER_SCRIPTS),
        OFFICER_REGIONS,
    )
    return AppShell(version=version, precache=precache, officer=(form, OFFICER_DATA),
                    rules=rules)
