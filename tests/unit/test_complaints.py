"""Complaints: what the public form accepts, and the 5-working-day clock."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.complaints import (
    MSG_TEXT_SHORT,
    add_working_days,
    clock,
    read_complaint,
    read_lapor_number,
)
from app.domain.errors import FieldError


def test_five_working_days_skip_the_weekend() -> None:
    monday = date(2026, 11, 30)
    assert monday.weekday() == 0
    assert add_working_days(monday, 5) == date(2026, 12, 7)  # next Monday
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 5) == date(2026, 12, 11)
    saturday = date(2026, 12, 5)
    assert add_working_days(saturday, 5) == date(2026, 12, 11)
    # a holiday on Wednesday pushes the due day by one working day
    assert add_working_days(monday, 5, {date(2026, 12, 2)}) == date(2026, 12, 8)


def test_overdue_only_after_the_due_day_and_only_while_open() -> None:
    received = date(2026, 11, 27)  # a Friday: due the next Friday, 4 December
    on_due = clock(received, date(2026, 12, 4), still_open=True)
    assert on_due.due == date(2026, 12, 4) and not on_due.overdue and on_due.used == 5
    late = clock(received, date(2026, 12, 7), still_open=True)
    assert late.overdue and late.left == 0
    assert not clock(received, date(2026, 12, 7), still_open=False).overdue
    weekend = clock(received, date(2026, 11, 29), still_open=True)
    assert weekend.used == 0 and weekend.left == 5


def test_anonymous_complaint_and_field_messages() -> None:
    new, errors = read_complaint({"category": "jadwal", "text": "Mohon jadwal diumumkan."}, ())
    assert errors == {} and new is not None
    assert new.phone is None and new.name is None and new.round_id is None
    new, errors = read_complaint({"category": "x", "text": "pendek", "phone": "021-555",
                                  "round_id": "9"}, {1, 2})
    assert new is None
    assert errors["text"] == MSG_TEXT_SHORT
    assert set(errors) == {"category", "text", "phone", "round_id"}
    new, _ = read_complaint({"category": "oss", "text": "x" * 20, "phone": "0812 3456 7890",
                             "round_id": "2"}, {2})
    assert new is not None and new.phone == "6281234567890" and new.round_id == 2
    _, errors = read_complaint({"category": "oss", "text": "x" * 2001}, ())
    assert "text" in errors


def test_lapor_number() -> None:
    assert read_lapor_number(" lapor-123 ") == "LAPOR-123"
    assert read_lapor_number("") is None
    with pytest.raises(FieldError):
        read_lapor_number("<script>")
