"""A round's report: the applications taken there, counted by outcome and by KBLI section.
Pure: the caller gives each application's status, NIB and KBLI codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from app.domain.status import HOLDS_NIB, WAITING_FOR_OSS, Status

ISSUED = HOLDS_NIB
WAITING = WAITING_FOR_OSS | {Status.NEEDS_FIX}
REFERRED = Status.REFERRED_OFFICE
CANCELLED = Status.CANCELLED


class Taken(Protocol):
    status: str
    nib: str | None
    kbli: list[str]


@dataclass(frozen=True, slots=True)
class SectionCount:
    section: str
    taken: int
    issued: int
    waiting: int
    referred: int


@dataclass(frozen=True, slots=True)
class RoundReport:
    taken: int
    issued: int
    waiting: int
    referred: int
    cancelled: int
    sections: list[SectionCount] = field(default_factory=list)


def outcome(status: str, nib: str | None) -> str:
    if status in ISSUED or nib:
        return "issued"
    if status == REFERRED:
        return "referred"
    if status == CANCELLED:
        return "cancelled"
    return "waiting"


def tally(rows: Iterable[Taken], section_of: Callable[[str], str | None]) -> RoundReport:
    """Totals, and per KBLI section the applications with at least one code in it (an
    application with codes in two sections counts once in each; "?" for unknown codes)."""
    totals = {"issued": 0, "waiting": 0, "referred": 0, "cancelled": 0}
    per: dict[str, dict[str, int]] = {}
    taken = 0
    for row in rows:
        taken += 1
        result = outcome(row.status, row.nib)
        totals[result] += 1
        for section in sorted({section_of(code) or "?" for code in row.kbli}):
            counts = per.setdefault(section, {"taken": 0, "issued": 0, "waiting": 0,
                                              "referred": 0, "cancelled": 0})
            counts["taken"] += 1
            counts[result] += 1
    sections = [SectionCount(s, c["taken"], c["issued"], c["waiting"], c["referred"])
                for s, c in sorted(per.items())]
    return RoundReport(taken, totals["issued"], totals["waiting"], totals["referred"],
                       totals["cancelled"], sections)
