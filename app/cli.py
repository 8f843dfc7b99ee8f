"""Command line: ``python -m app serve | migrate | create-user | user | seed-demo |
forward | backup | restore | retention | reminders``."""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.db import devices as device_store
from app.db import referrals as referral_store
from app.db import users as user_store
from app.db.connection import migrate_path, open_sync, run_transaction
from app.domain.users import MITRA_ROLE, ROLES, agency_for_role
from app.reference.passwords import check_password
from app.services import accounts, audit
from app.services.accounts import hash_password
from app.settings import Settings

if TYPE_CHECKING:
    from app.backup.snapshot import Check

DEMO_USERS = (
    # username, full name, role, password (stated in the README; change them in production)
    ("petugas", "Petugas Demo", "officer", "petugas-blitar"),
    ("admin", "Admin Demo", "admin", "admin-blitar"),
)


def _create_user(
    settings: Settings, username: str, full_name: str, role: str, password: str, command: str,
    agency_id: int | None = None,
) -> int:
    conn = open_sync(settings.db_path)
    password_hash = hash_password(password)

    def tx(conn: sqlite3.Connection) -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        user_id = user_store.upsert_user(conn, username, full_name, password_hash, role, now,
                                         agency_id)
        # A replaced password or role also ends the user's device credentials.
        device_store.revoke_all(conn, user_id, now, "password")
        audit.record(conn, audit.cli_actor(command), audit.USER_CREATED, "user", str(user_id),
                     f"{username}, peran {role} (dibuat atau diperbarui)")
        return user_id

    try:
        return run_transaction(conn, tx)
    finally:
        conn.close()


def _new_password(username: str) -> str | None:
    """The new password from JBM_NEW_PASSWORD or a prompt; None (with a message) if refused."""
    password = os.environ.get("JBM_NEW_PASSWORD") or getpass.getpass("Kata sandi: ")
    problem = check_password(password, username)
    if problem:
        print(problem, file=sys.stderr)
        return None
    return password


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    applied = migrate_path(settings.db_path)
    print(f"database {settings.db_path}: " + (", ".join(applied) or "up to date"))
    return 0


def _agency_of(settings: Settings, role: str, code: str | None) -> int | str | None:
    """The agency id for ``--agency CODE``, or the message why it cannot be used: a mitra
    belongs to exactly one agency (app/domain/users.py), other roles to none."""
    conn = open_sync(settings.db_path)
    try:
        found = referral_store.agency_id_by_code(conn, code) if code else None
        known = {int(row["id"]) for row in referral_store.agencies(conn)}
        codes = ", ".join(row["code"] for row in referral_store.agencies(conn))
    finally:
        conn.close()
    if code and found is None:
        return f"Instansi {code!r} tidak dikenal. Pilih salah satu: {codes}."
    if role != MITRA_ROLE and code:
        return "--agency hanya untuk peran mitra."
    agency_id, problem = agency_for_role(role, found, known)
    return f"{problem} Pakai --agency KODE ({codes})." if problem else agency_id


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    migrate_path(settings.db_path)
    agency_id = _agency_of(settings, args.role, args.agency)
    if isinstance(agency_id, str):
        print(agency_id, file=sys.stderr)
        return 2
    password = _new_password(args.username)
    if password is None:
        return 2
    user_id = _create_user(settings, args.username, args.name, args.role, password,
                           "create-user", agency_id)
    print(f"user {args.username} ({args.role}) id={user_id}")
    return 0


def cmd_seed_demo(settings: Settings, _: argparse.Namespace) -> int:
    if settings.https:
        print("seed-demo ditolak: JBM_BASE_URL memakai https, jadi ini server produksi. Akun "
              "demo memakai kata sandi yang tertulis di README; buat akun dengan "
              "`python -m app create-user`.", file=sys.stderr)
        return 2
    migrate_path(settings.db_path)
    for username, full_name, role, password in DEMO_USERS:
        _create_user(settings, username, full_name, role, password, "seed-demo")
        print(f"demo {role}: {username} / {password}")
    return 0


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    """``user disable|enable|revoke-sessions|set-role|set-password NAME``, audit-logged.

    A running server may keep serving a changed user from its session cache for up to
    ``accounts.CACHE_S`` seconds; the admin pages take effect at once.
    """
    migrate_path(settings.db_path)
    actor = audit.cli_actor(f"user {args.action}")
    conn = open_sync(settings.db_path)
    try:
        account = user_store.find_account(conn, args.username, time.time())
        if account is None:
            print(accounts.MSG_NO_USER, file=sys.stderr)
            return 1
        if args.action == "set-password":
            password = _new_password(account.username)
            if password is None:
                return 2
            problem = run_transaction(conn, accounts.reset_password_tx, actor, account.id,
                                      hash_password(password), None)
        elif args.action == "set-role":
            # a mitra keeps its agency (set a new one with create-user --agency)
            keep_agency = account.agency_id if args.role == MITRA_ROLE else None
            problem = run_transaction(conn, accounts.set_role_tx, actor, account.id, args.role,
                                      None, keep_agency)
        elif args.action == "revoke-sessions":
            problem = run_transaction(conn, accounts.revoke_sessions_tx, actor, account.id, None)
        else:
            problem = run_transaction(conn, accounts.set_active_tx, actor, account.id,
                                      args.action == "enable")
    finally:
        conn.close()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"user {account.username}: {args.action} ok")
    return 0


def cmd_retention(settings: Settings, _: argparse.Namespace) -> int:
    """One run of the retention job (the web app also runs it every hour)."""
    from app.services import retention

    migrate_path(settings.db_path)
    conn = open_sync(settings.db_path)
    try:
        result = run_transaction(conn, retention.apply, settings, datetime.now(UTC),
                                 audit.cli_actor("retention"))
    finally:
        conn.close()
    print(f"retensi: {result.summary()}")
    print(f"(batas: receiveNIB {settings.retention_push_payload_days:g} hari, WhatsApp "
          f"{settings.retention_whatsapp_days:g} hari, tautan push warga "
          f"{settings.retention_push_links_days:g} hari setelah permohonan selesai, NIK "
          f"permintaan subjek data {settings.retention_subject_request_days:g} hari setelah "
          "ditutup)")
    return 0


def cmd_reminders(settings: Settings, args: argparse.Namespace) -> int:
    """One run of the schedule's reminder job (the web app also runs it every minute);
    ``--now`` sets the job's clock (an ISO time with its offset), for tests and drills."""
    from app.reference.regions import Regions
    from app.services import reminders

    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if now.tzinfo is None:
        print("--now perlu zona waktu, misalnya 2026-12-11T18:00:00+07:00", file=sys.stderr)
        return 2
    migrate_path(settings.db_path)
    conn = open_sync(settings.db_path)
    try:
        result = run_transaction(conn, reminders.run, Regions.load(), now)
    finally:
        conn.close()
    print(f"pengingat jadwal: {result.notices} pemberitahuan, {result.jobs} kiriman push")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app.backup.litestream import replication_beside
    from app.main import create_app
    from app.ossim.process import simulator_beside

    migrate_path(settings.db_path)
    # Default OSS mode "simulator": a local OSS runs beside the app and stops with it.
    # Backup on (the default): Litestream replicates the database beside the app.
    with replication_beside(settings), simulator_beside(settings) as settings:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=False,
        )
    return 0


def cmd_forward(settings: Settings, _: argparse.Namespace) -> int:
    """The OSS forwarder alone (run the web app with JBM_OSS_FORWARDER=0 beside it); in
    simulator mode without ``JBM_OSS_URL`` it starts its own simulator child, as ``serve``
    does."""
    import asyncio
    import logging

    from app.oss.forwarder import run_standalone
    from app.ossim.process import simulator_beside

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with simulator_beside(settings) as settings:
        asyncio.run(run_standalone(settings))
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from app.backup.snapshot import BackupError, take_snapshot

    try:
        result = take_snapshot(settings, Path(args.to) if args.to else None)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"cadangan: {result.database.parent}")
    return _report(result)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from app.backup.snapshot import BackupError, restore

    try:
        result, keys = restore(settings, args.source, Path(args.to))
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"dipulihkan ke {Path(args.to)}")
    if not keys and not (settings.secret_key and settings.vapid_private_key):
        print("catatan: kunci sesi dan kunci VAPID tidak ikut; set JBM_SECRET_KEY dan "
              "JBM_VAPID_PRIVATE_KEY, atau salin secret_key dan vapid_private.pem dari "
              "direktori data lama.")
    code = _report(result)
    if code == 0:
        print(f"jalankan: JBM_DATA_DIR={Path(args.to)} python -m app serve")
    return code


def _report(result: Check) -> int:
    print(f"permohonan: {result.applications} (terakhir {result.last_application_at or '-'}),"
          f" skema {result.schema_version:04d}")
    print("integrity_check: " + "; ".join(result.integrity[:10]))
    if not result.ok:
        print("RUSAK: basis data ini tidak utuh, jangan dipakai.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Joss Banget Mas")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply database migrations")
    create = sub.add_parser("create-user", help="create or update a user (password from "
                            "JBM_NEW_PASSWORD or a prompt)")
    create.add_argument("username")
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=ROLES, default="officer")
    create.add_argument("--agency", metavar="CODE",
                        help="the partner agency of a mitra account (required for --role mitra)")
    user = sub.add_parser("user", help="manage a user (ends their sessions where it matters)")
    actions = user.add_subparsers(dest="action", required=True)
    for action, text in (("disable", "disable the user and end their sessions"),
                         ("enable", "enable the user again"),
                         ("revoke-sessions", "end all of the user's sessions"),
                         ("set-password", "set a new password (JBM_NEW_PASSWORD or a prompt)"),
                         ("set-role", "change the user's role")):
        parser_ = actions.add_parser(action, help=text)
        parser_.add_argument("username")
        if action == "set-role":
            parser_.add_argument("role", choices=ROLES)
    sub.add_parser("seed-demo", help="create the demo officer and admin")
    sub.add_parser("forward", help="run the OSS forwarder as its own process")
    backup = sub.add_parser("backup", help="make a consistent snapshot of the database")
    backup.add_argument("--to", help="a new directory (default: DATA_DIR/backups/jbm-TIME)")
    restore = sub.add_parser("restore", help="restore a replica or snapshot into a new data "
                             "directory and check its integrity")
    restore.add_argument("--from", dest="source", help="a snapshot, a replica directory or "
                         "URL (default: the configured replica)")
    restore.add_argument("--to", required=True, help="the new, empty data directory")
    sub.add_parser("retention", help="blank or delete personal data past its retention "
                   "period, once")
    reminders = sub.add_parser("reminders", help="queue the schedule's reminders and change "
                               "notices due now, once")
    reminders.add_argument("--now", help="the job's clock, ISO with offset (default: now)")
    args = parser.parse_args(argv)
    os.umask(0o077)  # the database, its WAL, keys and backups are the service's alone
    settings = Settings.from_env()
    if args.command == "serve":
        host = args.host or settings.host
        port = args.port or settings.port
        base_url = os.environ.get("JBM_BASE_URL") or f"http://{host}:{port}"
        settings = replace(settings, host=host, port=port, base_url=base_url.rstrip("/"),
                           base_url_configured=bool(os.environ.get("JBM_BASE_URL")))
    handlers = {"serve": cmd_serve, "migrate": cmd_migrate, "create-user": cmd_create_user,
                "user": cmd_user, "seed-demo": cmd_seed_demo, "forward": cmd_forward,
                "backup": cmd_backup, "restore": cmd_restore, "retention": cmd_retention,
                "reminders": cmd_reminders}
    return handlers[args.command](settings, args)
