"""Pre-registration from home (/daftar-mandiri): the application's own form on the
citizen's phone, a code with its QR for the officer at the car, and its status page
(/daftar-mandiri/cek). Nothing goes to OSS until an officer has seen the KTP."""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, time
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.params import FromQuery

from app.clock import wib_time, wib_today
from app.domain.application import ApplicationInput, read_form
from app.domain.errors import FieldError
from app.domain.masking import mask_name
from app.domain.preregistration import (
    CONSENT_CONTACT,
    CONSENT_LABEL,
    CONSENT_PURPOSE,
    CONSENT_RETENTION,
    CONSENT_VERSION,
    STATUS_LABELS,
    STATUS_NOTES,
    format_code,
    parse_code,
    whatsapp_text,
)
from app.domain.public_forms import client_id as read_client_id
from app.domain.public_forms import is_bot
from app.domain.rounds import when_text
from app.domain.throttle import client_key
from app.notify.whatsapp import wa_link
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.routes.application_fields import field_choices
from app.routes.deps import (
    KbliCatalogDep,
    LimiterDep,
    PreregistrationServiceDep,
    PublicFormLimitsDep,
    RegionsDep,
    SettingsDep,
)
from app.routes.origin import public_base_url
from app.routes.pages import render
from app.security import client_address
from app.services.preregistrations import Outcome, PreregistrationService, guesses_key
from app.settings import Settings

MSG_CLIENT_LIMIT = ("Terlalu banyak pendaftaran dari perangkat atau jaringan ini hari ini. "
                    "Silakan coba lagi besok, atau datang langsung ke mobil layanan keliling.")
MSG_PHONE_LIMIT = ("Nomor WhatsApp ini sudah dipakai untuk cukup banyak pra-pendaftaran hari "
                   "ini. Silakan coba lagi besok.")
MSG_THANKS = "Terima kasih. Pendaftaran Anda sudah kami terima."
MSG_CHANGED = ("Formulir ini sudah terkirim sebelumnya. Perubahan terakhir tidak disimpan; "
               "petugas akan mencocokkan dan memperbaiki data bersama Anda di mobil layanan.")
MSG_NOT_FOUND = ("Data tidak ditemukan. Periksa kode pra-pendaftaran dan 4 angka terakhir "
                 "nomor WhatsApp yang didaftarkan.")
MSG_TOO_MANY = "Terlalu banyak percobaan. Coba lagi nanti."


def _round_text(row: Any) -> str:
    return when_text(date.fromisoformat(row["day"]), time.fromisoformat(row["start_time"]),
                     time.fromisoformat(row["end_time"])) + f", {row['place']}"


def _chosen_round(row: Any) -> str | None:
    """The round a pre-registration chose (its joined columns), as people read it."""
    if row["round_id"] is None or row["round_day"] is None:
        return None
    return _round_text({"day": row["round_day"], "start_time": row["round_start"],
                        "end_time": row["round_end"], "place": row["round_place"]})


def _status_url(request: Request[Any, Any, Any], settings: Settings, code: str) -> str:
    return f"{public_base_url(request, settings)}/daftar-mandiri/cek?kode={format_code(code)}"


class DaftarMandiriController(Controller):
    path = "/daftar-mandiri"
    include_in_schema = False

    async def _form(self, request: Request[Any, Any, Any], prereg: PreregistrationService,
                    regions: Regions, kbli: KbliCatalog, values: dict[str, str],
                    errors: dict[str, str], client_id: str, status_code: int = 200,
                    notice: str | None = None, consent: bool = False) -> Any:
        rounds = [(r["id"], _round_text(r)) for r in await prereg.upcoming_rounds()]
        return render(
            request, "citizen/daftar_mandiri.html", status_code, values=values,
            errors=errors, notice=notice, client_id=client_id, consent=consent,
            **field_choices(values, regions, kbli), services=await prereg.services(), rounds=rounds,
            consent_text=(CONSENT_PURPOSE, CONSENT_RETENTION, CONSENT_CONTACT),
            consent_label=CONSENT_LABEL, consent_version=CONSENT_VERSION)

    @get("/", name="daftar_mandiri")
    async def page(self, request: Request[Any, Any, Any],
                   preregistrations: PreregistrationServiceDep, regions: RegionsDep,
                   kbli: KbliCatalogDep) -> Any:
        return await self._form(request, preregistrations, regions, kbli, {}, {},
                                str(uuid.uuid4()))

    @post("/")
    async def send(self, request: Request[Any, Any, Any],
                   preregistrations: PreregistrationServiceDep, regions: RegionsDep,
                   kbli: KbliCatalogDep, prereg_limits: PublicFormLimitsDep,
                   settings: SettingsDep) -> Any:
        form = await request.form()
        if is_bot(form):
            return render(request, "citizen/daftar_mandiri_hasil.html", p=None,
                          message=MSG_THANKS)
        values = read_form(form)
        client_id = read_client_id(form.get("client_id")) or str(uuid.uuid4())
        # The statement she ticked is the one this server shows now (a page loaded before a
        # change of the text asks again).
        consent = form.get("consent") == CONSENT_VERSION
        checked = await preregistrations.validate(values, consent, wib_today())
        if not isinstance(checked, ApplicationInput):
            return await self._form(request, preregistrations, regions, kbli, values, checked,
                                    client_id, 422, consent=consent)
        wait = await prereg_limits.client_wait(client_address(request))
        if wait is not None:
            page = await self._form(request, preregistrations, regions, kbli, values, {},
                                    client_id, 429, MSG_CLIENT_LIMIT, consent)
            page.headers["Retry-After"] = str(math.ceil(wait))
            return page
        outcome = await preregistrations.submit(checked, client_id)
        if outcome.kind == "phone_limit":
            return await self._form(request, preregistrations, regions, kbli, values,
                                    {"phone": MSG_PHONE_LIMIT}, client_id, 429,
                                    consent=consent)
        return await self._answer(request, preregistrations, settings, outcome)

    async def _answer(self, request: Request[Any, Any, Any], prereg: PreregistrationService,
                      settings: Settings, outcome: Outcome) -> Any:
        row = await prereg.by_code(outcome.code or "")
        assert row is not None  # just stored, and never deleted the same day
        status_url = _status_url(request, settings, row["code"])
        round_text = _chosen_round(row)
        # Resent after the check-in: her data is the application's now (the copy here was
        # cleared, the phone's last four digits kept), so no WhatsApp link to her number.
        whatsapp = None if row["redacted_at"] else wa_link(
            row["phone"], whatsapp_text(row["code"], row["business_name"], round_text,
                                        status_url))
        # A fixed mask: any of the eight makes a valid code, and scoring all eight (segno's
        # default) costs ~8 ms of CPU per answer, most of this page's work (bench/prereg.py).
        qr = segno.make(status_url, error="m", mask=0)
        return render(
            request, "citizen/daftar_mandiri_hasil.html",
            201 if outcome.kind == "created" else 200, p=row, code=format_code(row["code"]),
            message=MSG_CHANGED if outcome.kind == "changed" else MSG_THANKS,
            round_text=round_text, status_url=status_url, whatsapp=whatsapp,
            status_label=STATUS_LABELS[row["status"]],
            qr_svg=qr.svg_inline(scale=5, dark="#000", light="#fff", border=2),
            expires=wib_time(row["expires_at"], "%d-%m-%Y"))

    # -- the status page ---------------------------------------------------------------------
    @get("/cek", name="daftar_mandiri_cek")
    async def cek_page(self, request: Request[Any, Any, Any], kode: FromQuery[str] = "") -> Any:
        return render(request, "citizen/daftar_mandiri_cek.html", kode=kode[:24], error=None)

    @post("/cek")
    async def cek(self, request: Request[Any, Any, Any],
                  preregistrations: PreregistrationServiceDep, status_limiter: LimiterDep,
                  code_limiter: LimiterDep) -> Any:
        form = await request.form()
        raw_code = str(form.get("kode", ""))[:24]
        digits = "".join(ch for ch in str(form.get("digits", "")) if ch.isdigit())[:4]
        try:  # a malformed code is answered without a look-up, and not counted
            code = parse_code(raw_code)
        except FieldError as exc:
            return render(request, "citizen/daftar_mandiri_cek.html", 422, kode=raw_code,
                          error=exc.message)
        if await status_limiter.hit(client_key(client_address(request))) is not None:
            return render(request, "citizen/daftar_mandiri_cek.html", 429, kode=raw_code,
                          error=MSG_TOO_MANY)
        if await code_limiter.hit(guesses_key(code)) is not None:
            return render(request, "citizen/daftar_mandiri_cek.html", 429, kode=raw_code,
                          error=MSG_TOO_MANY)
        row = await preregistrations.status(code, digits)
        # The same answer for an unknown code and wrong digits (the code is not echoed).
        if row is None:
            return render(request, "citizen/daftar_mandiri_cek.html", 404, kode="",
                          error=MSG_NOT_FOUND)
        await code_limiter.take_back(guesses_key(code))
        return status_page(request, row)


def status_page(request: Request[Any, Any, Any], row: Any) -> Any:
    """A pre-registration's status, for whoever answered its code and digits (here, or on
    /cek): once checked in, it points to the application's own status."""
    return render(
        request, "citizen/daftar_mandiri_status.html", p=row, code=format_code(row["code"]),
        owner=None if row["redacted_at"] else mask_name(row["name"]),
        kbli=json.loads(row["kbli_json"]),
        status_label=STATUS_LABELS[row["status"]], note=STATUS_NOTES[row["status"]],
        round_text=_chosen_round(row),
        expires=wib_time(row["expires_at"], "%d-%m-%Y"))
