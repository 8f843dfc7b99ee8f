"""Complaints and suggestions (/saran): anonymous or with a WhatsApp number, a reference
code, and /saran/cek for the status and the office's public reply."""

from __future__ import annotations

import hmac
import math
import uuid
from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery

from app.clock import wib_today
from app.db import service_refs
from app.db.connection import Database
from app.domain.complaints import CATEGORIES, MAX_NAME, MAX_TEXT, STATUSES, read_complaint
from app.domain.errors import FieldError
from app.domain.phone import phone_last4
from app.domain.public_forms import client_id as read_client_id
from app.domain.public_forms import is_bot
from app.domain.throttle import client_key
from app.domain.tracking import normalize_tracking_code
from app.routes.deps import ComplaintServiceDep, DatabaseDep, LimiterDep, PublicFormLimitsDep
from app.routes.pages import render
from app.security import client_address

FIELDS = ("client_id", "category", "round_id", "text", "name", "phone")
CAPS = {"text": MAX_TEXT + 200, "name": MAX_NAME + 20}  # cut before validation
ROUND_DAYS = 60  # the rounds a complaint may name: the last two months'
MSG_THANKS = "Terima kasih. Saran atau pengaduan Anda sudah kami terima."
MSG_PHONE_LIMIT = ("Nomor WhatsApp ini sudah mengirim cukup banyak saran hari ini. "
                   "Silakan coba lagi besok.")
MSG_CLIENT_LIMIT = ("Terlalu banyak kiriman dari perangkat atau jaringan ini hari ini. "
                    "Silakan coba lagi besok.")
MSG_NOT_FOUND = ("Data tidak ditemukan. Periksa kode saran, dan bila Anda mencantumkan nomor "
                 "WhatsApp, 4 angka terakhirnya.")


async def _rounds(db: Database) -> list[Any]:
    today = wib_today()
    return await db.read(service_refs.recent_rounds,
                         (today - timedelta(days=ROUND_DAYS)).isoformat(), today.isoformat())


class SaranController(Controller):
    path = "/saran"
    include_in_schema = False

    async def _form(self, request: Request[Any, Any, Any], db: Database,
                    values: dict[str, str], errors: dict[str, str], status_code: int = 200,
                    notice: str | None = None) -> Any:
        return render(request, "citizen/saran.html", status_code, values=values,
                      errors=errors, categories=CATEGORIES, rounds=await _rounds(db),
                      notice=notice, max_text=MAX_TEXT)

    @get("/", name="saran")
    async def page(self, request: Request[Any, Any, Any], db: DatabaseDep) -> Any:
        return await self._form(request, db, {"client_id": str(uuid.uuid4())}, {})

    @post("/")
    async def send(self, request: Request[Any, Any, Any], db: DatabaseDep,
                   complaints: ComplaintServiceDep, form_limits: PublicFormLimitsDep) -> Any:
        form = await request.form()
        if is_bot(form):
            return render(request, "citizen/saran_terkirim.html", code=None, message=MSG_THANKS)
        values = {k: str(form.get(k, ""))[:CAPS.get(k, 100)] for k in FIELDS}
        values["client_id"] = read_client_id(values["client_id"]) or str(uuid.uuid4())
        rounds = await _rounds(db)
        new, errors = read_complaint(values, {int(r["id"]) for r in rounds})
        if new is None:
            return await self._form(request, db, values, errors, 422)
        wait = await form_limits.client_wait(client_address(request))
        if wait is not None:
            page = await self._form(request, db, values, {}, 429, MSG_CLIENT_LIMIT)
            page.headers["Retry-After"] = str(math.ceil(wait))
            return page
        code = await complaints.submit(new, values["client_id"])
        if code is None:
            return await self._form(request, db, values, {"phone": MSG_PHONE_LIMIT}, 429)
        return render(request, "citizen/saran_terkirim.html", 201, code=code,
                      message=MSG_THANKS, with_phone=new.phone is not None)

    @get("/cek", name="saran_cek")
    async def cek_page(self, request: Request[Any, Any, Any], kode: FromQuery[str] = "") -> Any:
        return render(request, "citizen/saran_cek.html", kode=kode[:20], error=None)

    @post("/cek")
    async def cek(self, request: Request[Any, Any, Any], complaints: ComplaintServiceDep,
                  status_limiter: LimiterDep, code_limiter: LimiterDep) -> Any:
        form = await request.form()
        raw_code = str(form.get("kode", ""))[:20]
        digits = "".join(ch for ch in str(form.get("digits", "")) if ch.isdigit())[:4]
        if await status_limiter.hit(client_key(client_address(request))) is not None:
            return render(request, "citizen/saran_cek.html", 429, kode=raw_code,
                          error="Terlalu banyak percobaan. Coba lagi nanti.")
        try:
            code = normalize_tracking_code(raw_code)
        except FieldError as exc:
            return render(request, "citizen/saran_cek.html", 422, kode=raw_code,
                          error=exc.message)
        if await code_limiter.hit("saran:" + code) is not None:
            return render(request, "citizen/saran_cek.html", 429, kode=raw_code,
                          error="Terlalu banyak percobaan. Coba lagi nanti.")
        row = await complaints.by_code(code)
        # With a phone: the code and its last 4 digits. Anonymous: the code alone, and
        # then only the status and the public reply, never the text.
        expected = phone_last4(row["phone"]) if row is not None and row["phone"] else ""
        if row is None or not hmac.compare_digest(expected, digits if expected else ""):
            return render(request, "citizen/saran_cek.html", 404, kode="", error=MSG_NOT_FOUND)
        await code_limiter.take_back("saran:" + code)
        return render(request, "citizen/saran_status.html", c=row,
                      status_label=STATUSES[row["status"]], show_text=bool(expected))
