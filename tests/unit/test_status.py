"""Application status: labels and the allowed transitions."""

import itertools

import pytest

from app.domain.status import ALLOWED, INITIAL, LABELS, Status, can_transition

S = Status


def test_status_values() -> None:
    assert [s.value for s in Status] == [
        "received",
        "submitted",
        "issued",
        "notified",
        "needs_fix",
        "referred_office",
        "cancelled",
    ]


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (S.RECEIVED, "Diterima petugas"),
        (S.SUBMITTED, "Dikirim ke OSS"),
        (S.ISSUED, "NIB terbit"),
        (S.NOTIFIED, "Sudah diberitahukan"),
        (S.NEEDS_FIX, "Perlu perbaikan"),
        (S.REFERRED_OFFICE, "Dilayani di kantor"),
        (S.CANCELLED, "Dibatalkan"),
    ],
)
def test_every_status_has_an_indonesian_label(status: Status, label: str) -> None:
    assert LABELS[status] == label
    assert status.label == label


def test_every_status_has_a_transition_entry() -> None:
    assert set(ALLOWED) == set(Status) == set(LABELS)


ALLOWED_PAIRS = {
    (S.RECEIVED, S.SUBMITTED),
    (S.RECEIVED, S.NEEDS_FIX),
    (S.RECEIVED, S.CANCELLED),
    (S.RECEIVED, S.ISSUED),
    (S.SUBMITTED, S.ISSUED),
    (S.SUBMITTED, S.NEEDS_FIX),
    (S.SUBMITTED, S.CANCELLED),
    (S.SUBMITTED, S.SUBMITTED),
    (S.NEEDS_FIX, S.RECEIVED),
    (S.NEEDS_FIX, S.CANCELLED),
    (S.ISSUED, S.NOTIFIED),
    (S.REFERRED_OFFICE, S.CANCELLED),
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(Status, Status)))
def test_transition_table(a: Status, b: Status) -> None:
    assert can_transition(a, b) is ((a, b) in ALLOWED_PAIRS)
    assert can_transition(a.value, b.value) is ((a, b) in ALLOWED_PAIRS)


def test_final_statuses_go_nowhere() -> None:
    assert ALLOWED[S.NOTIFIED] == frozenset()
    assert ALLOWED[S.CANCELLED] == frozenset()


def test_an_issued_nib_cannot_be_cancelled_or_sent_back() -> None:
    assert not can_transition(S.ISSUED, S.CANCELLED)
    assert not can_transition(S.ISSUED, S.NEEDS_FIX)
    assert not can_transition(S.NOTIFIED, S.ISSUED)


def test_every_status_is_reachable_from_an_initial_status() -> None:
    reached = set(INITIAL)
    frontier = list(INITIAL)
    while frontier:
        for nxt in ALLOWED[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(Status)


@pytest.mark.parametrize(("a", "b"), [("received", "done"), ("nope", "submitted"), ("", "")])
def test_unknown_status_names_are_not_transitions(a: str, b: str) -> None:
    assert can_transition(a, b) is False
