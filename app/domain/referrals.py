"""Referrals to the partner agencies at the table (rules only, no I/O).

A referral starts "requested" (the officer ticked the service) and the agency records its
outcome with its own reference number (../shared/SERVICES.md: each outcome can only be
confirmed by the partner's number). Admins edit the services' wording here checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import FieldError
from app.domain.npwp import mask_npwp, normalize_npwp

REQUESTED = "requested"
DONE = "done"
# Stored values and how people read them, in the order the agency's form offers them.
STATUS_LABELS = {
    REQUESTED: "Menunggu dilayani",
    DONE: "Selesai",
    "consulted": "Sudah konsultasi",
    "follow_up": "Perlu tindak lanjut",
    "not_eligible": "Tidak memenuhi syarat",
}
OUTCOMES = tuple(s for s in STATUS_LABELS if s != REQUESTED)  # what an agency may record
NPWP_SERVICE = "npwp"
TRADEMARK_SERVICE = "merek"  # the one with the UMK recommendation letter

REFERENCE_MAX = 60
NOTE_MAX = 500

MSG_OUTCOME = "Pilih hasil layanan dari daftar."
MSG_REFERENCE_DONE = "Isi {label}: layanan yang selesai dibuktikan dengan nomor dari instansi."
MSG_REFERENCE_LONG = f"Nomor paling banyak {REFERENCE_MAX} karakter."
MSG_REFERENCE_CHARS = ("Nomor hanya berisi huruf, angka, spasi, titik, garis miring atau "
                       "tanda hubung.")
MSG_NOTE_LONG = f"Catatan paling banyak {NOTE_MAX} karakter."


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    reference_number: str | None
    note: str | None


def _reference_chars_ok(value: str) -> bool:
    return all(ch.isalnum() or ch in " ./-" for ch in value)


def validate_outcome(status: str, reference: str, note: str, service_code: str,
                     reference_label: str, nik: str) -> Outcome | dict[str, str]:
    """What the agency recorded, or field -> message (Bahasa Indonesia).

    The reference number is required for "done"; for the NPWP service it must be a valid
    NPWP of this applicant (15 digits, or 16 equal to the NIK) and is stored as digits.
    """
    errors: dict[str, str] = {}
    reference = " ".join(reference.split())
    note = note.strip()
    if status not in OUTCOMES:
        errors["status"] = MSG_OUTCOME
    if not reference and status == DONE:
        errors["reference_number"] = MSG_REFERENCE_DONE.format(label=reference_label)
    elif len(reference) > REFERENCE_MAX:
        errors["reference_number"] = MSG_REFERENCE_LONG
    elif reference and service_code == NPWP_SERVICE:
        try:
            reference = normalize_npwp(reference, nik) or ""
        except FieldError as exc:
            errors["reference_number"] = exc.message
    elif reference and not _reference_chars_ok(reference):
        errors["reference_number"] = MSG_REFERENCE_CHARS
    if len(note) > NOTE_MAX:
        errors["note"] = MSG_NOTE_LONG
    if errors:
        return errors
    return Outcome(status, reference or None, note or None)


def masked_reference(service_code: str, reference: str) -> str:
    """A reference number outside the agency's own page: an NPWP (for a person it is the
    NIK) only by its last four digits."""
    return mask_npwp(reference) if service_code == NPWP_SERVICE else reference


def citizen_reference(service_code: str, status: str, reference: str | None) -> str | None:
    """The reference number the applicant's status page shows: only once done, masked
    like ``masked_reference``."""
    if status != DONE or not reference:
        return None
    return masked_reference(service_code, reference)


def brings_list(text: str) -> list[str]:
    """A service's checklist (one item per line) as items."""
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- the services as admins edit them -------------------------------------------------------
NAME_MAX = 120
LABEL_MAX = 60
BRINGS_ITEMS = 20
BRINGS_ITEM_MAX = 120
POSITION_MAX = 999

MSG_NAME = f"Isi nama layanan (3–{NAME_MAX} karakter)."
MSG_LABEL = (f"Isi nama nomor yang diterbitkan instansi (2–{LABEL_MAX} karakter), misalnya "
             "Nomor STTD.")
MSG_BRINGS = (f"Isi yang dibawa pemohon, satu per baris: 1–{BRINGS_ITEMS} baris, tiap baris "
              f"paling banyak {BRINGS_ITEM_MAX} karakter.")
MSG_POSITION = f"Urutan berupa angka 0–{POSITION_MAX}."


@dataclass(frozen=True, slots=True)
class ServiceInput:
    name: str
    brings: str  # one item per line
    reference_label: str
    needs_nik: bool
    active: bool
    position: int


def validate_service(form: dict[str, str]) -> ServiceInput | dict[str, str]:
    """A service as the admin's form sends it (checkboxes: "1" when ticked)."""
    errors: dict[str, str] = {}
    name = " ".join(form.get("name", "").split())
    label = " ".join(form.get("reference_label", "").split())
    items = brings_list(form.get("brings", ""))
    raw_position = form.get("position", "").strip()
    if not 3 <= len(name) <= NAME_MAX:
        errors["name"] = MSG_NAME
    if not 2 <= len(label) <= LABEL_MAX:
        errors["reference_label"] = MSG_LABEL
    if not 1 <= len(items) <= BRINGS_ITEMS or any(len(i) > BRINGS_ITEM_MAX for i in items):
        errors["brings"] = MSG_BRINGS
    position = int(raw_position) if raw_position.isdigit() and len(raw_position) <= 3 else -1
    if position < 0:
        errors["position"] = MSG_POSITION
    if errors:
        return errors
    return ServiceInput(name, "\n".join(items), label, form.get("needs_nik") == "1",
                        form.get("active") == "1", position)
