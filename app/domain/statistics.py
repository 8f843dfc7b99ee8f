"""The office's numbers, as pure rules: the filter of the statistics pages, KBLI sections,
capture-to-NIB time buckets and their percentiles, month labels (docs/statistics.md)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.domain.status import HOLDS_NIB, Status

# KBLI 2020 sections by 2-digit division (the same as ISIC rev. 4).
_SECTION_RANGES: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)
SECTION_TITLES: dict[str, str] = {
    "A": "Pertanian, kehutanan dan perikanan",
    "B": "Pertambangan dan penggalian",
    "C": "Industri pengolahan",
    "D": "Pengadaan listrik, gas, uap/air panas dan udara dingin",
    "E": "Pengadaan air, pengelolaan sampah dan daur ulang",
    "F": "Konstruksi",
    "G": "Perdagangan besar dan eceran; reparasi mobil dan sepeda motor",
    "H": "Pengangkutan dan pergudangan",
    "I": "Penyediaan akomodasi dan makan minum",
    "J": "Informasi dan komunikasi",
    "K": "Aktivitas keuangan dan asuransi",
    "L": "Real estat",
    "M": "Aktivitas profesional, ilmiah dan teknis",
    "N": "Penyewaan, ketenagakerjaan, agen perjalanan dan penunjang usaha",
    "O": "Administrasi pemerintahan dan jaminan sosial wajib",
    "P": "Pendidikan",
    "Q": "Kesehatan manusia dan kegiatan sosial",
    "R": "Kesenian, hiburan dan rekreasi",
    "S": "Aktivitas jasa lainnya",
    "T": "Rumah tangga sebagai pemberi kerja",
    "U": "Badan internasional dan ekstra internasional",
}
SECTIONS: tuple[str, ...] = tuple(SECTION_TITLES)
SEX_LABELS = {"L": "Laki-laki", "P": "Perempuan"}
ISSUED = tuple(sorted(HOLDS_NIB))  # statuses that hold a NIB
REFERRED = Status.REFERRED_OFFICE
MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def section_of(division: str) -> str | None:
    """The KBLI section (A–U) of a 2-digit division, None when it is not one."""
    if len(division) != 2 or not division.isdigit():
        return None
    number = int(division)
    for section, low, high in _SECTION_RANGES:
        if low <= number <= high:
            return section
    return None


def by_section(per_division: Mapping[str, int]) -> dict[str, int]:
    """Counts per division summed into sections A–U (every section present, unknown dropped)."""
    out = dict.fromkeys(SECTIONS, 0)
    for division, n in per_division.items():
        section = section_of(division)
        if section is not None:
            out[section] += n
    return out


# Capture-to-NIB buckets (lower bounds in seconds, about 1.5x wide, 10 s to 30 days): the
# table stat_time_buckets of migration 0016 holds the same ladder.
TIME_BUCKETS: tuple[int, ...] = (
    0, 10, 20, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 5400,
    7200, 10800, 14400, 21600, 28800, 43200, 64800, 86400, 129600, 172800, 259200, 345600,
    432000, 604800, 864000, 1209600, 1814400, 2592000,
)


def duration_bucket(seconds: int) -> int:
    """The bucket (its lower bound) a capture-to-NIB time is counted in."""
    return TIME_BUCKETS[bisect.bisect_right(TIME_BUCKETS, max(0, seconds)) - 1]


def _upper(lower: int) -> int:
    i = TIME_BUCKETS.index(lower) if lower in TIME_BUCKETS else -1
    return TIME_BUCKETS[i + 1] if 0 <= i < len(TIME_BUCKETS) - 1 else lower


def percentile(histogram: Iterable[tuple[int, int]], q: float) -> int | None:
    """The ``q`` percentile (0 < q <= 1) estimated from (bucket lower bound, count) pairs:
    the bucket holding the nearest rank, interpolated linearly inside it."""
    pairs = sorted((v, n) for v, n in histogram if n > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value, n in pairs:
        if seen + n >= rank:
            share = (rank - seen - 0.5) / n
            return round(value + share * (_upper(value) - value))
        seen += n
    return pairs[-1][0]  # pragma: no cover - rank <= total


def duration_label(seconds: int | None) -> str:
    """A time span for people: "45 detik", "12 menit", "3 jam 20 menit", "2 hari 4 jam"."""
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds} detik"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} menit"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} jam {minutes} menit" if minutes else f"{hours} jam"
    days, hours = divmod(hours, 24)
    return f"{days} hari {hours} jam" if hours else f"{days} hari"


def month_label(month: str) -> str:
    """"2019-03" -> "Mar 2019"."""
    year, number = month.split("-")
    return f"{MONTHS_ID[int(number) - 1]} {year}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), both included."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end and len(out) < 1200:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month(value: str | None) -> str | None:
    if not value or len(value) != 7 or value[4] != "-":
        return None
    year, month = value[:4], value[5:]
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return None
    return value


@dataclass(frozen=True, slots=True)
class StatFilter:
    """What the statistics pages show: months (YYYY-MM, both included), a kecamatan code or
    all (""), a round id or all (None)."""

    month_from: str
    month_to: str
    kecamatan: str = ""
    round_id: int | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str], today: date,
              kecamatan_exists: object = None) -> StatFilter:
        """From the page's query (``dari``, ``sampai``, ``kecamatan``, ``sesi``); anything
        missing or malformed falls back: the period defaults to January of this year to
        this month (the office's own report), a wrong order is swapped."""
        this_month = f"{today.year:04d}-{today.month:02d}"
        first = _month(query.get("dari")) or f"{today.year:04d}-01"
        last = _month(query.get("sampai")) or this_month
        if first > last:
            first, last = last, first
        kecamatan = (query.get("kecamatan") or "").strip()
        if callable(kecamatan_exists) and kecamatan and not kecamatan_exists(kecamatan):
            kecamatan = ""
        raw_round = (query.get("sesi") or "").strip()
        round_id = int(raw_round) if raw_round.isdigit() and len(raw_round) < 10 else None
        return cls(first, last, kecamatan[:20], round_id)

    def query(self) -> dict[str, str]:
        """The filter as the page's query parameters (for links that keep it)."""
        out = {"dari": self.month_from, "sampai": self.month_to}
        if self.kecamatan:
            out["kecamatan"] = self.kecamatan
        if self.round_id is not None:
            out["sesi"] = str(self.round_id)
        return out
