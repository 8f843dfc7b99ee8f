"""The vendored htmx is the pinned release, byte for byte, with its licence beside it."""

from __future__ import annotations

import hashlib
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "vendor"
HTMX = STATIC / "htmx-2.0.11.min.js"
# sha256 of htmx.org@2.0.11 dist/htmx.min.js as published on the npm registry
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_htmx_matches_the_pinned_checksum() -> None:
    assert hashlib.sha256(HTMX.read_bytes()).hexdigest() == HTMX_SHA256
    recorded = (STATIC / "htmx-2.0.11.min.js.sha256").read_text().split()[0]
    assert recorded == HTMX_SHA256


def test_htmx_licence_is_vendored_with_it() -> None:
    licence = (STATIC / "htmx-2.0.11.LICENSE").read_text()
    assert "Zero-Clause BSD" in licence or "BSD" in licence


def test_templates_load_only_the_pinned_htmx() -> None:
    from app.templating import HTMX as TEMPLATE_HTMX

    assert TEMPLATE_HTMX == "vendor/htmx-2.0.11.min.js"


QR = STATIC / "qr-creator-1.0.0.min.js"
# sha256 of qr-creator@1.0.0 dist/qr-creator.min.js as published on the npm registry (MIT)
QR_SHA256 = "28091fa20c1ed0f09dd0cd8f02e760d9188fede259ae11973bd0eb4bd34a7617"


def test_qr_generator_matches_the_pinned_checksum_and_licence() -> None:
    assert hashlib.sha256(QR.read_bytes()).hexdigest() == QR_SHA256
    assert (STATIC / "qr-creator-1.0.0.min.js.sha256").read_text().split()[0] == QR_SHA256
    assert "MIT License" in (STATIC / "qr-creator-1.0.0.LICENSE").read_text()
