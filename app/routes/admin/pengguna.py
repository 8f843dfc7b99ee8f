"""Admin pages for people: users (create, role, password, disable, sessions) and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from app.clock import WIB, iso, now_iso
from app.db import referrals as referral_store
from app.db.audit import AuditFilter
from app.db.connection import Database
from app.domain.passwords import MAX_LENGTH as PASSWORD_MAX
from app.domain.users import ROLE_LABELS
from app.routes.deps import AccountsDep, ActorDep, DatabaseDep, SettingsDep
from app.routes.pages import render, see_other
from app.security import Actor, require_admin
from app.services import audit
from app.services.accounts import Accounts
from app.settings import Settings

MSG_PASSWORDS_DIFFER = "Kedua kata sandi tidak sama. Ketik ulang."
MSG_BAD_DATE = "Tanggal tidak sah. Pakai format tahun-bulan-tanggal, misalnya 2025-07-31."
# Shown after a change (the key is in the redirect, never the text).
DONE = {
    "dibuat": "Pengguna sudah dibuat.",
    "peran": "Peran sudah diubah. Sesi pengguna ini diakhiri; ia perlu masuk lagi.",
    "sandi": "Kata sandi sudah diatur ulang. Sesi pengguna ini diakhiri.",
    "nonaktif": "Pengguna sudah dinonaktifkan dan semua sesinya diakhiri.",
    "aktif": "Pengguna sudah diaktifkan lagi.",
    "sesi": "Semua sesi pengguna ini sudah dicabut, begitu pula kredensial perangkatnya.",
    "perangkat": "Kredensial perangkat sudah dicabut.",
}
AUDIT_PAGE_SIZE = 50


def _field(form: Any, name: str, limit: int) -> str:
    return str(form.get(name, ""))[:limit]


def _agency_id(form: Any) -> int | None:
    raw = _field(form, "agency_id", 10)
    return int(raw) if raw.isdigit() else None


def _own_token(request: Request[Any, Any, Any], settings: Settings) -> str | None:
    return request.cookies.get(settings.session_cookie)


class AdminUsersController(Controller):
    path = "/admin/pengguna"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _list(self, request: Request[Any, Any, Any], accounts: Accounts, db: Database,
                    status_code: int = 200, **form: Any) -> Any:
        users = await accounts.accounts()
        lockouts = await accounts.recent_lockouts()
        names = {str(u.id): u.username for u in users}
        form.setdefault("values", {"role": "officer"})
        form.setdefault("errors", {})
        return render(request, "admin/users.html", status_code, users=users, lockouts=lockouts,
                      names=names, roles=ROLE_LABELS, password_max=PASSWORD_MAX,
                      agencies=await db.read(referral_store.agencies), **form)

    async def _detail(self, request: Request[Any, Any, Any], accounts: Accounts, db: Database,
                      user_id: int, status_code: int = 200, **context: Any) -> Any:
        account = await accounts.account(user_id)
        if account is None:
            return render(request, "error.html", 404, message="Pengguna tidak ditemukan.",
                          code=404)
        context.setdefault("errors", {})
        return render(request, "admin/user.html", status_code, account=account,
                      roles=ROLE_LABELS, password_max=PASSWORD_MAX,
                      agencies=await db.read(referral_store.agencies),
                      devices=await accounts.devices(user_id), now=now_iso(), **context)

    @get("", name="admin_users")
    async def users(self, request: Request[Any, Any, Any], accounts: AccountsDep,
                    db: DatabaseDep) -> Any:
        return await self._list(request, accounts, db)

    @post("")
    async def create(self, request: Request[Any, Any, Any], accounts: AccountsDep, db: DatabaseDep,
                     actor: ActorDep) -> Any:
        form = await request.form()
        values = {"username": _field(form, "username", 64).strip().lower(),
                  "full_name": _field(form, "full_name", 200).strip(),
                  "role": _field(form, "role", 20), "agency_id": _field(form, "agency_id", 10)}
        password = _field(form, "password", PASSWORD_MAX + 1)
        result = await accounts.create_user(
            actor, values["username"], values["full_name"], values["role"],
            password, _agency_id(form))
        if isinstance(result, dict):
            return await self._list(request, accounts, db, 422, values=values, errors=result)
        return see_other(request, f"/admin/pengguna/{result}?selesai=dibuat")

    @get("/{user_id:int}", name="admin_user")
    async def user(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                   accounts: AccountsDep, db: DatabaseDep,
                   selesai: FromQuery[str | None] = None) -> Any:
        return await self._detail(request, accounts, db, user_id, done=DONE.get(selesai or ""))

    async def _after(self, request: Request[Any, Any, Any], accounts: Accounts, db: Database,
                     user_id: int, problem: str | None, done: str, form: str) -> Any:
        if problem:
            return await self._detail(request, accounts, db, user_id, 422,
                                      errors={form: problem})
        return see_other(request, f"/admin/pengguna/{user_id}?selesai={done}")

    @post("/{user_id:int}/peran")
    async def set_role(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                       accounts: AccountsDep, db: DatabaseDep, actor: ActorDep,
                       settings: SettingsDep) -> Any:
        form = await request.form()
        problems = await accounts.set_role(
            actor, user_id, _field(form, "role", 20), _own_token(request, settings),
            _agency_id(form))
        if problems:
            return await self._detail(request, accounts, db, user_id, 422, errors=problems,
                                      chosen={"role": _field(form, "role", 20),
                                              "agency_id": _field(form, "agency_id", 10)})
        return see_other(request, f"/admin/pengguna/{user_id}?selesai=peran")

    @post("/{user_id:int}/kata-sandi")
    async def reset_password(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                             accounts: AccountsDep, db: DatabaseDep, actor: ActorDep,
                             settings: SettingsDep) -> Any:
        form = await request.form()
        password = _field(form, "password", PASSWORD_MAX + 1)
        if password != _field(form, "password_again", PASSWORD_MAX + 1):
            return await self._detail(request, accounts, db, user_id, 422,
                                      errors={"password": MSG_PASSWORDS_DIFFER})
        problem = await accounts.reset_password(
            actor, user_id, password, _own_token(request, settings))
        return await self._after(request, accounts, db, user_id, problem, "sandi", "password")

    @post("/{user_id:int}/nonaktifkan")
    async def disable(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                      accounts: AccountsDep, db: DatabaseDep, actor: ActorDep) -> Any:
        return await self._set_active(request, accounts, db, actor, user_id, False)

    @post("/{user_id:int}/aktifkan")
    async def enable(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                     accounts: AccountsDep, db: DatabaseDep, actor: ActorDep) -> Any:
        return await self._set_active(request, accounts, db, actor, user_id, True)

    async def _set_active(self, request: Request[Any, Any, Any], accounts: Accounts,
                          db: Database, actor: Actor, user_id: int, active: bool) -> Any:
        problem = await accounts.set_active(actor, user_id, active)
        return await self._after(request, accounts, db, user_id, problem,
                                 "aktif" if active else "nonaktif", "active")

    @post("/{user_id:int}/cabut-sesi")
    async def revoke_sessions(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                              accounts: AccountsDep, db: DatabaseDep, actor: ActorDep,
                              settings: SettingsDep) -> Any:
        problem = await accounts.revoke_sessions(
            actor, user_id, _own_token(request, settings))
        return await self._after(request, accounts, db, user_id, problem, "sesi", "sessions")

    @post("/{user_id:int}/perangkat/{device_id:int}/cabut")
    async def revoke_device(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                            device_id: FromPath[int], accounts: AccountsDep,
                            actor: ActorDep) -> Any:
        await accounts.revoke_device(actor, user_id, device_id)
        return see_other(request, f"/admin/pengguna/{user_id}?selesai=perangkat#perangkat")


def _wib_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _utc_bound(day: date) -> str:
    return iso(datetime.combine(day, time(), WIB).astimezone(UTC))


class AdminAuditController(Controller):
    path = "/admin/audit"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    @get("", name="admin_audit")
    async def audit_log(self, request: Request[Any, Any, Any], aksi: FromQuery[str] = "",
                        pengguna: FromQuery[str] = "", dari: FromQuery[str] = "",
                        sampai: FromQuery[str] = "", halaman: FromQuery[int] = 1, *,
                        db: DatabaseDep, accounts: AccountsDep) -> Any:
        aksi, pengguna, dari, sampai = aksi[:40], pengguna.strip()[:64], dari[:10], sampai[:10]
        errors: dict[str, str] = {}
        since = until = None
        if dari:
            day = _wib_day(dari)
            if day is None:
                errors["dari"] = MSG_BAD_DATE
            else:
                since = _utc_bound(day)
        if sampai:
            day = _wib_day(sampai)
            if day is None:
                errors["sampai"] = MSG_BAD_DATE
            else:
                until = _utc_bound(day + timedelta(days=1))
        page = max(1, min(halaman, 10_000))
        rows, total = await audit.search(
            db, AuditFilter(aksi or None, pengguna or None, since, until),
            AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE)
        names = {str(u.id): u.username for u in await accounts.accounts()}
        query = {"aksi": aksi, "pengguna": pengguna, "dari": dari, "sampai": sampai}
        base = urlencode({k: v for k, v in query.items() if v})
        pages = max(1, -(-total // AUDIT_PAGE_SIZE))
        return render(request, "admin/audit.html", 422 if errors else 200, rows=rows,
                      total=total, page=page, pages=pages, base=base, names=names,
                      actions=audit.ACTION_LABELS, query=query, errors=errors)
