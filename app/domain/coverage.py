"""Coverage: businesses registered in each kecamatan against the potential the admin entered,
and where the car should go next (pure; docs/statistics.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

MAX_POTENTIAL = 10_000_000
MSG_CSV_EMPTY = "Berkas CSV kosong. Isi dua kolom: kecamatan dan potensi."
MSG_CSV_HEADER = "Baris pertama harus judul kolom: kecamatan,potensi."


@dataclass(frozen=True, slots=True)
class CoverageRow:
    code: str
    name: str
    registered: int  # applications with a NIB
    potential: int | None  # None: not entered ("belum diisi")
    last_round: date | None  # the last round done there

    @property
    def ratio(self) -> float | None:
        if not self.potential:
            return None
        return self.registered / self.potential

    def days_since_round(self, today: date) -> int | None:
        return (today - self.last_round).days if self.last_round else None


def rank(rows: Iterable[CoverageRow], today: date) -> list[CoverageRow]:
    """Where to go next, first: kecamatan with a potential by coverage (lowest first), the
    longest without a round first on ties (never visited counts as longest); then those
    without a potential, by fewest registered."""
    def key(row: CoverageRow) -> tuple[int, float, int, str]:
        days = row.days_since_round(today)
        waited = -(days if days is not None else 1_000_000)
        ratio = row.ratio
        if ratio is None:
            return (1, float(row.registered), waited, row.name)
        return (0, ratio, waited, row.name)

    return sorted(rows, key=key)


def parse_potential(raw: str) -> int | str | None:
    """One form field: a whole number, None for empty, or a message."""
    text = raw.strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_POTENTIAL:
        return f"Isi angka bulat 0 sampai {MAX_POTENTIAL:,}".replace(",", ".") + "."
    return int(text)


def parse_potential_csv(
    text: str, find_kecamatan: Callable[[str], str | None]
) -> tuple[dict[str, int], list[str]]:
    """A CSV of ``kecamatan,potensi`` (kecamatan by code or name, ``,`` or ``;``).
    Returns the values by kecamatan code and one message per bad line (nothing is saved
    by the caller when there is any)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return {}, [MSG_CSV_EMPTY]
    dialect = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=dialect))
    header = [cell.strip().casefold() for cell in rows[0]]
    if len(header) < 2 or header[0] != "kecamatan" or not header[1].startswith("potensi"):
        return {}, [MSG_CSV_HEADER]
    values: dict[str, int] = {}
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2:
            errors.append(f"Baris {number}: isi dua kolom, kecamatan dan potensi.")
            continue
        code = find_kecamatan(row[0].strip())
        if code is None:
            errors.append(f"Baris {number}: kecamatan “{row[0].strip()[:40]}” tidak dikenal.")
            continue
        value = parse_potential(row[1])
        if not isinstance(value, int):
            errors.append(f"Baris {number}: {value or 'potensi kosong.'}")
            continue
        values[code] = value
    return values, errors
