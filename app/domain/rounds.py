"""The car's rounds (sesi layanan keliling): a round's form, its time in WIB, conflicts,
the Indonesian way of writing its date, its status machine, the fair draw of officers and
the honorarium. Pure rules, no I/O.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

WIB = timezone(timedelta(hours=7), "WIB")

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")

# Kabupaten Blitar lies within this box (with a margin of a few kilometres): a map point
# outside it is a typing mistake, not a round.
BLITAR_LAT = (-8.40, -7.90)
BLITAR_LNG = (111.90, 112.50)
EVENING_FROM = time(17, 0)  # a round starting at or after this is an evening round
MAX_HOURS = 12
MAX_PLACE = 120
MAX_NOTE = 500
MAX_QUOTA = 1000

MSG_DATE = "Tanggal tidak sah. Pilih tanggal dari kalender (tahun-bulan-tanggal)."
MSG_DATE_PAST = "Tanggal sudah lewat. Pilih tanggal hari ini atau sesudahnya."
MSG_TIME = "Jam tidak sah. Tulis jam dan menit, misalnya 19.00."
MSG_TIME_SAME = "Jam selesai harus berbeda dari jam mulai."
MSG_TOO_LONG = f"Satu sesi paling lama {MAX_HOURS} jam. Periksa jam mulai dan jam selesai."
MSG_KECAMATAN = "Pilih kecamatan di Kabupaten Blitar dari daftar."
MSG_DESA = "Desa/kelurahan tidak ada di kecamatan yang dipilih. Pilih dari daftar."
MSG_PLACE_EMPTY = "Tulis nama tempat, misalnya Balai Desa Jaten atau Alun-alun Wlingi."
MSG_PLACE_LONG = f"Nama tempat terlalu panjang (maksimal {MAX_PLACE} karakter)."
MSG_POINT = "Titik peta tidak sah. Tulis lintang dan bujur, misalnya -8.0955 dan 112.1609."
MSG_POINT_HALF = "Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."
MSG_POINT_OUTSIDE = "Titik peta berada di luar Kabupaten Blitar. Periksa lintang dan bujur."
MSG_CAR = "Pilih mobil layanan dari daftar."
MSG_AGENCY = "Ada instansi yang tidak dikenal. Pilih instansi dari daftar."
MSG_QUOTA = f"Kuota diisi angka 1 sampai {MAX_QUOTA}, atau dikosongkan."
MSG_NOTE_LONG = f"Catatan terlalu panjang (maksimal {MAX_NOTE} karakter)."
MSG_REASON = "Tulis alasan pembatalan (minimal 5 karakter) agar warga tahu."
MSG_CAR_BUSY = "Mobil ini sudah dipakai pada sesi lain di jam yang bertabrakan: {other}."
MSG_OFFICER_BUSY = "{name} sudah bertugas pada sesi lain di jam yang bertabrakan: {other}."

_TIME = re.compile(r"(\d{1,2})[.:](\d{2})")


class RoundStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    RoundStatus.DRAFT: "Draf",
    RoundStatus.PUBLISHED: "Terbit",
    RoundStatus.DONE: "Selesai",
    RoundStatus.CANCELLED: "Dibatalkan",
}
_MOVES = {
    RoundStatus.DRAFT: {RoundStatus.PUBLISHED, RoundStatus.CANCELLED},
    RoundStatus.PUBLISHED: {RoundStatus.DONE, RoundStatus.CANCELLED},
    RoundStatus.DONE: set(),
    RoundStatus.CANCELLED: set(),
}


def can_move(before: str, after: str) -> bool:
    return RoundStatus(after) in _MOVES[RoundStatus(before)]


@dataclass(frozen=True, slots=True)
class RoundInput:
    day: date
    start: time
    end: time
    kecamatan: str
    desa: str | None
    place: str
    lat: float | None
    lng: float | None
    car_id: int
    agency_ids: tuple[int, ...]
    quota: int | None
    note: str

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.start, WIB)

    @property
    def ends_at(self) -> datetime:
        return ends_at(self.day, self.start, self.end)

    @property
    def evening(self) -> bool:
        return self.start >= EVENING_FROM


def ends_at(day: date, start: time, end: time) -> datetime:
    """The end in WIB: an end at or before the start is after midnight (19.00–01.00)."""
    moment = datetime.combine(day, end, WIB)
    return moment + timedelta(days=1) if end <= start else moment


def parse_time(text: str) -> time | None:
    """"19.00", "19:00", "7.30" -> time; None when unreadable."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _coordinate(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value == value and abs(value) <= 180 else None  # not NaN


def validate_round(
    raw: Mapping[str, object],
    *,
    kecamatan_names: Mapping[str, str],
    kecamatan_of_desa: Callable[[str], str | None],
    car_ids: Collection[int],
    agency_ids: Collection[int],
    today: date,
) -> RoundInput | dict[str, str]:
    """A round's form: the clean round, or one message per bad field."""
    errors: dict[str, str] = {}

    def text(name: str, limit: int = 1000) -> str:
        value = raw.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        return " ".join(str(value if value is not None else "").split())[:limit]

    day: date | None = None
    try:
        day = date.fromisoformat(text("day", 10))
    except ValueError:
        errors["day"] = MSG_DATE
    if day is not None and day < today:
        errors["day"] = MSG_DATE_PAST
    start = parse_time(text("start", 5))
    end = parse_time(text("end", 5))
    if start is None:
        errors["start"] = MSG_TIME
    if end is None:
        errors["end"] = MSG_TIME
    if start is not None and end is not None and day is not None:
        if start == end:
            errors["end"] = MSG_TIME_SAME
        elif ends_at(day, start, end) - datetime.combine(day, start, WIB) > timedelta(
                hours=MAX_HOURS):
            errors["end"] = MSG_TOO_LONG
    kecamatan = text("kecamatan", 20)
    if kecamatan not in kecamatan_names:
        errors["kecamatan"] = MSG_KECAMATAN
    desa = text("desa", 20) or None
    if desa is not None and kecamatan_of_desa(desa) != kecamatan:
        errors["desa"] = MSG_DESA
    place = text("place", MAX_PLACE + 1)
    if not place:
        errors["place"] = MSG_PLACE_EMPTY
    elif len(place) > MAX_PLACE:
        errors["place"] = MSG_PLACE_LONG
    lat_text, lng_text = text("lat", 20), text("lng", 20)
    lat = lng = None
    if lat_text or lng_text:
        if not (lat_text and lng_text):
            errors["lat"] = MSG_POINT_HALF
        else:
            lat, lng = _coordinate(lat_text), _coordinate(lng_text)
            if lat is None or lng is None:
                errors["lat"] = MSG_POINT
            elif not (BLITAR_LAT[0] <= lat <= BLITAR_LAT[1]
                      and BLITAR_LNG[0] <= lng <= BLITAR_LNG[1]):
                errors["lat"] = MSG_POINT_OUTSIDE
    car_text = text("car_id", 10)
    car_id = int(car_text) if car_text.isdigit() else 0
    if car_id not in car_ids:
        errors["car_id"] = MSG_CAR
    raw_agencies = raw.get("agency_ids") or []
    items = raw_agencies if isinstance(raw_agencies, list | tuple) else [raw_agencies]
    agencies: list[int] = []
    for item in items:
        value = str(item).strip()
        if not value.isdigit() or int(value) not in agency_ids:
            errors["agency_ids"] = MSG_AGENCY
            break
        if int(value) not in agencies:
            agencies.append(int(value))
    quota_text = text("quota", 10).replace(".", "")
    quota = None
    if quota_text:
        if not quota_text.isdigit() or not 1 <= int(quota_text) <= MAX_QUOTA:
            errors["quota"] = MSG_QUOTA
        else:
            quota = int(quota_text)
    note = str(raw.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = MSG_NOTE_LONG
    if errors:
        return errors
    assert day is not None and start is not None and end is not None
    return RoundInput(day, start, end, kecamatan, desa, place, lat, lng, car_id,
                      tuple(sorted(agencies)), quota, note)


def cancel_reason(raw: object) -> str | dict[str, str]:
    text = " ".join(str(raw or "").split())[:300]
    return text if len(text) >= 5 else {"reason": MSG_REASON}


# -- time and words ----------------------------------------------------------------------------
def date_text(day: date) -> str:
    """"Sabtu, 12 Desember 2026"."""
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def clock_text(moment: time) -> str:
    return f"{moment.hour:02d}.{moment.minute:02d}"


def when_text(day: date, start: time, end: time) -> str:
    """"Sabtu, 12 Desember 2026, 19.00–22.00 WIB" (an end after midnight says so)."""
    after_midnight = " (hari berikutnya)" if end <= start else ""
    return f"{date_text(day)}, {clock_text(start)}–{clock_text(end)}{after_midnight} WIB"


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Two time spans share a moment (touching ends do not)."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True, slots=True)
class Booking:
    """Another round that holds a car or an officer."""

    round_id: int
    label: str
    starts_at: datetime
    ends_at: datetime
    car_id: int
    officer_ids: frozenset[int] = frozenset()


def conflicts(
    round_id: int | None,
    span: tuple[datetime, datetime],
    car_id: int,
    officers: Mapping[int, str],
    others: Sequence[Booking],
) -> dict[str, str]:
    """Why this round cannot hold its car or officers: the same car or the same officer
    in two overlapping rounds (cancelled rounds are not passed in)."""
    errors: dict[str, str] = {}
    for other in others:
        if other.round_id == round_id or not overlaps(span, (other.starts_at, other.ends_at)):
            continue
        if other.car_id == car_id and "car_id" not in errors:
            errors["car_id"] = MSG_CAR_BUSY.format(other=other.label)
        for officer_id in sorted(other.officer_ids & officers.keys()):
            errors.setdefault("officers", MSG_OFFICER_BUSY.format(name=officers[officer_id],
                                                                  other=other.label))
    return errors


# -- the fair draw ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Candidate:
    officer_id: int
    rounds_this_quarter: int
    evening_rounds_this_quarter: int
    on_leave: bool = False
    booked: bool = False  # already in an overlapping round


@dataclass(frozen=True, slots=True)
class Draw:
    seed: int
    chosen: tuple[int, ...]
    order: tuple[int, ...] = field(default=())  # every eligible officer, best first


def draw_officers(candidates: Sequence[Candidate], n: int, seed: int, evening: bool) -> Draw:
    """Choose ``n`` officers "randomly and in turn", fairly and reproducibly.

    Officers on leave or already booked are never chosen. Those with fewer rounds this
    quarter come first; for an evening round, then those with fewer evening rounds; ties
    are broken by a random order drawn from ``seed``, so the same seed gives the same draw
    (it is recorded with the round and can be shown again).
    """
    eligible = sorted((c for c in candidates if not c.on_leave and not c.booked),
                      key=lambda c: c.officer_id)
    rng = random.Random(seed)
    tiebreak = {c.officer_id: rng.random() for c in eligible}
    ranked = sorted(
        eligible,
        key=lambda c: (c.rounds_this_quarter,
                       c.evening_rounds_this_quarter if evening else 0,
                       tiebreak[c.officer_id]),
    )
    order = tuple(c.officer_id for c in ranked)
    return Draw(seed, order[:max(0, n)], order)


def quarter_of(day: date) -> tuple[date, date]:
    """The first day of ``day``'s quarter and the first day of the next."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, end


# -- the honorarium --------------------------------------------------------------------------
DEFAULT_RATE = Decimal(75_000)


@dataclass(frozen=True, slots=True)
class Honorarium:
    officer_id: int
    rounds: int
    evening_rounds: int
    amount: Decimal


def honorarium(
    done: Sequence[tuple[int, bool]], rate: Decimal, evening_rate: Decimal | None
) -> list[Honorarium]:
    """Per officer: rounds done (``(officer_id, evening)`` per assignment of a done round) ×
    the rate; evening rounds at the evening rate when one is set."""
    per: dict[int, list[int]] = {}
    for officer_id, evening in done:
        counts = per.setdefault(officer_id, [0, 0])
        counts[0] += 1
        counts[1] += int(evening)
    rows = []
    for officer_id, (rounds, evenings) in sorted(per.items()):
        night = evening_rate if evening_rate is not None else rate
        amount = rate * (rounds - evenings) + night * evenings
        rows.append(Honorarium(officer_id, rounds, evenings, amount))
    return rows
