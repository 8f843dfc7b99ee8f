"""Pre-registration from home (/daftar-mandiri): the rules that are not the application's.

The fields, their checks and messages are the application's own (app/domain/application.py);
this module holds what a pre-registration adds: the consent statement and its version, the
code (the tracking-code alphabet, shown as ``P-ABC-DEFG``), how long it is kept, its
statuses, and the Idempotency-Key its check-in at the car derives from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from app.domain.errors import FieldError
from app.domain.tracking import format_tracking_code, normalize_tracking_code

# Raise the version whenever the consent text below changes: each answer records the
# version she agreed to.
CONSENT_VERSION = "2026-11-v1"
RETENTION_DAYS = 90
PREFIX = "P-"

CONSENT_PURPOSE = (
    "Data ini dipakai DPMPTSP Kabupaten Blitar hanya untuk menyiapkan pendaftaran NIB Anda. "
    "Petugas mencocokkan data dengan KTP Anda di mobil layanan keliling; sebelum itu tidak "
    "ada data yang dikirim ke OSS."
)
CONSENT_RETENTION = (
    f"Bila Anda tidak datang, data dihapus otomatis {RETENTION_DAYS} hari setelah sesi layanan "
    f"yang Anda pilih (atau {RETENTION_DAYS} hari setelah dikirim bila tidak memilih sesi)."
)
CONSENT_CONTACT = (
    "Untuk pertanyaan, melihat, memperbaiki, atau menghapus data Anda, hubungi Pejabat "
    "Pelindungan Data Pribadi DPMPTSP Kabupaten Blitar di kantor DPMPTSP atau lewat "
    "halaman Saran."
)
CONSENT_LABEL = "Saya sudah membaca keterangan di atas dan setuju data saya dipakai untuk itu."
MSG_CONSENT = "Centang persetujuan penggunaan data untuk melanjutkan."

# What the citizen's status page says for each status.
STATUS_LABELS = {
    "waiting": "Menunggu verifikasi petugas",
    "checked_in": "Sudah diverifikasi petugas",
    "expired": "Sesi layanan sudah lewat",
}
STATUS_NOTES = {
    "waiting": ("Bawa KTP asli ke mobil layanan keliling dan tunjukkan kode ini. Petugas "
                "mencocokkan data dengan KTP, lalu mendaftarkannya ke OSS."),
    "checked_in": ("Data Anda sudah dicocokkan petugas dan didaftarkan. Pantau statusnya "
                   "dengan kode pelacakan dari petugas di halaman Cek status."),
    "expired": ("Sesi yang Anda pilih sudah lewat. Anda tetap bisa datang ke sesi layanan "
                "berikutnya atau ke kantor DPMPTSP dengan membawa KTP."),
}

# The check-in's Idempotency-Key: UUIDv5 of "P-" + the canonical code in this fixed
# namespace (static/js/prereg.js computes the same on the phone). Every phone that checks
# the same person in sends the same key, so the intake stores one application.
CHECKIN_NAMESPACE = uuid.UUID("5f0c8a64-1b7e-5d2a-9c41-6a1e2f3b4c5d")

MSG_CODE_EMPTY = "Kode pra-pendaftaran wajib diisi, misalnya P-ABC-DEFG."


def checkin_key(code: str) -> str:
    """The Idempotency-Key of the application made from this pre-registration."""
    return str(uuid.uuid5(CHECKIN_NAMESPACE, PREFIX + code))


def format_code(code: str) -> str:
    """``ABCDEFG`` -> ``P-ABC-DEFG``."""
    return PREFIX + format_tracking_code(code)


def parse_code(raw: str) -> str:
    """What a citizen or officer typed or scanned ("P-ABC-DEFG", "p abcdefg", "ABC-DEFG", or
    a status URL ending in ``kode=P-ABC-DEFG``) as the canonical 7-character code. Raises
    FieldError with the tracking code's messages."""
    text = (raw or "").strip()
    if "kode=" in text:
        text = text.rsplit("kode=", 1)[1].split("&", 1)[0]
    clean = "".join(ch for ch in text if ch.isalnum()).upper()
    if not clean:
        raise FieldError(MSG_CODE_EMPTY)
    if len(clean) == 8 and clean.startswith("P"):
        clean = clean[1:]
    return normalize_tracking_code(clean)


def expires_at(anchor: datetime) -> datetime:
    """When a pre-registration never checked in is deleted: ``RETENTION_DAYS`` after its
    round ends (``anchor``), or after it was made when no round was chosen."""
    return anchor + timedelta(days=RETENTION_DAYS)


def whatsapp_text(code: str, business_name: str, round_text: str | None, status_url: str
                  ) -> str:
    """What "Kirim ke WhatsApp saya" puts in the citizen's own chat."""
    lines = [
        f"Kode pra-pendaftaran NIB: {format_code(code)}",
        f"Usaha: {business_name}",
    ]
    if round_text:
        lines.append(f"Sesi layanan keliling: {round_text}")
    lines += [
        "Bawa KTP asli dan tunjukkan kode ini kepada petugas di mobil layanan keliling.",
        f"Cek status: {status_url}",
    ]
    return "\n".join(lines)
