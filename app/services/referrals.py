"""Referrals to the partner agencies: what an application asked for and what became of it,
the agency's desk (/mitra), the admin's service pages (/admin/mitra), the statistics
panel, the CSV export and the UMK recommendation letter for a trademark filing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.clock import now_iso
from app.db import referrals as store
from app.db.audit import Actor
from app.db.connection import Database
from app.domain.referrals import (
    OUTCOMES,
    STATUS_LABELS,
    citizen_reference,
    masked_reference,
    validate_outcome,
    validate_service,
)
from app.domain.rounds import date_text
from app.domain.scale import Scale
from app.domain.statistics import StatFilter
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.services import audit
from app.services.statistics import csv_chunks, safe_text

DESK_PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class DeskPage:
    rows: list[sqlite3.Row]
    total: int
    page: int
    pages: int


def kbli_titles(kbli_json: str, kbli: KbliCatalog) -> list[tuple[str, str]]:
    return [(c, e.title if (e := kbli.get(c)) else "") for c in json.loads(kbli_json)]


def citizen_view(rows: Sequence[sqlite3.Row], full: bool = False) -> list[dict[str, Any]]:
    """Each referral's state as the applicant's status page shows it (no personal data:
    an NPWP by its last digits), or with ``full`` as the staff's application page does."""
    return [{"service": r["service_name"], "agency": r["agency"], "status": r["status"],
             "label": STATUS_LABELS.get(r["status"], r["status"]),
             "reference_label": r["reference_label"],
             "reference": (r["reference_number"] if full else
                           citizen_reference(r["service_code"], r["status"],
                                             r["reference_number"])),
             "updated_at": r["updated_at"], "code": r["service_code"]}
            for r in rows]


# -- the export ------------------------------------------------------------------------------
EXPORT_HEADER = (
    "kode_pelacakan", "tanggal_daftar", "nama_usaha", "kecamatan", "sesi", "layanan",
    "instansi", "hasil", "nomor_referensi", "diperbarui", "diperbarui_oleh",
)


class ExportRows:
    """Referral rows as export cells: names for codes, text safe from formulas. No NIK,
    name or phone (an NPWP reference masked): what an agency did, not who it was for."""

    def __init__(self, regions: Regions) -> None:
        self._kecamatan = {k.code: k.name for k in regions.kecamatan()}

    def cells(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        (_id, code, day, business, kec, round_id, service_code, service, agency, status,
         reference, updated_at, updated_by) = row
        return (code, day, safe_text(business), self._kecamatan.get(kec, kec), round_id or "",
                service, agency, STATUS_LABELS.get(status, status),
                safe_text(masked_reference(service_code, reference or "")), updated_at,
                updated_by or "")


# -- the UMK recommendation letter -------------------------------------------------------------
UMK_SCALES = (Scale.MIKRO.value, Scale.KECIL.value)


def letter_context(app: sqlite3.Row, kbli: KbliCatalog, regions: Regions, today: date
                   ) -> dict[str, Any]:
    """What the letter (web/petugas/surat_merek.html) is filled with."""
    desa = regions.desa(app["desa"])
    umk = app["scale"] in UMK_SCALES
    return {
        "app": app,
        "kbli": kbli_titles(app["kbli_json"], kbli),
        "address": (f"{app['street']}, RT {app['rt']}/RW {app['rw']}, "
                    f"{desa.name if desa else ''}, Kecamatan "
                    f"{regions.kecamatan_name(app['kecamatan']) or ''}, Kabupaten Blitar"),
        "umk": umk,
        "scale_text": f"Usaha {Scale(app['scale']).label}" if umk else "",
        "date_text": date_text(today),
    }


class ReferralService:
    def __init__(self, db: Database, regions: Regions) -> None:
        self.db = db
        self.regions = regions

    async def for_application(self, application_id: int) -> list[sqlite3.Row]:
        return await self.db.read(store.for_application, application_id)

    async def add(self, application_id: int, codes: Sequence[str], actor: str) -> int:
        return await self.db.write(store.add_to_application, application_id, codes, actor,
                                   now_iso())

    # -- the agency's desk ----------------------------------------------------------------
    async def desk(self, agency_id: int, status: str | None, round_id: int | None,
                   page: int) -> DeskPage:
        rows, total = await self.db.read(store.desk_page, agency_id, status, round_id,
                                         DESK_PAGE_SIZE, (page - 1) * DESK_PAGE_SIZE)
        return DeskPage(rows, total, page, max(1, -(-total // DESK_PAGE_SIZE)))

    async def rounds(self, agency_id: int) -> list[sqlite3.Row]:
        return await self.db.read(store.desk_rounds, agency_id)

    async def referral(self, referral_id: int) -> sqlite3.Row | None:
        return await self.db.read(store.referral, referral_id)

    async def agencies(self) -> list[sqlite3.Row]:
        return await self.db.read(store.agencies)

    async def record(self, actor: Actor, row: sqlite3.Row, form: dict[str, str]
                     ) -> dict[str, str] | None:
        """The agency's outcome for this referral, or field -> message."""
        result = validate_outcome(form.get("status", ""), form.get("reference_number", ""),
                                  form.get("note", ""), row["service_code"],
                                  row["reference_label"], row["nik"])
        if isinstance(result, dict):
            return result

        def tx(conn: sqlite3.Connection) -> None:
            store.record_outcome(conn, row["id"], result.status, result.reference_number,
                                 result.note, actor.username or "", now_iso())
            # the number itself may be personal (an NPWP): only the outcome is logged
            audit.record(conn, actor, audit.REFERRAL_OUTCOME, "referral", str(row["id"]),
                         f"{row['service_code']}: {row['status']} → {result.status}")

        await self.db.write(tx)
        return None

    # -- services (admin) ------------------------------------------------------------------
    async def services(self) -> list[sqlite3.Row]:
        return await self.db.read(store.services)

    async def update_service(self, actor: Actor, service_id: int, form: dict[str, str]
                             ) -> dict[str, str] | None:
        """Save the service, or field -> message. None for an unknown id as well: the page
        it returns to simply does not list it."""
        value = validate_service(form)
        if isinstance(value, dict):
            return value

        def tx(conn: sqlite3.Connection) -> None:
            if store.update_service(conn, service_id, value):
                audit.record(conn, actor, audit.SERVICE_CHANGED, "service", str(service_id),
                             f"{value.name}; aktif={int(value.active)},"
                             f" perlu NIK={int(value.needs_nik)}, urutan={value.position}")

        await self.db.write(tx)
        return None

    # -- statistics export -----------------------------------------------------------------
    async def count(self, f: StatFilter) -> int:
        return await self.db.read(store.count_for_export, f)

    def csv(self, f: StatFilter) -> AsyncIterator[bytes]:
        """The referrals whose application is in the filter, CHUNK rows at a time by id."""
        return csv_chunks(self.db, store.export_chunk, f, EXPORT_HEADER,
                          ExportRows(self.regions).cells)

OUTCOME_CHOICES = tuple((s, STATUS_LABELS[s]) for s in OUTCOMES)
