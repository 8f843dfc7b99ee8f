"""Coverage and where to go next: ranking, and the potential entered or imported."""

from __future__ import annotations

from datetime import date

from app.domain.coverage import CoverageRow, parse_potential, parse_potential_csv, rank

TODAY = date(2025, 6, 30)


def row(name: str, registered: int, potential: int | None, last: date | None) -> CoverageRow:
    return CoverageRow(name.lower(), name, registered, potential, last)


def test_lowest_coverage_first_then_longest_without_a_round_then_no_potential_last():
    rows = [
        row("Full", 90, 100, date(2025, 6, 1)),          # 90 %
        row("Low", 10, 100, date(2025, 6, 20)),          # 10 %
        row("LowOld", 20, 200, date(2025, 1, 1)),        # 10 %, visited longer ago
        row("LowNever", 5, 50, None),                    # 10 %, never visited
        row("Unknown", 3, None, None),                   # no potential entered
        row("UnknownBusy", 40, None, date(2025, 6, 1)),
        row("ZeroPotential", 0, 0, None),                # 0 cannot be divided: like unknown
    ]
    ranked = [r.name for r in rank(rows, TODAY)]
    assert ranked == ["LowNever", "LowOld", "Low", "Full", "ZeroPotential", "Unknown",
                      "UnknownBusy"]
    assert rows[1].ratio == 0.1
    assert rows[2].days_since_round(TODAY) == 180
    assert rows[4].ratio is None


def test_potential_form_values():
    assert parse_potential(" 1.250 ") == 1250
    assert parse_potential("") is None
    assert isinstance(parse_potential("-3"), str)
    assert isinstance(parse_potential("banyak"), str)


def test_potential_csv_by_name_or_code_with_messages_for_bad_lines():
    names = {"wonodadi": "35.05.01", "35.05.13": "35.05.13", "kanigoro": "35.05.13"}

    def find(text: str) -> str | None:
        return names.get(text.casefold())

    values, errors = parse_potential_csv(
        "kecamatan;potensi\nWonodadi;1.200\n35.05.13;800\n", find)
    assert values == {"35.05.01": 1200, "35.05.13": 800} and errors == []
    values, errors = parse_potential_csv(
        "kecamatan,potensi\nAtlantis,5\nKanigoro,x\nWonodadi\n", find)
    assert len(errors) == 3 and "Baris 2" in errors[0] and "Atlantis" in errors[0]
    assert parse_potential_csv("", find)[1] and parse_potential_csv("a,b\n", find)[1]
