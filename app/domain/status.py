"""Application status on the server, and which changes are allowed.

Main line: received -> submitted -> issued -> notified. Beside it: needs_fix (OSS or an
officer found a problem), referred_office (not done in the field; set when the
application is recorded, so nothing leads into it), cancelled.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    SUBMITTED = "submitted"
    ISSUED = "issued"
    NOTIFIED = "notified"
    NEEDS_FIX = "needs_fix"
    REFERRED_OFFICE = "referred_office"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[Status, str] = {
    Status.RECEIVED: "Diterima petugas",
    Status.SUBMITTED: "Dikirim ke OSS",
    Status.ISSUED: "NIB terbit",
    Status.NOTIFIED: "Sudah diberitahukan",
    Status.NEEDS_FIX: "Perlu perbaikan",
    Status.REFERRED_OFFICE: "Dilayani di kantor",
    Status.CANCELLED: "Dibatalkan",
}

ALLOWED: dict[Status, frozenset[Status]] = {
    # issued straight from received: a NIB issued in the OSS portal and pushed (receiveNIB)
    # before the forwarder sent the application.
    Status.RECEIVED: frozenset(
        {Status.SUBMITTED, Status.NEEDS_FIX, Status.CANCELLED, Status.ISSUED}
    ),
    # submitted -> submitted: a retry, recorded as a new attempt.
    Status.SUBMITTED: frozenset(
        {Status.ISSUED, Status.NEEDS_FIX, Status.CANCELLED, Status.SUBMITTED}
    ),
    Status.NEEDS_FIX: frozenset({Status.RECEIVED, Status.CANCELLED}),
    Status.ISSUED: frozenset({Status.NOTIFIED}),
    Status.NOTIFIED: frozenset(),
    Status.REFERRED_OFFICE: frozenset({Status.CANCELLED}),
    Status.CANCELLED: frozenset(),
}

# Groups the rest of the app asks about.
WAITING_FOR_OSS: frozenset[Status] = frozenset({Status.RECEIVED, Status.SUBMITTED})
HOLDS_NIB: frozenset[Status] = frozenset({Status.ISSUED, Status.NOTIFIED})
ENDED: frozenset[Status] = frozenset(
    {Status.ISSUED, Status.NOTIFIED, Status.CANCELLED, Status.REFERRED_OFFICE})

# Statuses an application may be created with.
INITIAL: frozenset[Status] = frozenset({Status.RECEIVED, Status.REFERRED_OFFICE})


def can_transition(a: Status | str, b: Status | str) -> bool:
    """True when an application in status ``a`` may move to status ``b``.

    Unknown status names give False rather than an error.
    """
    try:
        return Status(b) in ALLOWED[Status(a)]
    except ValueError:
        return False
