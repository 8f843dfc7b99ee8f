"""The officers' honorarium: per month or year, rounds done × that year's rate, against the
year's budget; as a page, CSV and XLSX (XlsxWriter)."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import xlsxwriter

from app.clock import now_iso
from app.db import rounds as store
from app.db.audit import Actor
from app.db.connection import Database
from app.domain.rounds import MONTHS, Honorarium, honorarium
from app.services import audit
from app.settings import Settings

MAX_RUPIAH = 100_000_000_000
MSG_AMOUNT = "Isi angka rupiah tanpa titik atau koma, misalnya 78020000, atau kosongkan."


@dataclass(frozen=True, slots=True)
class HonorLine:
    officer_id: int
    name: str
    rounds: int
    evening_rounds: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HonorReport:
    year: int
    month: int | None
    rate: Decimal
    evening_rate: Decimal | None
    lines: list[HonorLine]
    total: Decimal  # of the period shown
    year_total: Decimal  # of the whole year, against the budget
    budget: Decimal | None

    @property
    def period(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}" if self.month else f"Tahun {self.year}"

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.year_total

    @property
    def rounds(self) -> int:
        return sum(line.rounds for line in self.lines)


def _span(year: int, month: int | None) -> tuple[str, str]:
    if month is None:
        return date(year, 1, 1).isoformat(), date(year + 1, 1, 1).isoformat()
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1).isoformat(), after.isoformat()


def parse_amount(raw: object) -> int | str | None:
    """A rupiah amount typed by the admin: int, None when empty, or the error message."""
    text = str(raw or "").strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_RUPIAH:
        return MSG_AMOUNT
    return int(text)


class HonorService:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    async def report(self, year: int, month: int | None) -> HonorReport:
        def read(conn: sqlite3.Connection) -> tuple[list[Honorarium], list[Honorarium],
                                                    sqlite3.Row | None, dict[int, str]]:
            setting = store.honor_year(conn, year)
            rate, evening = self._rates(setting)
            period = honorarium(store.done_assignments(conn, *_span(year, month)), rate,
                                evening)
            whole = honorarium(store.done_assignments(conn, *_span(year, None)), rate, evening)
            return period, whole, setting, store.user_names(conn, [h.officer_id for h in period])
        period, whole, setting, names = await self.db.read(read)
        rate, evening = self._rates(setting)
        lines = sorted((HonorLine(h.officer_id, names.get(h.officer_id, f"#{h.officer_id}"),
                                  h.rounds, h.evening_rounds, h.amount) for h in period),
                       key=lambda line: (line.name.casefold(), line.officer_id))
        budget = setting["budget"] if setting else None
        return HonorReport(year, month, rate, evening, lines, sum((h.amount for h in period),
                                                                   Decimal(0)),
                           sum((h.amount for h in whole), Decimal(0)),
                           None if budget is None else Decimal(budget))

    def _rates(self, setting: sqlite3.Row | None) -> tuple[Decimal, Decimal | None]:
        rate = setting["rate"] if setting and setting["rate"] is not None else \
            self.settings.honor_rate
        evening = setting["evening_rate"] if setting and setting["evening_rate"] is not None \
            else self.settings.honor_evening_rate
        return Decimal(rate), None if evening is None else Decimal(evening)

    async def year_setting(self, year: int) -> sqlite3.Row | None:
        return await self.db.read(store.honor_year, year)

    async def set_year(self, year: int, form: dict[str, object], actor: Actor
                       ) -> dict[str, str] | None:
        parsed = {name: parse_amount(form.get(name)) for name in
                  ("budget", "rate", "evening_rate")}
        errors = {name: value for name, value in parsed.items() if isinstance(value, str)}
        if errors:
            return errors

        def tx(conn: sqlite3.Connection) -> None:
            store.set_honor_year(conn, year, parsed["budget"], parsed["rate"],  # type: ignore[arg-type]
                                 parsed["evening_rate"], actor.username or "sistem",  # type: ignore[arg-type]
                                 now_iso())
            audit.record(conn, actor, audit.HONOR_YEAR, "honor_year", str(year))
        await self.db.write(tx)
        return None


HEADER = ("Petugas", "Sesi selesai", "Sesi malam", "Honorarium (Rp)")


def to_csv(report: HonorReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in report.lines:
        writer.writerow((line.name, line.rounds, line.evening_rounds, int(line.amount)))
    writer.writerow(("Jumlah", report.rounds, sum(li.evening_rounds for li in report.lines),
                     int(report.total)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets read UTF-8


def to_xlsx(report: HonorReport) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Honorarium")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    money_bold = book.add_format({"num_format": "#,##0", "bold": True})
    sheet.write(0, 0, f"Honorarium petugas layanan keliling — {report.period}", bold)
    sheet.write_row(2, 0, HEADER, bold)
    row = 3
    for line in report.lines:
        sheet.write(row, 0, line.name)
        sheet.write_number(row, 1, line.rounds)
        sheet.write_number(row, 2, line.evening_rounds)
        sheet.write_number(row, 3, int(line.amount), money)
        row += 1
    sheet.write(row, 0, "Jumlah", bold)
    sheet.write_number(row, 1, report.rounds, bold)
    sheet.write_number(row, 2, sum(li.evening_rounds for li in report.lines), bold)
    sheet.write_number(row, 3, int(report.total), money_bold)
    if report.budget is not None and report.remaining is not None:
        sheet.write(row + 2, 0, f"Anggaran {report.year}")
        sheet.write_number(row + 2, 3, int(report.budget), money)
        sheet.write(row + 3, 0, f"Terpakai {report.year}")
        sheet.write_number(row + 3, 3, int(report.year_total), money)
        sheet.write(row + 4, 0, "Sisa anggaran")
        sheet.write_number(row + 4, 3, int(report.remaining), money_bold)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 3, 16)
    book.close()
    return out.getvalue()
