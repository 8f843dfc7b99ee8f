"""Data-subject request rules: the 3 x 24-hour clock, the form, when erasure must wait."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.domain.subject_requests import (
    MSG_REASON,
    MSG_RECEIVED_FUTURE,
    NewRequest,
    due_at,
    erasure_refusal,
    is_overdue,
    parse_received,
    validate_new,
    validate_status,
)

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
FORM = {"kind": "penghapusan", "nik": "3505 0145 0790 0012", "requester_name": " Siti  Aminah ",
        "channel": "surat", "received_at": "2026-06-01T09:30", "note": ""}


def test_due_is_72_hours_after_receipt_and_only_open_requests_are_overdue() -> None:
    received = NOW - timedelta(hours=72)
    due = due_at(received)
    assert due == NOW
    assert not is_overdue("baru", due, NOW)
    assert is_overdue("baru", due, NOW + timedelta(seconds=1))
    assert is_overdue("diproses", due, NOW + timedelta(days=9))
    assert not is_overdue("selesai", due, NOW + timedelta(days=9))
    assert not is_overdue("ditolak", due, NOW + timedelta(days=9))


def test_receipt_time_is_read_in_wib() -> None:
    assert parse_received("2026-06-01T09:30") == datetime(2026, 6, 1, 2, 30, tzinfo=UTC)
    assert parse_received("2026-06-01 09:30") == datetime(2026, 6, 1, 2, 30, tzinfo=UTC)
    assert parse_received("kemarin") is None


def test_a_valid_form_gives_the_request() -> None:
    result = validate_new(FORM, NOW, date(2026, 6, 1))
    assert result == NewRequest("penghapusan", "3505014507900012", "Siti Aminah", "surat",
                                datetime(2026, 6, 1, 2, 30, tzinfo=UTC), None)


def test_each_wrong_field_has_its_message() -> None:
    bad = {**FORM, "kind": "x", "nik": "123", "requester_name": "S", "channel": "fax",
           "received_at": "2026-06-01T12:00", "note": "x" * 1001}
    errors = validate_new(bad, NOW, date(2026, 6, 1))
    assert isinstance(errors, dict)
    assert set(errors) == {"kind", "nik", "requester_name", "channel", "received_at", "note"}
    assert errors["received_at"] == MSG_RECEIVED_FUTURE


def test_refusal_needs_a_reason() -> None:
    assert validate_status("ditolak", "  ") == MSG_REASON
    assert validate_status("ditolak", "Bukan data pemohon") is None
    assert validate_status("selesai", "") is None
    assert validate_status("hilang", "") is not None


def test_erasure_waits_for_oss_and_for_a_pending_fix() -> None:
    assert erasure_refusal([]) is None
    oss = erasure_refusal([("ABC-DEFG", "submitted"), ("HJK-MNPQ", "needs_fix")])
    assert oss is not None and "ABC-DEFG" in oss and "menunggu OSS" in oss
    fix = erasure_refusal([("HJK-MNPQ", "needs_fix")])
    assert fix is not None and "perbaikan" in fix
