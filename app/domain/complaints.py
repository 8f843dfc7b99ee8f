"""Complaints and suggestions (/saran): what a citizen may send, and the office's clock.

The office answers within 5 working days (SP4N-LAPOR!'s answer time): Monday to Friday in
WIB, weekends skipped; public holidays may be given and are skipped too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.errors import FieldError
from app.domain.phone import normalize_phone

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("pelayanan", "Pelayanan"),
    ("petugas", "Petugas"),
    ("oss", "OSS / NIB"),
    ("jadwal", "Jadwal layanan keliling"),
    ("lainnya", "Lainnya"),
)
CATEGORY_LABELS = dict(CATEGORIES)

STATUSES = {"new": "Diterima", "in_progress": "Sedang ditangani", "answered": "Sudah dijawab",
            "closed": "Selesai"}
OPEN_STATUSES = ("new", "in_progress")

ANSWER_WORKING_DAYS = 5
MIN_TEXT = 10
MAX_TEXT = 2000
MAX_NAME = 80
MAX_REPLY = 2000
MAX_LAPOR = 40

MSG_CATEGORY = "Pilih jenis saran/pengaduan dari daftar."
MSG_TEXT_SHORT = f"Tulis saran atau pengaduan Anda, paling sedikit {MIN_TEXT} huruf."
MSG_TEXT_LONG = f"Tulisan terlalu panjang: paling banyak {MAX_TEXT} huruf."
MSG_NAME_LONG = f"Nama terlalu panjang: paling banyak {MAX_NAME} huruf."
MSG_ROUND = "Sesi layanan tidak dikenal. Pilih dari daftar, atau biarkan kosong."
MSG_REPLY_EMPTY = "Tulis jawaban untuk warga terlebih dahulu."
MSG_REPLY_LONG = f"Jawaban terlalu panjang: paling banyak {MAX_REPLY} huruf."
MSG_LAPOR = (f"Nomor tiket SP4N-LAPOR! hanya huruf, angka, dan tanda hubung (paling banyak "
             f"{MAX_LAPOR}).")


@dataclass(frozen=True, slots=True)
class NewComplaint:
    category: str
    text: str
    name: str | None
    phone: str | None  # "62…" or None (anonymous)
    round_id: int | None


def read_complaint(form: Mapping[str, object], known_rounds: Collection[int]
                   ) -> tuple[NewComplaint | None, dict[str, str]]:
    """A complaint from the public form, or one message per field in Bahasa Indonesia."""
    errors: dict[str, str] = {}
    category = str(form.get("category", "") or "").strip()
    if category not in CATEGORY_LABELS:
        errors["category"] = MSG_CATEGORY
    text = str(form.get("text", "") or "").strip()
    if len(text) < MIN_TEXT:
        errors["text"] = MSG_TEXT_SHORT
    elif len(text) > MAX_TEXT:
        errors["text"] = MSG_TEXT_LONG
    name = str(form.get("name", "") or "").strip() or None
    if name and len(name) > MAX_NAME:
        errors["name"] = MSG_NAME_LONG
    phone: str | None = None
    raw_phone = str(form.get("phone", "") or "").strip()
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except FieldError as exc:
            errors["phone"] = exc.message
    round_id: int | None = None
    raw_round = str(form.get("round_id", "") or "").strip()
    if raw_round:
        if raw_round.isdigit() and int(raw_round) in known_rounds:
            round_id = int(raw_round)
        else:
            errors["round_id"] = MSG_ROUND
    if errors:
        return None, errors
    return NewComplaint(category, text, name, phone, round_id), {}


def read_reply(raw: object) -> str:
    """The office's public reply; raises FieldError."""
    text = str(raw or "").strip()
    if not text:
        raise FieldError(MSG_REPLY_EMPTY)
    if len(text) > MAX_REPLY:
        raise FieldError(MSG_REPLY_LONG)
    return text


def read_lapor_number(raw: object) -> str | None:
    """The SP4N-LAPOR! tracking number (empty: none); raises FieldError."""
    text = str(raw or "").strip().upper()
    if not text:
        return None
    if len(text) > MAX_LAPOR or not all(ch.isascii() and (ch.isalnum() or ch == "-")
                                        for ch in text):
        raise FieldError(MSG_LAPOR)
    return text


# -- the 5-working-day clock ----------------------------------------------------------------

def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The working day ``days`` working days after ``start`` (a complaint received on a
    Friday or a Saturday with 5 days is due the next Friday)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


@dataclass(frozen=True, slots=True)
class Clock:
    due: date
    used: int  # working days gone since receipt
    overdue: bool

    @property
    def left(self) -> int:
        return max(0, ANSWER_WORKING_DAYS - self.used)


def clock(received: date, today: date, still_open: bool,
          holidays: Collection[date] = ()) -> Clock:
    """Where a complaint stands against its 5 working days on ``today`` (WIB)."""
    due = add_working_days(received, ANSWER_WORKING_DAYS, holidays)
    used = working_days_between(received, today, holidays)
    return Clock(due, used, still_open and today > due)
