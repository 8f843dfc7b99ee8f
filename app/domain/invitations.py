"""Invitations (undangan): a camat, kepala desa, association or community invites the car.
The public form's rules, the reference code and the replies. Pure rules, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.errors import FieldError
from app.domain.phone import normalize_phone
from app.domain.tracking import format_tracking_code, normalize_tracking_code

PREFIX = "U-"
MAX_DATES = 3
MAX_AHEAD_DAYS = 366
MAX_EXPECTED = 5000
LIMITS = {"name": 100, "role": 60, "organisation": 120, "place": 120, "note": 500}
# The whole form, in bytes: several times what an honest form holds (the texts above, the
# dates and the hidden fields), far below the app's global body limit.
MAX_FORM_BYTES = 8 * 1024
CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

MSG_NAME = "Tulis nama Anda (2–100 karakter)."
MSG_ROLE = "Tulis jabatan atau peran Anda, misalnya Kepala Desa atau Ketua Paguyuban."
MSG_ORGANISATION = "Tulis nama lembaga atau kelompok, misalnya Pemerintah Desa Jaten."
MSG_KECAMATAN = "Pilih kecamatan di Kabupaten Blitar dari daftar."
MSG_DESA = "Pilih desa/kelurahan di kecamatan tersebut dari daftar."
MSG_PLACE = "Tulis tempat layanan, misalnya Balai Desa Jaten (paling banyak 120 karakter)."
MSG_DATES = "Pilih 1 sampai 3 tanggal yang diinginkan."
MSG_DATE_BAD = "Tanggal tidak sah. Pilih tanggal dari kalender."
MSG_DATE_RANGE = "Pilih tanggal mulai besok sampai satu tahun ke depan."
MSG_DATE_TWICE = "Tanggal yang sama dipilih dua kali."
MSG_WHEN = "Pilih waktu layanan: malam atau siang."
MSG_EXPECTED = f"Isi perkiraan jumlah usaha dengan angka 1 sampai {MAX_EXPECTED}, atau kosongkan."
MSG_NOTE = f"Catatan terlalu panjang (paling banyak {LIMITS['note']} karakter)."
MSG_CODE = ("Kode undangan terdiri dari huruf U lalu 7 huruf/angka, misalnya U-ABC-DEFG. "
            "Periksa kembali kode yang Anda terima.")


@dataclass(frozen=True, slots=True)
class InvitationInput:
    name: str
    role: str
    organisation: str
    phone: str
    kecamatan: str
    desa: str
    place: str
    dates: tuple[date, ...]
    evening: bool
    expected: int | None
    note: str


STATUS_LABELS = {
    "new": "Sedang ditinjau",
    "accepted": "Diterima",
    "proposed": "Diusulkan tanggal lain",
    "declined": "Belum dapat dipenuhi",
}


def _text(raw: Mapping[str, object], name: str, limit: int) -> str:
    value = raw.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value if value is not None else "").split())[:limit + 1]


def validate_invitation(
    raw: Mapping[str, object], *, kecamatan_names: Mapping[str, str],
    kecamatan_of_desa: Callable[[str], str | None], today: date,
) -> InvitationInput | dict[str, str]:
    """The public form: the clean invitation, or one message per bad field."""
    errors: dict[str, str] = {}
    name = _text(raw, "name", LIMITS["name"])
    if not 2 <= len(name) <= LIMITS["name"]:
        errors["name"] = MSG_NAME
    role = _text(raw, "role", LIMITS["role"])
    if not 2 <= len(role) <= LIMITS["role"]:
        errors["role"] = MSG_ROLE
    organisation = _text(raw, "organisation", LIMITS["organisation"])
    if not 2 <= len(organisation) <= LIMITS["organisation"]:
        errors["organisation"] = MSG_ORGANISATION
    phone = ""
    try:
        phone = normalize_phone(_text(raw, "phone", 30))
    except FieldError as exc:
        errors["phone"] = exc.message
    kecamatan = _text(raw, "kecamatan", 20)
    if kecamatan not in kecamatan_names:
        errors["kecamatan"] = MSG_KECAMATAN
    desa = _text(raw, "desa", 20)
    if "kecamatan" not in errors and kecamatan_of_desa(desa) != kecamatan:
        errors["desa"] = MSG_DESA
    place = _text(raw, "place", LIMITS["place"])
    if not 2 <= len(place) <= LIMITS["place"]:
        errors["place"] = MSG_PLACE
    dates: list[date] = []
    for index in range(1, MAX_DATES + 1):
        text = _text(raw, f"date{index}", 10)
        if not text:
            continue
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors[f"date{index}"] = MSG_DATE_BAD
            continue
        if not today < day <= today + timedelta(days=MAX_AHEAD_DAYS):
            errors[f"date{index}"] = MSG_DATE_RANGE
        elif day in dates:
            errors[f"date{index}"] = MSG_DATE_TWICE
        else:
            dates.append(day)
    if not dates and not any(k.startswith("date") for k in errors):
        errors["date1"] = MSG_DATES
    when = _text(raw, "when", 10)
    if when not in ("malam", "siang"):
        errors["when"] = MSG_WHEN
    expected_text = _text(raw, "expected", 10).replace(".", "")
    expected = None
    if expected_text:
        if not expected_text.isdigit() or not 1 <= int(expected_text) <= MAX_EXPECTED:
            errors["expected"] = MSG_EXPECTED
        else:
            expected = int(expected_text)
    note = str(raw.get("note") or "").strip()
    if len(note) > LIMITS["note"]:
        errors["note"] = MSG_NOTE
    if errors:
        return errors
    return InvitationInput(name, role, organisation, phone, kecamatan, desa, place,
                           tuple(dates), when == "malam", expected, note)


def show_code(code: str) -> str:
    """``U-ABC-DEFG``: the tracking-code alphabet and check character, marked as an
    invitation."""
    return PREFIX + format_tracking_code(code)


def parse_code(raw: str) -> str:
    """What a requester typed -> the stored code; raises FieldError."""
    value = "".join(ch for ch in raw.upper() if ch.isalnum())
    if len(value) == 8 and value.startswith("U"):
        value = value[1:]
    try:
        return normalize_tracking_code(value)
    except FieldError:
        raise FieldError(MSG_CODE) from None


def reply_accepted(when: str, place: str) -> str:
    return (f"Terima kasih atas undangannya. Mobil layanan Joss Banget Mas dijadwalkan hadir "
            f"{when} di {place}. Jadwal resminya diumumkan di halaman Jadwal.")


def reply_whatsapp(code: str, status: str, reply: str) -> str:
    """The text the admin hands over on WhatsApp: the outcome and where to read it again."""
    return (f"Undangan layanan keliling {show_code(code)}: {STATUS_LABELS[status]}. {reply} "
            "— DPMPTSP Kabupaten Blitar")
