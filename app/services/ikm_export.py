"""The admin's IKM export: every response of a period and the index, as CSV or XLSX.

No application, officer or client id leaves: a response is its day, channel, round,
kecamatan, nine scores and the optional profile.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Sequence

import xlsxwriter

from app.domain.ikm import ELEMENTS, PROFILE, IkmResult, to_decimal

HEADER = ("no", "tanggal", "saluran", "sesi", "kecamatan",
          *(e.code.upper() for e in ELEMENTS), *PROFILE)


def _row(number: int, row: sqlite3.Row) -> list[object]:
    return [number, row["day"], row["channel"], row["round_id"] or "", row["kecamatan"] or "",
            *(row[e.code] for e in ELEMENTS), *((row[k] or "") for k in PROFILE)]


def summary_rows(result: IkmResult, label: str) -> list[list[object]]:
    """The index block: period, respondents, each element's mean and score, index, grade."""
    rows: list[list[object]] = [["periode", label], ["jumlah responden", result.respondents]]
    if result.index is None:
        return rows
    for element, mean in zip(ELEMENTS, result.means, strict=True):
        rows.append([f"{element.code.upper()} {element.name}", str(to_decimal(mean, 4)),
                     str(to_decimal(mean * 25))])
    grade = result.grade
    assert grade is not None
    rows += [["IKM", str(to_decimal(result.index))],
             ["mutu pelayanan", f"{grade.letter} ({grade.label})"]]
    return rows


def to_csv(rows: Sequence[sqlite3.Row], result: IkmResult, label: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for number, row in enumerate(rows, 1):
        writer.writerow(_row(number, row))
    writer.writerow([])
    writer.writerows(summary_rows(result, label))
    # A BOM so that a spreadsheet opened by double-click reads UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[sqlite3.Row], result: IkmResult, label: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet("IKM")
    for r, line in enumerate(summary_rows(result, label)):
        summary.write_row(r, 0, line, bold if r == 0 else None)
    summary.set_column(0, 0, 44)
    sheet = book.add_worksheet("Responden")
    sheet.write_row(0, 0, HEADER, bold)
    for number, row in enumerate(rows, 1):
        sheet.write_row(number, 0, _row(number, row))
    book.close()
    return out.getvalue()
