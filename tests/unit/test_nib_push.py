"""Which waiting application a pushed NIB belongs to: NIK and KBLI, exactly one, or review."""

from __future__ import annotations

from app.domain.nib_push import Candidate, PushedNib, match_push

NIK = "3505014507900012"


def push(kblis: tuple[str, ...] = ("56102",), niks: tuple[str, ...] = (NIK,)) -> PushedNib:
    return PushedNib("9120001234567", niks, kblis, "01")


def test_one_waiting_application_with_the_nik_and_a_kbli_matches() -> None:
    candidates = [Candidate(1, "issued", "1111111111111", ("56102",)),
                  Candidate(2, "submitted", None, ("47111", "56102")),
                  Candidate(3, "received", None, ("10710",))]
    match = match_push(push(), candidates)
    assert (match.kind, match.application_id) == ("matched", 2)


def test_nothing_or_several_fitting_is_kept_for_review() -> None:
    assert match_push(push(), []).kind == "unmatched"
    assert match_push(push(niks=()), [Candidate(1, "received", None, ("56102",))]).kind == (
        "unmatched")
    other_kbli = match_push(push(("47111",)), [Candidate(1, "received", None, ("56102",))])
    assert other_kbli.kind == "unmatched" and "KBLI" in other_kbli.note
    two = [Candidate(1, "received", None, ("56102",)), Candidate(2, "submitted", None,
                                                                 ("56102",))]
    assert match_push(push(), two).kind == "unmatched"
    done = [Candidate(1, "needs_fix", None, ("56102",)), Candidate(2, "cancelled", None,
                                                                   ("56102",))]
    assert match_push(push(), done).kind == "unmatched"


def test_a_nib_already_recorded_is_a_duplicate() -> None:
    match = match_push(push(), [Candidate(7, "issued", "9120001234567", ("56102",))])
    assert (match.kind, match.application_id) == ("duplicate", 7)
