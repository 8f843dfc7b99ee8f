"""OSS's integration API (PIA) for regions: tokens, answer shapes, the dataNIB record.

Shapes follow the official guide (see ../shared/OSS.md): receiveNIB is served BY the region
and authenticated with ``Token: SHA1(USERNAME + PASSWORD + NIB + DATE(Ymd))``; checkNIB and
inqueryNIB are called BY the region with header ``user_key``. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from app.clock import WIB
from app.domain.nib_push import PushedNib

NIB_LENGTH = 13

MSG_RECEIVED = "Berhasil menyimpan data"
MSG_BAD_TOKEN = "Token tidak valid"  # noqa: S105 - a message, not a secret
MSG_NO_NIB = "Payload tidak menyertakan data NIB yang sah"
MSG_BAD_BODY = "Format data JSON tidak valid"
MSG_NOT_CONFIGURED = "Layanan receiveNIB belum dikonfigurasi"
MSG_NIB_NOT_FOUND = "Data NIB tidak ditemukan"
MSG_NIB_OTHER_NIK = "NIB ini sudah tercatat untuk NIK lain; data tidak disimpan"

NIB_STATUS = {
    "01": "Aktif",
    "02": "Belum Aktif",
    "03": "Diizinkan Usaha",
    "04": "Diizinkan Beroperasi",
    "05": "Dibekukan",
    "06": "Dicabut",
}

_NIB_STRIP = str.maketrans("", "", " .-\t\u00a0")


# -- the NIB ---------------------------------------------------------------------------------
def parse_nib(raw: object) -> str | None:
    """A NIB as typed (spaces, dots, dashes allowed between digits) -> its 13 digits, or None."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = str(raw).translate(_NIB_STRIP)
    if len(text) != NIB_LENGTH or not (text.isascii() and text.isdigit()):
        return None
    if len(set(text)) == 1:
        return None  # 0000000000000 and friends are never issued
    return text


# -- receiveNIB token ------------------------------------------------------------------------
def pia_token(username: str, password: str, nib: str, day: date) -> str:
    """``SHA1(USERNAME + PASSWORD + NIB + Ymd)`` as lower-case hex."""
    raw = f"{username}{password}{nib}{day.strftime('%Y%m%d')}"
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()


def token_days(now: datetime) -> tuple[date, date, date]:
    """The dates a token may carry: today in WIB, and the days either side (a push sent a
    second before midnight, or a clock a little off, must not be refused)."""
    today = now.astimezone(WIB).date()
    return today, today - timedelta(days=1), today + timedelta(days=1)


def token_valid(
    token: str | None, username: str, password: str, nib: str, now: datetime
) -> bool:
    if not token or not username or not password:
        return False
    given = token.strip().lower()
    ok = False
    for day in token_days(now):
        # no early exit: the time taken does not depend on which day matched
        ok |= hmac.compare_digest(given, pia_token(username, password, nib, day))
    return ok


def payload_digest(data: object) -> str:
    """SHA-256 of a pushed dataNIB as canonical JSON: the same push, however it is spaced or
    ordered, has the same digest."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- answers ---------------------------------------------------------------------------------
def receive_answer(ok: bool, message: str) -> dict[str, Any]:
    return {"responreceiveNIB": {"status": "1" if ok else "2", "keterangan": message}}


def check_answer(kode: int, keterangan: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"kode": kode, "keterangan": keterangan}
    if data is not None:
        body["dataNIB"] = dict(data)
    return {"responcheckNIB": body}


def inquery_answer(kode: int, keterangan: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"kode": kode, "keterangan": keterangan}
    if data is not None:
        body["dataNIB"] = dict(data)
    return {"responinqueryNIB": body}


# -- what a pushed dataNIB tells us ------------------------------------------------------------
def _kbli_text(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100_000:
        return f"{value:05d}"  # a JSON number loses the leading zero of 01111
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 5 and text.isascii() and text.isdigit():
            return text
    return None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def read_pushed_nib(data: object) -> PushedNib | None:
    """The NIB, NIKs and KBLIs of a receiveNIB ``dataNIB`` object, or None without a NIB.

    The business actor's NIK is in ``penanggung_jwb[].no_identitas_penanggung_jwb`` (KTP =
    identity type 01); ``no_id_user_proses`` (who processed it in OSS) is kept as a second
    candidate. KBLIs are in ``data_proyek[].kbli``.
    """
    if not isinstance(data, Mapping):
        return None
    nib = parse_nib(data.get("nib"))
    if nib is None:
        return None
    niks: list[str | None] = []
    responsible = data.get("penanggung_jwb")
    if isinstance(responsible, list):
        for person in responsible:
            if isinstance(person, Mapping) and str(
                person.get("jns_identitas_penanggung_jwb", "01")
            ) in ("01", "1", ""):
                niks.append(_nik_text(person.get("no_identitas_penanggung_jwb")))
    if str(data.get("jenis_id_user_proses", "01")) in ("01", "1", ""):
        niks.append(_nik_text(data.get("no_id_user_proses")))
    kblis: list[str | None] = []
    projects = data.get("data_proyek")
    if isinstance(projects, list):
        kblis = [_kbli_text(p.get("kbli")) for p in projects if isinstance(p, Mapping)]
    status = data.get("status_nib")
    return PushedNib(nib, _unique(niks), _unique(kblis), str(status) if status else None)


def _nik_text(value: object) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 16 and text.isascii() and text.isdigit():
            return text
    return None


# -- the dataNIB record of a micro business (what OSS pushes and inqueryNIB answers) -------------
def micro_business_record(
    *,
    nib: str,
    oss_id: str,
    issued_at: datetime,
    nik: str,
    name: str,
    business_name: str,
    kblis: Iterable[tuple[str, str]],
    region_id: str = "",
    address: str = "",
    scale: str = "01",
    workers_male: int = 0,
    workers_female: int = 0,
    capital: int = 0,
    status_nib: str = "01",
) -> dict[str, Any]:
    """A dataNIB for a perseorangan micro business in OSS's field names (receiveNIB shape).

    ``kblis``: (code, description) per business activity. Only the fields a micro business
    has are filled; the others of the full record are left out.
    """
    stamp = issued_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")
    projects = [
        {
            "id_proyek": f"{oss_id}-{index:02d}",
            "uraian_usaha": title,
            "jumlah_tki_l": str(workers_male),
            "jumlah_tki_p": str(workers_female),
            "kbli": code,
            "modal_kerja": str(capital),
            "jumlah_investasi": str(capital),
            "nama_kegiatan": business_name,
            "skala_usaha": scale,
            "skala_resiko": "R",
            "data_lokasi_proyek": [
                {"proyek_daerah_id": region_id, "alamat_usaha": address}
            ],
        }
        for index, (code, title) in enumerate(kblis, start=1)
    ]
    return {
        "nib": nib,
        "tgl_pengajuan_nib": stamp[:10],
        "tgl_terbit_nib": stamp[:10],
        "oss_id": oss_id,
        "kewenangan": "02",
        "jenis_pelaku_usaha": "02",
        "flag_umk": "Y",
        "skala_usaha": scale,
        "nama_perseroan": business_name,
        "penanggung_jwb": [
            {
                "flag_asing": "N",
                "jns_identitas_penanggung_jwb": "01",
                "no_identitas_penanggung_jwb": nik,
                "nama_penanggung_jwb": name,
                "daerah_id_penanggung_jwb": region_id,
            }
        ],
        "data_proyek": projects,
        "jenis_id_user_proses": "01",
        "no_id_user_proses": nik,
        "nama_user_proses": name,
        "status_nib": status_nib,
        "tipe_dokumen": "9",
    }
