"""The retention job: blank or delete personal data whose retention period has passed
(docs/privacy.md). Runs inside the web app every ``retention_interval_s`` and once from
``python -m app retention``. Time is a parameter (``now``): tests pass it, nothing sleeps."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.clock import iso, utc_now
from app.db import preregistrations as prereg_store
from app.db import retention as store
from app.db.audit import Actor
from app.db.connection import Database
from app.domain.preregistration import expires_at
from app.services import audit
from app.services.periodic import Periodic
from app.settings import Settings

JOB_ACTOR = Actor(None, None, "retensi otomatis", "localhost")


@dataclass(frozen=True, slots=True)
class RetentionResult:
    push_payloads: int  # receiveNIB pushes blanked
    whatsapp_handoffs: int  # hand-offs blanked
    push_links: int  # citizens' links to ended applications deleted
    push_subscriptions: int  # subscriptions left without a link deleted
    preregistrations: int = 0  # pre-registrations never checked in, deleted
    checked_in: int = 0  # checked-in pre-registrations whose copy of the data was cleared
    subject_requests: int = 0  # closed data-subject requests reduced to masked history

    @property
    def changed(self) -> bool:
        return any((self.push_payloads, self.whatsapp_handoffs, self.push_links,
                    self.push_subscriptions, self.preregistrations, self.checked_in,
                    self.subject_requests))

    def summary(self) -> str:
        """For the audit log and the command line: counts only, never personal data."""
        return (f"payload receiveNIB dikosongkan {self.push_payloads}, "
                f"serah-terima WhatsApp dikosongkan {self.whatsapp_handoffs}, "
                f"tautan push warga dihapus {self.push_links}, "
                f"langganan push dihapus {self.push_subscriptions}, "
                f"pra-pendaftaran dihapus {self.preregistrations}, "
                f"pra-pendaftaran terverifikasi dikosongkan {self.checked_in}, "
                f"NIK permintaan subjek data disamarkan {self.subject_requests}")


def sweep_preregistrations(conn: sqlite3.Connection, now: datetime) -> int:
    """Pre-registrations never checked in: deleted ``RETENTION_DAYS`` after their round
    ended (the round's end as it is now: a moved round moves the date) or after they were
    made when no round was chosen; a waiting one whose round ended becomes "expired".
    Returns how many were deleted."""
    stamp = iso(now)
    doomed: list[int] = []
    changes: list[tuple[str, str, int]] = []
    for row in prereg_store.not_checked_in(conn):
        anchor = row["round_ends_at"] or row["created_at"]
        expiry = iso(expires_at(datetime.fromisoformat(anchor)))
        if expiry < stamp:
            doomed.append(row["id"])
            continue
        ended = row["round_ends_at"] is not None and row["round_ends_at"] < stamp
        status = "expired" if ended else "waiting"  # a round moved later: waiting again
        if (status, expiry) != (row["status"], row["expires_at"]):
            changes.append((status, expiry, row["id"]))
    prereg_store.set_expiry(conn, changes)
    return prereg_store.delete(conn, doomed)


def apply(conn: sqlite3.Connection, settings: Settings, now: datetime, actor: Actor
          ) -> RetentionResult:
    """One run in the caller's transaction: every period measured back from ``now``."""
    def before(days: float) -> str:
        return iso(now - timedelta(days=days))

    stamp = iso(now)
    links, subs = store.drop_citizen_push_links(conn, before(settings.retention_push_links_days))
    result = RetentionResult(
        push_payloads=store.blank_push_payloads(
            conn, before(settings.retention_push_payload_days), stamp),
        whatsapp_handoffs=store.blank_whatsapp_handoffs(
            conn, before(settings.retention_whatsapp_days), stamp),
        push_links=links,
        push_subscriptions=subs,
        preregistrations=sweep_preregistrations(conn, now),
        checked_in=prereg_store.clear_checked_in(conn, stamp),
        subject_requests=store.mask_closed_subject_requests(
            conn, before(settings.retention_subject_request_days), stamp),
    )
    if result.changed:
        audit.record(conn, actor, audit.RETENTION_RUN, None, None, result.summary())
    return result


def _said(result: RetentionResult) -> str | None:
    return result.summary() if result.changed else None


class RetentionJob:
    """The background task started in the app's lifespan (off with ``JBM_RETENTION=off``)."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._periodic = Periodic("retention", settings.retention_interval_s, self.run_once,
                                  _said)

    def start(self) -> None:
        if self.settings.retention_job:
            self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def run_once(self, now: datetime | None = None) -> RetentionResult:
        return await self.db.write(apply, self.settings, now or utc_now(), JOB_ACTOR)
