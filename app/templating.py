"""Jinja2 set-up: versioned asset URLs and the filters templates use."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from app.clock import wib_time
from app.domain.application import FIELD, MSG_DESA_EMPTY
from app.domain.nik import mask_nik
from app.domain.phone import mask_phone
from app.domain.scale import Scale, format_rupiah
from app.domain.status import LABELS, Status
from app.domain.tracking import format_tracking_code

HTMX = "vendor/htmx-2.0.11.min.js"
# htmx under a strict CSP: no eval, no injected <style>; 422 answers carry the form with
# its messages, so they are swapped in like a success.
HTMX_CONFIG = json.dumps(
    {
        "allowEval": False,
        "allowScriptTags": False,
        "includeIndicatorStyles": False,
        "selfRequestsOnly": True,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "422", "swap": True},
            {"code": "[45]..", "swap": False, "error": True},
        ],
    },
    separators=(",", ":"),
)


@cache
def _digest(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def asset_url_factory(static_dir: Path) -> Any:
    def asset(name: str) -> str:
        path = static_dir / name
        return f"/static/{name}?v={_digest(path, path.stat().st_mtime)}"

    return asset


def status_label(value: str) -> str:
    try:
        return LABELS[Status(value)]
    except ValueError:
        return value


def scale_label(value: str) -> str:
    try:
        return Scale(value).label
    except ValueError:
        return value


def configure(env: Environment, static_dir: Path) -> None:
    env.globals.update(asset=asset_url_factory(static_dir), htmx=HTMX, htmx_config=HTMX_CONFIG,
                       fields=FIELD, msg_desa_empty=MSG_DESA_EMPTY)
    env.filters.update(
        mask_nik=mask_nik,
        mask_phone=mask_phone,
        rupiah=format_rupiah,
        wib=wib_time,
        status_label=status_label,
        scale_label=scale_label,
        tracking=format_tracking_code,
    )
