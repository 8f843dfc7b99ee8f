"""The audit log's writer: who did what, when, from where (UU 27/2022 accountability).

From a route, one call::

    await audit.log(db, actor_of(request), audit.USER_ROLE, "user", str(user_id), "officer → admin")

or, inside a transaction the route already runs (``db.write(fn, ...)``)::

    audit.record(conn, actor, audit.NIK_VIEW, "application", str(application_id))

``detail`` is read by admins: never put a NIK, phone number, name or password in it.
"""

from __future__ import annotations

import sqlite3

from app.clock import utc_now_iso
from app.db import audit as store
from app.db.audit import Actor, AuditFilter, AuditRow
from app.db.connection import Database

LOGIN_OK = "login.ok"
LOGIN_FAILED = "login.failed"
LOGIN_LOCKED = "login.locked"
LOGOUT = "logout"
USER_CREATED = "user.created"
USER_ROLE = "user.role"
USER_PASSWORD = "user.password"  # noqa: S105 - an action name
USER_DISABLED = "user.disabled"
USER_ENABLED = "user.enabled"
USER_SESSIONS_REVOKED = "user.sessions_revoked"
NIK_VIEW = "nik.view"  # a page showed an application's full NIK; target: the application id
PDP_REQUEST = "pdp.request"
PDP_STATUS = "pdp.status"
PDP_EXPORT = "pdp.export"
PDP_ERASURE = "pdp.erasure"
PDP_ERASURE_REFUSED = "pdp.erasure_refused"
RETENTION_RUN = "retention.run"
ROUND_CREATED = "round.created"
ROUND_CHANGED = "round.changed"
ROUND_STATUS = "round.status"
ROUND_DRAW = "round.draw"
ROUND_SWAP = "round.swap"
OFFICER_LEAVE = "officer.leave"
OFFICER_SECTION = "officer.section"
HONOR_YEAR = "honor.year"
CAR_CHANGED = "car.changed"
AGENCY_CHANGED = "agency.changed"
INVITATION_RECEIVED = "invitation.received"
INVITATION_ANSWERED = "invitation.answered"
DEVICE_ISSUED = "device.issued"
DEVICE_REVOKED = "device.revoked"
COMPLAINT_ASSIGN = "complaint.assign"
COMPLAINT_REPLY = "complaint.reply"
COMPLAINT_CLOSE = "complaint.close"
COMPLAINT_LAPOR = "complaint.lapor"
IKM_EXPORT = "ikm.export"
EXPORT_FULL_NIK = "export.full_nik"
POTENTIAL_SAVED = "statistics.potential"
REFERRAL_OUTCOME = "referral.outcome"
SERVICE_CHANGED = "service.changed"
HOLIDAY_ADDED = "holiday.added"
HOLIDAY_DELETED = "holiday.deleted"

# What the admin's filter offers, in Bahasa Indonesia. Colleagues adding actions add them here.
ACTION_LABELS = {
    LOGIN_OK: "Masuk berhasil",
    LOGIN_FAILED: "Masuk gagal",
    LOGIN_LOCKED: "Penguncian karena gagal masuk",
    LOGOUT: "Keluar",
    USER_CREATED: "Pengguna dibuat",
    USER_ROLE: "Peran diubah",
    USER_PASSWORD: "Kata sandi diatur ulang",
    USER_DISABLED: "Pengguna dinonaktifkan",
    USER_ENABLED: "Pengguna diaktifkan",
    USER_SESSIONS_REVOKED: "Sesi dicabut",
    NIK_VIEW: "NIK lengkap dilihat",
    PDP_REQUEST: "Permintaan subjek data dicatat",
    PDP_STATUS: "Status permintaan subjek data diubah",
    PDP_EXPORT: "Paket akses data diunduh",
    PDP_ERASURE: "Data permohonan dianonimkan",
    PDP_ERASURE_REFUSED: "Penghapusan data ditolak sistem",
    RETENTION_RUN: "Retensi data dijalankan",
    ROUND_CREATED: "Sesi keliling dibuat",
    ROUND_CHANGED: "Sesi keliling diubah",
    ROUND_STATUS: "Status sesi keliling diubah",
    ROUND_DRAW: "Petugas sesi diundi",
    ROUND_SWAP: "Petugas sesi diganti",
    OFFICER_LEAVE: "Cuti petugas diubah",
    OFFICER_SECTION: "Seksi petugas diubah",
    HONOR_YEAR: "Anggaran/tarif honorarium diubah",
    CAR_CHANGED: "Mobil layanan diubah",
    AGENCY_CHANGED: "Instansi mitra diubah",
    INVITATION_RECEIVED: "Undangan layanan keliling masuk",
    INVITATION_ANSWERED: "Undangan layanan keliling dijawab",
    DEVICE_ISSUED: "Kredensial perangkat dibuat",
    DEVICE_REVOKED: "Kredensial perangkat dicabut",
    COMPLAINT_ASSIGN: "Saran/pengaduan ditugaskan",
    COMPLAINT_REPLY: "Saran/pengaduan dijawab",
    COMPLAINT_CLOSE: "Saran/pengaduan ditutup",
    COMPLAINT_LAPOR: "Nomor SP4N-LAPOR! dicatat",
    IKM_EXPORT: "Data survei kepuasan diunduh",
    EXPORT_FULL_NIK: "Ekspor permohonan dengan NIK lengkap",
    POTENTIAL_SAVED: "Potensi usaha per kecamatan diubah",
    REFERRAL_OUTCOME: "Hasil layanan mitra dicatat",
    SERVICE_CHANGED: "Layanan instansi mitra diubah",
    HOLIDAY_ADDED: "Hari libur ditambahkan",
    HOLIDAY_DELETED: "Hari libur dihapus",
}

CLI_ROUTE = "python -m app"


def cli_actor(command: str) -> Actor:
    """The command line acts as nobody in particular, from the server itself."""
    return Actor(None, None, f"{CLI_ROUTE} {command}", "localhost")


def record(
    conn: sqlite3.Connection, actor: Actor, action: str, target_type: str | None = None,
    target_id: str | None = None, detail: str | None = None,
) -> None:
    """Append one entry inside the caller's transaction."""
    store.append(conn, utc_now_iso()[0], actor, action, target_type, target_id, detail)


async def log(
    db: Database, actor: Actor, action: str, target_type: str | None = None,
    target_id: str | None = None, detail: str | None = None,
) -> None:
    """Append one entry in a transaction of its own."""
    await db.write(record, actor, action, target_type, target_id, detail)


async def search(db: Database, f: AuditFilter, limit: int, offset: int
                 ) -> tuple[list[AuditRow], int]:
    """One page of entries, newest first, and how many match in all."""
    return await db.read(store.search, f, limit, offset)
