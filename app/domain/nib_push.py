"""A NIB pushed by OSS (receiveNIB) and which waiting application it belongs to. Pure.

OSS pushes every new or changed NIB of the region, including NIBs registered in the OSS
portal by an operator or by the owner. A push belongs to an application when the business
actor's NIK is the application's NIK and at least one KBLI of the push is one of the
application's KBLIs, and that application still waits for OSS (``received`` or
``submitted``). Exactly one such application: matched. None, or more than one: kept for a
person to review (never dropped, never guessed). A NIB already recorded on an application
of the same NIK is a duplicate push (OSS resending, or the push of a NIB we already got).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.status import WAITING_FOR_OSS

WAITING = WAITING_FOR_OSS


@dataclass(frozen=True, slots=True)
class PushedNib:
    """What a pushed dataNIB tells us (read from OSS's JSON by ``app.oss.pia``)."""

    nib: str
    niks: tuple[str, ...]  # identity numbers of the business actor (KTP)
    kblis: tuple[str, ...]  # 5-digit KBLI codes of its projects
    status_nib: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    application_id: int
    status: str
    nib: str | None
    kblis: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    kind: str  # matched | duplicate | unmatched
    application_id: int | None
    note: str


def match_push(pushed: PushedNib, candidates: Sequence[Candidate]) -> Match:
    for candidate in candidates:
        if candidate.nib == pushed.nib:
            return Match("duplicate", candidate.application_id, "NIB sudah tercatat")
    if not pushed.niks:
        return Match("unmatched", None, "Data NIB tidak memuat NIK pelaku usaha")
    if not candidates:
        return Match("unmatched", None, "Tidak ada permohonan dengan NIK ini")
    kblis = set(pushed.kblis)
    waiting = [c for c in candidates if c.status in WAITING]
    if not waiting:
        return Match("unmatched", None, "Permohonan dengan NIK ini tidak sedang menunggu NIB")
    fitting = [c for c in waiting if kblis & set(c.kblis)]
    if not fitting:
        return Match("unmatched", None, "NIK cocok, tetapi KBLI berbeda")
    if len(fitting) > 1:
        return Match("unmatched", None, "Lebih dari satu permohonan cocok; perlu dipilih petugas")
    return Match("matched", fitting[0].application_id, "NIB diterima dari OSS")
