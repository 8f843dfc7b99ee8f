"""Inviting the car (/undang): the public form for a camat, kepala desa, association or
community, and the lookup of its answer (/undang/cek) with the code and the last four
digits of the WhatsApp number."""

from __future__ import annotations

import math
import secrets
from typing import Any

from litestar import Controller, Request, get, post

from app.domain.errors import FieldError
from app.domain.invitations import MAX_DATES, MAX_FORM_BYTES, STATUS_LABELS, parse_code, show_code
from app.domain.throttle import client_key
from app.domain.tracking import new_tracking_code
from app.routes.deps import InvitationServiceDep, LimiterDep
from app.routes.pages import render
from app.security import client_address
from app.services.invitations import InvitationService

MSG_TOO_BIG = "Isian terlalu panjang. Persingkat catatan lalu kirim lagi."
MSG_NOT_FOUND = ("Data tidak ditemukan. Periksa kode undangan dan 4 angka terakhir nomor "
                 "WhatsApp yang didaftarkan.")
MSG_DIGITS = "Isi 4 angka terakhir nomor WhatsApp yang didaftarkan."
MSG_SLOW_DOWN = "Terlalu banyak percobaan. Coba lagi beberapa menit lagi."
FIELDS = ("name", "role", "organisation", "phone", "kecamatan", "desa", "place", "when",
          "expected", "note", *(f"date{i}" for i in range(1, MAX_DATES + 1)))


def _client_id() -> str:
    return secrets.token_hex(16)


class UndangController(Controller):
    path = "/undang"
    include_in_schema = False

    def _form(self, request: Request[Any, Any, Any], invitations: InvitationService,
              values: dict[str, str], errors: dict[str, str], status_code: int = 200,
              notice: str | None = None) -> Any:
        values.setdefault("client_id", _client_id())
        return render(request, "citizen/undang.html", status_code, values=values,
                      errors=errors, notice=notice, regions=invitations.regions,
                      kecamatan=invitations.regions.kecamatan(), max_dates=MAX_DATES)

    @get("", name="undang")
    async def undang_page(self, request: Request[Any, Any, Any],
                          invitations: InvitationServiceDep) -> Any:
        return self._form(request, invitations, {"when": "malam"}, {})

    @post("")
    async def undang(self, request: Request[Any, Any, Any],
                     invitations: InvitationServiceDep) -> Any:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_FORM_BYTES:
            return self._form(request, invitations, {}, {}, 413, notice=MSG_TOO_BIG)
        form = await request.form()
        values = {name: str(form.get(name, ""))[:600] for name in FIELDS}
        values["client_id"] = str(form.get("client_id", ""))[:64]
        if str(form.get("website", "")):
            # the honeypot: a field people never see, filled by robots. They get a thank-you
            # with a code that leads nowhere; nothing is stored.
            return render(request, "citizen/undang_terkirim.html",
                          code=show_code(new_tracking_code()))
        result = await invitations.submit(values, client_address(request))
        if result.limited:
            page = self._form(request, invitations, values, {}, 429, notice=result.limited)
            if result.retry_after:
                page.headers["Retry-After"] = str(math.ceil(result.retry_after))
            return page
        if result.code is None:
            if not result.errors:  # the hidden client id was missing or broken
                values["client_id"] = _client_id()
            return self._form(request, invitations, values, result.errors or {}, 422)
        return render(request, "citizen/undang_terkirim.html", code=show_code(result.code))

    @get("/cek", name="undang_cek")
    async def cek_page(self, request: Request[Any, Any, Any]) -> Any:
        return render(request, "citizen/undang_cek.html", error=None, kode="")

    @post("/cek")
    async def cek(self, request: Request[Any, Any, Any], invitations: InvitationServiceDep,
                  code_limiter: LimiterDep) -> Any:
        form = await request.form()
        raw_code = str(form.get("kode", ""))[:20]
        digits = "".join(ch for ch in str(form.get("digits", "")) if ch.isdigit())[:4]
        try:
            guesses = "undang:" + parse_code(raw_code)
        except FieldError:
            guesses = None  # no code's guess: answered "not found" all the same
        # The lookups of a client, and the wrong answers to one code (the count /cek keeps).
        wait = await invitations.check_limiter.hit(client_key(client_address(request)))
        if wait is None and guesses is not None and len(digits) == 4:
            wait = await code_limiter.hit(guesses)
        if wait is not None:
            page = render(request, "citizen/undang_cek.html", 429, kode=raw_code,
                          error=MSG_SLOW_DOWN)
            page.headers["Retry-After"] = str(math.ceil(wait))
            return page
        if len(digits) != 4:
            return render(request, "citizen/undang_cek.html", 422, kode=raw_code,
                          error=MSG_DIGITS)
        row = await invitations.check(raw_code, digits)
        if row is None:
            # the same answer for an unknown code and wrong digits; the code is not echoed
            return render(request, "citizen/undang_cek.html", 404, kode="", error=MSG_NOT_FOUND)
        if guesses is not None:
            await code_limiter.take_back(guesses)  # a right answer is not a guess
        return render(request, "citizen/undang_hasil.html", inv=row, code=show_code(row["code"]),
                      label=STATUS_LABELS[row["status"]], dates=invitations.dates(row),
                      regions=invitations.regions)
