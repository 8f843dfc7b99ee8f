"""The office's holiday list: national holidays, "cuti bersama" and regional holidays.

Nothing is built in: an admin enters each year's list from the SKB (Surat Keputusan
Bersama) of the ministers, one by one or pasted as lines "YYYY-MM-DD Nama". The
complaints' 5-working-day clock skips these days (app/domain/complaints.py); the round form
only warns when a round falls on one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.domain.rounds import date_text

KINDS: tuple[tuple[str, str], ...] = (
    ("nasional", "Libur nasional"),
    ("cuti_bersama", "Cuti bersama"),
    ("daerah", "Libur daerah"),
)
KIND_LABELS = dict(KINDS)

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_NAME = 80
MAX_PASTE_LINES = 60

MSG_DATE = "Tanggal tidak sah. Tulis tahun-bulan-tanggal, misalnya 2027-08-17."
MSG_DATE_RANGE = f"Tahun harus antara {MIN_YEAR} dan {MAX_YEAR}."
MSG_NAME_EMPTY = "Tulis nama hari libur, misalnya Idulfitri 1448 H."
MSG_NAME_LONG = f"Nama hari libur terlalu panjang: paling banyak {MAX_NAME} huruf."
MSG_KIND = "Pilih jenis hari libur dari daftar."
MSG_TAKEN = "Tanggal ini sudah ada di daftar: {name}."
MSG_LINE = "Tulis tanggal lalu nama, misalnya 2027-08-17 Hari Kemerdekaan RI."
MSG_OTHER_YEAR = "Tanggal ini bukan tahun {year}. Tempel daftar tahun {year} saja."
MSG_REPEATED = "Tanggal ini sudah ada di baris {line}."
MSG_PASTE_EMPTY = "Tempel daftar hari libur terlebih dahulu, satu tanggal per baris."
MSG_PASTE_LONG = f"Terlalu banyak baris: paling banyak {MAX_PASTE_LINES} sekali tempel."


@dataclass(frozen=True, slots=True)
class NewHoliday:
    day: date
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class PastedLine:
    """One line of a pasted list: the holiday it names, or why it cannot be one."""

    number: int  # 1-based, as the admin sees the lines
    text: str
    holiday: NewHoliday | None
    error: str | None


def read_day(raw: object) -> date | str:
    """A holiday's date from "YYYY-MM-DD", or the message saying what is wrong."""
    text = str(raw or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return MSG_DATE
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return MSG_DATE
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return MSG_DATE_RANGE
    return day


def clean_name(raw: object) -> str:
    """The name as stored: printable characters, single spaces."""
    text = "".join(ch for ch in str(raw or "") if ch.isprintable())
    return " ".join(text.split())


def name_error(name: str) -> str | None:
    if not name:
        return MSG_NAME_EMPTY
    if len(name) > MAX_NAME:
        return MSG_NAME_LONG
    return None


def read_holiday(form: Mapping[str, object]) -> tuple[NewHoliday | None, dict[str, str]]:
    """A holiday from the admin's form (day, name, kind), or one message per field."""
    errors: dict[str, str] = {}
    day = read_day(form.get("day"))
    if isinstance(day, str):
        errors["day"] = day
    name = clean_name(form.get("name"))
    if (message := name_error(name)) is not None:
        errors["name"] = message
    kind = str(form.get("kind", "") or "").strip()
    if kind not in KIND_LABELS:
        errors["kind"] = MSG_KIND
    if errors or not isinstance(day, date):
        return None, errors
    return NewHoliday(day, name, kind), {}


def read_pasted(text: str, kind: str, year: int) -> tuple[list[PastedLine], str | None]:
    """Lines "YYYY-MM-DD Nama" of one year's list, each read on its own (blank lines are
    skipped), or a message for the whole paste (empty, too long, no kind)."""
    if kind not in KIND_LABELS:
        return [], MSG_KIND
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
                if line.strip()]
    if not numbered:
        return [], MSG_PASTE_EMPTY
    if len(numbered) > MAX_PASTE_LINES:
        return [], MSG_PASTE_LONG
    lines: list[PastedLine] = []
    seen: dict[date, int] = {}
    for number, line in numbered:
        raw_day, _, raw_name = line.replace("\t", " ").partition(" ")
        day = read_day(raw_day)
        name = clean_name(raw_name.lstrip(" -–—:"))
        error: str | None
        if isinstance(day, str):
            error = day if re.match(r"\d", raw_day) else MSG_LINE
        elif day.year != year:
            error = MSG_OTHER_YEAR.format(year=year)
        elif day in seen:
            error = MSG_REPEATED.format(line=seen[day])
        else:
            error = name_error(name)
        if isinstance(day, date) and error is None:
            seen[day] = number
            lines.append(PastedLine(number, line, NewHoliday(day, name, kind), None))
        else:
            lines.append(PastedLine(number, line, None, error))
    return lines, None


def taken_message(name: str) -> str:
    return MSG_TAKEN.format(name=name)


def round_warning(day: date, name: str, kind: str) -> str:
    """What the round form says when the chosen date is a holiday (a warning only)."""
    return (f"{date_text(day)} adalah hari libur ({KIND_LABELS.get(kind, 'Libur')}: {name}). "
            "Sesi tetap boleh disimpan; pastikan petugas dan instansi mitra bersedia hadir.")
