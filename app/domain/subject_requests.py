"""Data-subject requests (UU 27/2022): kinds, statuses, the 3 x 24-hour clock, the form's
rules, and which applications may be anonymised. Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from app.domain.errors import FieldError
from app.domain.nik import parse_nik
from app.domain.status import WAITING_FOR_OSS, Status

WIB = timezone(timedelta(hours=7), "WIB")  # the office's clock (Kabupaten Blitar)

KINDS = {
    "akses": "Akses (salinan data)",
    "koreksi": "Koreksi (perbaikan data)",
    "penghapusan": "Penghapusan (anonimisasi)",
}
STATUSES = {
    "baru": "Baru",
    "diproses": "Diproses",
    "selesai": "Selesai",
    "ditolak": "Ditolak",
}
OPEN_STATUSES = frozenset({"baru", "diproses"})
CLOSED_STATUSES = frozenset(STATUSES) - OPEN_STATUSES
CHANNELS = {
    "loket": "Datang ke kantor",
    "surat": "Surat",
    "email": "Surel",
    "telepon": "Telepon",
    "whatsapp": "WhatsApp",
}
RESPONSE_TIME = timedelta(hours=3 * 24)
# A receipt time a little ahead of the server's clock (a phone's clock) is accepted.
FUTURE_SLACK = timedelta(minutes=5)

MSG_KIND = "Pilih jenis permintaan."
MSG_CHANNEL = "Pilih saluran permintaan."
MSG_REQUESTER = "Isi nama pemohon (2–100 karakter)."
MSG_RECEIVED = "Isi waktu diterima dengan format tanggal dan jam, misalnya 2025-07-31 09:30."
MSG_RECEIVED_FUTURE = "Waktu diterima tidak boleh di masa depan."
MSG_NOTE = "Catatan paling banyak 1000 karakter."
MSG_STATUS = "Pilih status dari daftar."
MSG_REASON = ("Tuliskan alasan penolakan (paling banyak 1000 karakter) agar bisa disampaikan "
              "ke pemohon.")

# Placeholders that replace personal data when an application is anonymised.
ERASED_TEXT = "[dihapus]"
ERASED_NIK = "0000000000000000"
# Statuses in which an application still waits for OSS or for an officer's correction.
WAITING_FOR_FIX = frozenset({Status.NEEDS_FIX})


@dataclass(frozen=True, slots=True)
class NewRequest:
    kind: str
    nik: str
    requester_name: str
    channel: str
    received_at: datetime  # aware, UTC
    note: str | None


def due_at(received_at: datetime) -> datetime:
    """The 3 x 24-hour answer deadline."""
    return received_at + RESPONSE_TIME


def is_overdue(status: str, due: datetime, now: datetime) -> bool:
    return status in OPEN_STATUSES and now > due


def parse_received(value: str) -> datetime | None:
    """``YYYY-MM-DDTHH:MM`` (an HTML datetime-local, WIB) -> aware UTC datetime, or None."""
    text = value.strip().replace(" ", "T")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIB)
    return moment.astimezone(UTC)


def validate_new(form: dict[str, str], now: datetime, today: date
                 ) -> NewRequest | dict[str, str]:
    """The request, or the Indonesian message of each field in error."""
    errors: dict[str, str] = {}
    kind = form.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = MSG_KIND
    nik = ""
    try:
        nik = parse_nik(form.get("nik", ""), today).value
    except FieldError as exc:
        errors["nik"] = str(exc)
    requester = " ".join(form.get("requester_name", "").split())
    if not 2 <= len(requester) <= 100:
        errors["requester_name"] = MSG_REQUESTER
    channel = form.get("channel", "")
    if channel not in CHANNELS:
        errors["channel"] = MSG_CHANNEL
    received = parse_received(form.get("received_at", ""))
    if received is None:
        errors["received_at"] = MSG_RECEIVED
    elif received > now + FUTURE_SLACK:
        errors["received_at"] = MSG_RECEIVED_FUTURE
    note = form.get("note", "").strip()
    if len(note) > 1000:
        errors["note"] = MSG_NOTE
    if errors or received is None:
        return errors
    return NewRequest(kind, nik, requester, channel, received, note or None)


def validate_status(status: str, reason: str) -> str | None:
    if status not in STATUSES:
        return MSG_STATUS
    if status == "ditolak" and not 1 <= len(reason.strip()) <= 1000:
        return MSG_REASON
    return None


def erasure_refusal(blocking: list[tuple[str, str]]) -> str | None:
    """Why the applications ``(tracking_code, status)`` of a NIK cannot be anonymised yet."""
    oss = [code for code, status in blocking if status in WAITING_FOR_OSS]
    fix = [code for code, status in blocking if status in WAITING_FOR_FIX]
    if oss:
        return (f"Belum bisa dihapus: permohonan {', '.join(oss)} masih menunggu OSS. "
                "Jika data dihapus sekarang, NIB yang nanti terbit tidak bisa dicocokkan dengan "
                "pemohonnya dan pemohon tidak bisa dikabari. Tunggu sampai NIB terbit atau "
                "permohonan dibatalkan, lalu ulangi.")
    if fix:
        return (f"Belum bisa dihapus: permohonan {', '.join(fix)} masih menunggu perbaikan "
                "oleh petugas. Batalkan permohonan itu lebih dulu, lalu ulangi.")
    return None


def blocks_erasure(status: str) -> bool:
    return status in WAITING_FOR_OSS or status in WAITING_FOR_FIX
