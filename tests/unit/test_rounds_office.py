"""The office's rules for rounds: the fair draw over many quarters, leave and double
booking, reproducible seeds, conflicts, the honorarium, invitations and a round's report."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.db.rounds import ReportRow
from app.domain.invitations import parse_code, show_code, validate_invitation
from app.domain.round_report import tally
from app.domain.rounds import (
    WIB,
    Booking,
    Candidate,
    conflicts,
    draw_officers,
    ends_at,
    honorarium,
)
from app.domain.tracking import new_tracking_code

OFFICERS = list(range(1, 9))


def test_a_thousand_quarters_keep_the_spread_of_rounds_at_most_one() -> None:
    rng = random.Random(11)
    for _quarter in range(1000):
        rounds = {o: 0 for o in OFFICERS}
        evenings = {o: 0 for o in OFFICERS}
        for _ in range(rng.randint(5, 20)):
            evening = rng.random() < 0.6
            pool = [Candidate(o, rounds[o], evenings[o]) for o in OFFICERS]
            n = rng.randint(1, 4)
            draw = draw_officers(pool, n, rng.randrange(2**31), evening)
            assert len(draw.chosen) == n and len(set(draw.chosen)) == n
            for o in draw.chosen:
                rounds[o] += 1
                evenings[o] += evening
            assert max(rounds.values()) - min(rounds.values()) <= 1


def test_leave_and_double_booking_are_always_respected() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        pool = [Candidate(o, rng.randint(0, 5), rng.randint(0, 3), rng.random() < 0.2,
                          rng.random() < 0.2) for o in OFFICERS]
        free = [c for c in pool if not c.on_leave and not c.booked]
        n = rng.randint(1, 6)
        draw = draw_officers(pool, n, rng.randrange(2**31), rng.random() < 0.5)
        assert len(draw.chosen) == min(n, len(free))
        unavailable = {c.officer_id for c in pool if c.on_leave or c.booked}
        assert not unavailable & set(draw.chosen)
        # nobody left out had fewer rounds than someone chosen
        chosen_max = max((c.rounds_this_quarter for c in free if c.officer_id in draw.chosen),
                         default=0)
        assert all(c.rounds_this_quarter >= chosen_max for c in free
                   if c.officer_id not in draw.chosen) or len(draw.chosen) == len(free)


def test_the_same_seed_gives_the_same_draw_and_seeds_matter() -> None:
    pool = [Candidate(o, 0, 0) for o in OFFICERS]
    first = draw_officers(pool, 3, 424242, True)
    assert draw_officers(list(reversed(pool)), 3, 424242, True) == first
    orders = {draw_officers(pool, 3, seed, True).chosen for seed in range(50)}
    assert len(orders) > 10


def _span(day: date, start: str, end: str) -> tuple[datetime, datetime]:
    s, e = time.fromisoformat(start), time.fromisoformat(end)
    return datetime.combine(day, s, WIB), ends_at(day, s, e)


def test_conflicts_same_car_or_same_officer_in_overlapping_rounds() -> None:
    day = date(2026, 12, 12)
    other = Booking(9, "Sabtu malam di Wlingi", *_span(day, "19:00", "22:00"), car_id=1,
                    officer_ids=frozenset({5}))
    assert "car_id" in conflicts(None, _span(day, "21:00", "23:00"), 1, {}, [other])
    assert conflicts(None, _span(day, "21:00", "23:00"), 2, {}, [other]) == {}
    busy = conflicts(None, _span(day, "21:00", "23:00"), 2, {5: "Budi"}, [other])
    assert busy["officers"].startswith("Budi sudah bertugas")
    assert conflicts(None, _span(day, "22:00", "23:00"), 1, {5: "Budi"}, [other]) == {}
    assert conflicts(9, _span(day, "19:00", "22:00"), 1, {5: "Budi"}, [other]) == {}
    # a round until 01.00 overlaps one the next day at 00.30
    late = Booking(3, "x", *_span(day, "20:00", "01:00"), car_id=1)
    assert "car_id" in conflicts(None, _span(day + timedelta(days=1), "00:30", "02:00"), 1, {},
                                 [late])


def test_honorarium_sums_rounds_times_rate_with_an_evening_rate() -> None:
    done = [(1, False), (1, True), (2, True), (1, False), (3, False)]
    plain = honorarium(done, Decimal(75_000), None)
    assert [(h.officer_id, h.rounds, h.amount) for h in plain] == [
        (1, 3, Decimal(225_000)), (2, 1, Decimal(75_000)), (3, 1, Decimal(75_000))]
    evening = honorarium(done, Decimal(75_000), Decimal(100_000))
    assert sum(h.amount for h in evening) == 3 * 75_000 + 2 * 100_000
    assert sum(h.rounds for h in evening) == len(done)


KEC = {"35.05.01": "Bakung"}


def _desa(code: str) -> str | None:
    return "35.05.01" if code == "35.05.01.2001" else None


def _invitation(**changes: str) -> dict[str, str]:
    base = {"name": "Pak Sutrisno", "role": "Kepala Desa", "organisation": "Pemdes Bakung",
            "phone": "0812-3456-7890", "kecamatan": "35.05.01", "desa": "35.05.01.2001",
            "place": "Balai Desa", "date1": "2026-12-12", "when": "malam", "expected": "40",
            "note": ""}
    return {**base, **changes}


def test_an_invitation_is_validated_field_by_field() -> None:
    today = date(2026, 12, 1)
    ok = validate_invitation(_invitation(date2="2026-12-19"), kecamatan_names=KEC,
                             kecamatan_of_desa=_desa, today=today)
    assert not isinstance(ok, dict)
    assert ok.phone == "6281234567890" and ok.evening and ok.dates[1] == date(2026, 12, 19)
    bad = validate_invitation(_invitation(phone="12", desa="x", date1="2026-11-01",
                                          date2="2026-12-12", when="pagi", expected="-1",
                                          name=""),
                              kecamatan_names=KEC, kecamatan_of_desa=_desa, today=today)
    assert isinstance(bad, dict)
    assert set(bad) == {"phone", "desa", "date1", "when", "expected", "name"}
    none = validate_invitation(_invitation(date1=""), kecamatan_names=KEC,
                               kecamatan_of_desa=_desa, today=today)
    assert isinstance(none, dict) and "date1" in none


def test_invitation_codes_read_back_with_or_without_the_prefix() -> None:
    code = new_tracking_code(random.Random(3))
    shown = show_code(code)
    assert shown.startswith("U-") and parse_code(shown) == code
    assert parse_code(shown.lower().replace("-", " ")) == code
    assert parse_code(code) == code


def test_a_round_report_counts_outcomes_and_kbli_sections() -> None:
    sections = {"47111": "G", "10792": "C", "56102": "I"}
    rows = [ReportRow("issued", "1234567890123", ["47111", "10792"]),
            ReportRow("received", None, ["47111"]),
            ReportRow("referred_office", None, ["56102"]),
            ReportRow("notified", "1234567890124", ["99999"])]
    report = tally(rows, sections.get)
    assert (report.taken, report.issued, report.waiting, report.referred) == (4, 2, 1, 1)
    by = {s.section: s for s in report.sections}
    assert by["G"].taken == 2 and by["G"].issued == 1 and by["G"].waiting == 1
    assert by["C"].issued == 1 and by["I"].referred == 1 and by["?"].issued == 1
