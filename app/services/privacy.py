"""The data protection officer's desk (UU 27/2022): data-subject requests, the access
bundle and erasure by anonymisation. Every act is written to the audit log in the same
transaction; the audit detail never holds the NIK or a name."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clock import iso
from app.db import privacy as store
from app.db.audit import Actor
from app.db.connection import Database
from app.domain.subject_requests import (
    NewRequest,
    blocks_erasure,
    due_at,
    erasure_refusal,
    is_overdue,
)
from app.services import audit

TARGET = "pdp_request"


@dataclass(frozen=True, slots=True)
class Erasure:
    refused: str | None  # why not, in Bahasa Indonesia
    codes: list[str]  # tracking codes anonymised


def overdue(row: sqlite3.Row, now: datetime) -> bool:
    return is_overdue(row["status"], datetime.fromisoformat(row["due_at"]), now)


class PrivacyDesk:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def requests(self) -> list[sqlite3.Row]:
        return await self.db.read(store.requests)

    async def request(self, request_id: int) -> sqlite3.Row | None:
        return await self.db.read(store.request, request_id)

    async def holdings(self, nik: str) -> list[store.Holding]:
        return await self.db.read(store.holdings, nik)

    async def record(self, actor: Actor, new: NewRequest, now: datetime) -> int:
        def tx(conn: sqlite3.Connection) -> int:
            request_id = store.create_request(
                conn, new, iso(new.received_at), iso(due_at(new.received_at)), actor.user_id,
                iso(now))
            audit.record(conn, actor, audit.PDP_REQUEST, TARGET, str(request_id),
                         f"jenis {new.kind}, saluran {new.channel}")
            return request_id
        return await self.db.write(tx)

    async def set_status(self, actor: Actor, request_id: int, status: str, reason: str | None,
                         now: datetime) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            if not store.set_status(conn, request_id, status, reason, iso(now)):
                return False
            audit.record(conn, actor, audit.PDP_STATUS, TARGET, str(request_id), status)
            return True
        return await self.db.write(tx)

    async def access_bundle(self, actor: Actor, request_id: int, now: datetime
                            ) -> bytes | None:
        """The JSON download for an access request, written to the audit log as one export."""
        def tx(conn: sqlite3.Connection) -> dict[str, Any] | None:
            row = store.request(conn, request_id)
            if row is None or row["redacted_at"]:  # masked meanwhile: no NIK to look up
                return None
            bundle = store.access_bundle(conn, row["nik"])
            audit.record(conn, actor, audit.PDP_EXPORT, TARGET, str(request_id),
                         f"{len(bundle['applications'])} permohonan,"
                         f" {len(bundle['audit_trail'])} catatan audit")
            return {
                "dibuat": iso(now),
                "permintaan": {"id": row["id"], "jenis": row["kind"],
                               "diterima": row["received_at"], "nik": row["nik"]},
                "penjelasan": (
                    "Seluruh data yang disimpan DPMPTSP Kabupaten Blitar dalam aplikasi Joss "
                    "Banget Mas tentang NIK ini: permohonan beserta riwayatnya, pengiriman ke "
                    "OSS, NIB yang dikirim OSS, langganan notifikasi, pemberitahuan WhatsApp, "
                    "dan catatan siapa yang melihat atau mengubah permohonan itu."),
                "permohonan": bundle["applications"],
                "nib_dari_oss": bundle["oss_pushes"],
                "jejak_audit": bundle["audit_trail"],
            }
        content = await self.db.write(tx)
        if content is None:
            return None
        return json.dumps(content, ensure_ascii=False, indent=2).encode()

    async def erase(self, actor: Actor, request_id: int, now: datetime) -> Erasure | None:
        """Anonymise the applications of the request's NIK, unless one still waits."""
        def tx(conn: sqlite3.Connection) -> Erasure | None:
            row = store.request(conn, request_id)
            if row is None or row["redacted_at"]:  # masked meanwhile: no NIK to act on
                return None
            held = store.holdings(conn, row["nik"])
            refusal = erasure_refusal(
                [(h.tracking_code, h.status) for h in held if blocks_erasure(h.status)])
            if refusal:
                audit.record(conn, actor, audit.PDP_ERASURE_REFUSED, TARGET, str(request_id),
                             "masih ada permohonan yang menunggu")
                return Erasure(refusal, [])
            codes = store.anonymise(conn, row["nik"], iso(now))
            audit.record(conn, actor, audit.PDP_ERASURE, TARGET, str(request_id),
                         f"{len(codes)} permohonan dianonimkan")
            for code in codes:
                audit.record(conn, actor, audit.PDP_ERASURE, "application", code,
                             f"permintaan subjek data {request_id}")
            return Erasure(None, codes)
        return await self.db.write(tx)
