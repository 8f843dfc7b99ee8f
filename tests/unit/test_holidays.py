"""The office's holiday list: what the admin's form and a pasted SKB list accept, and the
5-working-day clock with holidays beside a weekend."""

from __future__ import annotations

from datetime import date

from app.domain.complaints import add_working_days, clock, working_days_between
from app.domain.holidays import (
    MAX_NAME,
    MAX_PASTE_LINES,
    MSG_DATE,
    MSG_DATE_RANGE,
    MSG_KIND,
    MSG_LINE,
    MSG_NAME_EMPTY,
    MSG_NAME_LONG,
    MSG_PASTE_EMPTY,
    MSG_PASTE_LONG,
    NewHoliday,
    read_holiday,
    read_pasted,
    round_warning,
)


def test_a_valid_holiday_with_its_name_tidied() -> None:
    new, errors = read_holiday({"day": "2027-03-10", "name": "  Idulfitri\t 1448  H ",
                                "kind": "nasional"})
    assert errors == {}
    assert new == NewHoliday(date(2027, 3, 10), "Idulfitri 1448 H", "nasional")


def test_each_field_says_what_is_wrong() -> None:
    new, errors = read_holiday({"day": "2027-02-30", "name": " ", "kind": "minggu"})
    assert new is None
    assert errors == {"day": MSG_DATE, "name": MSG_NAME_EMPTY, "kind": MSG_KIND}
    for day in ("", "10-03-2027", "2027-3-10", "2027-03-10T00:00", "besok"):
        assert read_holiday({"day": day, "name": "Libur", "kind": "daerah"})[1] == {
            "day": MSG_DATE}, day
    assert read_holiday({"day": "1999-12-31", "name": "Libur", "kind": "daerah"})[1] == {
        "day": MSG_DATE_RANGE}
    assert read_holiday({"day": "2027-03-10", "name": "x" * (MAX_NAME + 1),
                         "kind": "cuti_bersama"})[1] == {"name": MSG_NAME_LONG}
    # control characters are dropped, not stored
    new, _ = read_holiday({"day": "2027-03-10", "name": "Nyepi\x00\x1b", "kind": "nasional"})
    assert new is not None and new.name == "Nyepi"


def test_a_pasted_list_is_read_line_by_line() -> None:
    text = ("2027-01-01 Tahun Baru 2027 Masehi\n"
            "\n"
            "2027-03-10 - Idulfitri 1448 H\n"
            "2027-02-30 Tanggal yang tidak ada\n"
            "Idul Adha 1448 H\n"
            "2026-12-25 Natal (tahun lalu)\n"
            "2027-03-10\tIdulfitri hari kedua\n"
            "2027-08-17\n")
    lines, problem = read_pasted(text, "nasional", 2027)
    assert problem is None
    assert [line.number for line in lines] == [1, 3, 4, 5, 6, 7, 8]  # blank lines skipped
    added = [line.holiday for line in lines if line.holiday]
    assert added == [NewHoliday(date(2027, 1, 1), "Tahun Baru 2027 Masehi", "nasional"),
                     NewHoliday(date(2027, 3, 10), "Idulfitri 1448 H", "nasional")]
    errors = {line.number: line.error for line in lines if line.holiday is None}
    assert errors == {
        4: MSG_DATE,
        5: MSG_LINE,
        6: "Tanggal ini bukan tahun 2027. Tempel daftar tahun 2027 saja.",
        7: "Tanggal ini sudah ada di baris 3.",
        8: MSG_NAME_EMPTY,
    }


def test_a_paste_as_a_whole_can_be_refused() -> None:
    assert read_pasted(" \n\n", "nasional", 2027) == ([], MSG_PASTE_EMPTY)
    assert read_pasted("2027-01-01 Tahun Baru", "libur", 2027) == ([], MSG_KIND)
    many = "\n".join(f"2027-01-{d:02d} Libur" for d in range(1, 32)) * 2
    assert read_pasted(many, "daerah", 2027) == ([], MSG_PASTE_LONG)
    assert MAX_PASTE_LINES < 62


def test_a_holiday_next_to_the_weekend_pushes_the_due_day() -> None:
    # Received Thursday 4 March 2027; Friday 5 is a holiday, then the weekend: the five
    # working days are Mon 8 to Fri 12 (without the holiday: Fri 5 to Thu 11).
    thursday = date(2027, 3, 4)
    assert thursday.weekday() == 3
    friday_off = {date(2027, 3, 5)}
    assert add_working_days(thursday, 5) == date(2027, 3, 11)
    assert add_working_days(thursday, 5, friday_off) == date(2027, 3, 12)
    # a second holiday (Wednesday 10) pushes it into the next week
    assert add_working_days(thursday, 5, friday_off | {date(2027, 3, 10)}) == date(2027, 3, 15)
    # received on the holiday itself, before a weekend: the clock starts on Monday
    assert add_working_days(date(2027, 3, 5), 5, friday_off) == date(2027, 3, 12)
    assert working_days_between(thursday, date(2027, 3, 8), friday_off) == 1
    assert working_days_between(thursday, date(2027, 3, 8)) == 2


def test_the_clock_is_not_overdue_on_the_day_a_holiday_added() -> None:
    thursday = date(2027, 3, 4)
    without = clock(thursday, date(2027, 3, 12), still_open=True)
    assert without.overdue and without.due == date(2027, 3, 11)
    with_holiday = clock(thursday, date(2027, 3, 12), True, {date(2027, 3, 5)})
    assert not with_holiday.overdue and with_holiday.used == 5 and with_holiday.left == 0


def test_the_round_warning_names_the_holiday() -> None:
    text = round_warning(date(2027, 8, 17), "Hari Kemerdekaan RI", "nasional")
    assert text.startswith("Selasa, 17 Agustus 2027 adalah hari libur (Libur nasional: "
                           "Hari Kemerdekaan RI).")
    assert "tetap boleh disimpan" in text
