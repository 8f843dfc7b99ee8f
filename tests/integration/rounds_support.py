"""Helpers for the rounds' integration tests: an admin client, forms posted with their
CSRF token, future dates and a valid round form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.clock import wib_today
from tests.support import ADMIN, client, csrf_from, login

KEC, DESA = "35.05.01", "35.05.01.2001"  # Wonodadi, Jaten


def admin_client(base_url: str) -> httpx.Client:
    http = client(base_url)
    assert login(http, *ADMIN).status_code == 303
    return http


def post_form(http: httpx.Client, page: str, action: str, data: dict[str, Any]
              ) -> httpx.Response:
    token = csrf_from(http.get(page).text)
    return http.post(action, data={"_csrf_token": token, **data})


def day(offset: int) -> str:
    return (wib_today() + timedelta(days=offset)).isoformat()


def round_form(offset: int = 10, **changes: Any) -> dict[str, Any]:
    return {"day": day(offset), "start": "19.00", "end": "22.00", "kecamatan": KEC,
            "desa": "", "place": "Balai Desa", "car_id": "1", "quota": "50",
            "note": "Bawa KTP dan KK.", **changes}


def create_round(http: httpx.Client, **changes: Any) -> int:
    r = post_form(http, "/admin/jadwal/baru", "/admin/jadwal/baru", round_form(**changes))
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[3].split("?")[0])
