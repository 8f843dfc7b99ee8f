"""What the officer reads about an application on its way to OSS (times in WIB)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from app.oss.waiting import (
    citizen_outage_text,
    clock_text,
    describe,
    duration_text,
    reason_text,
)

NOW = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)  # 14:00 WIB


def job(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "state": "pending", "attempts": 0, "next_attempt_at": "2026-11-29T07:00:00+00:00",
        "lease_until": None, "last_outcome": None, "last_error": None,
        "created_at": "2026-11-29T06:50:00+00:00",
    }
    row.update(changes)
    return row


def view(status: str = "submitted", breaker: dict[str, str] | None = None,
         task: dict[str, object] | None = None, outage: str | None = None, **changes: object):
    return describe(status, job(**changes), breaker, task, NOW, reset_timeout_s=60,
                    long_wait_s=86400, outage_started=outage)


def test_outage_says_when_it_is_tried_again_in_wib() -> None:
    waiting = view(attempts=3, last_outcome="unavailable", last_error="timeout",
                   next_attempt_at="2026-11-29T07:32:00+00:00")
    assert waiting.headline == "OSS sedang gangguan — dicoba lagi 14:32"
    assert waiting.detail == "Percobaan ke-3 gagal: OSS tidak menjawab dalam batas waktu."
    # an open breaker holds everything until its reset timeout has passed
    held = view(attempts=1, last_outcome="unavailable", last_error="http_503",
                next_attempt_at="2026-11-29T07:00:10+00:00",
                breaker={"state": "open", "since": "2026-11-29T07:00:30+00:00"})
    assert held.headline.endswith("dicoba lagi 14:01")
    assert "kode 503" in held.detail


def test_states_along_the_way() -> None:
    assert view().headline == "Dalam antrean pengiriman ke OSS."
    assert view(lease_until="2026-11-29T07:01:00+00:00").headline == "Sedang dikirim ke OSS."
    assert view("issued").tone == "ok"
    fix = view("needs_fix")
    assert fix.tone == "error" and "kirim ulang" in fix.headline
    task = view(state="task", task={"claimed_by_name": "Rina",
                                    "claim_until": "2026-11-29T07:30:00+00:00"})
    assert task.headline == "Sedang dimasukkan ke portal OSS oleh Rina."
    lapsed = view(state="task", task={"claimed_by_name": "Rina",
                                      "claim_until": "2026-11-29T06:30:00+00:00"})
    assert lapsed.headline.startswith("Menunggu operator OSS")


def test_long_waits_are_flagged() -> None:
    old = view(created_at="2026-11-27T06:00:00+00:00", attempts=40, last_outcome="unavailable",
               last_error="connect")
    assert old.flagged and "Sudah menunggu 2 hari 1 jam" in old.detail
    assert not view().flagged


def test_texts() -> None:
    assert clock_text(datetime(2026, 11, 30, 1, 0, tzinfo=UTC), NOW) == "30-11 08:00"
    assert [duration_text(s) for s in (40, 720, 18600, 90000)] == [
        "40 detik", "12 menit", "5 jam 10 menit", "1 hari 1 jam"]
    assert reason_text("http_504") == "OSS mengalami gangguan (kode 504)"
    assert reason_text("rate_limited") == "OSS sedang membatasi jumlah kiriman"
    assert reason_text("something-new") == "OSS sedang gangguan"


def _row(**values: object) -> sqlite3.Row:
    """A database row, as the pages pass it (not a dict: it has no ``.get``)."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    names = ", ".join(f":{k} AS {k}" for k in values)
    row = conn.execute(f"SELECT {names}", values).fetchone()
    conn.close()
    return row


def test_operator_task_read_from_a_database_row() -> None:
    claimed = view(state="task", task=_row(claimed_by_name="Rina",
                                           claim_until="2026-11-29T07:30:00+00:00"))
    assert claimed.headline == "Sedang dimasukkan ke portal OSS oleh Rina."
    open_task = view(state="task", task=_row(claimed_by_name=None, claim_until=None))
    assert open_task.headline.startswith("Menunggu operator OSS")


def test_an_application_not_yet_tried_during_an_outage_says_oss_is_down() -> None:
    # the breaker opened at 13:42 WIB: nothing new is sent until a trial succeeds
    outage = "2026-11-29T06:42:00+00:00"
    untried = view(outage=outage, breaker={"state": "open", "since": outage})
    assert untried.headline == ("OSS sedang gangguan sejak 13:42 WIB; permohonan ini menunggu"
                                " dalam antrean.")
    assert "Dikirim otomatis begitu OSS pulih" in untried.detail
    tried = view(outage=outage, attempts=2, last_outcome="unavailable", last_error="http_503",
                 next_attempt_at="2026-11-29T07:05:00+00:00")
    assert tried.headline == "OSS sedang gangguan sejak 13:42 WIB — dicoba lagi 14:05"
    # no outage going on: the plain queue
    assert view().headline == "Dalam antrean pengiriman ke OSS."
    # an outage that began yesterday shows its date
    assert view(outage="2026-11-28T12:42:00+00:00").headline.startswith(
        "OSS sedang gangguan sejak 28-11 19:42 WIB")


def test_the_citizens_outage_line() -> None:
    assert citizen_outage_text("2026-11-29T06:42:00+00:00", NOW) == (
        "OSS sedang gangguan sejak 13:42 WIB; permohonan Anda aman dalam antrean dan akan"
        " dikirim otomatis.")
