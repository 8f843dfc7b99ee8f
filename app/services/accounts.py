"""Logins, passwords (argon2id), server-side sessions and user management.

The cookie carries a random 256-bit token; the database keeps only its SHA-256, so a copy of
the database cannot be replayed as cookies. A login always issues a NEW token and deletes
the session the browser came with (no session fixation); sessions end after an idle period
and after an absolute lifetime, whichever comes first, and when the user's password or role
changes or the user is disabled.

Failed logins are throttled per account and per client (app/domain/throttle.py); the
buckets live in SQLite, so a restart forgets nothing. A locked bucket answers without
checking the password, and an unknown account is throttled like a known one.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.clock import iso
from app.db import audit as audit_store
from app.db import devices as device_store
from app.db import referrals as referral_store
from app.db import throttle as buckets
from app.db import users as store
from app.db.audit import Actor, AuditRow
from app.db.connection import Database
from app.db.devices import Device
from app.db.users import Account, LoginNotice, User
from app.domain.throttle import Bucket, Policy, client_key, record_failure, wait_s
from app.domain.users import (
    ROLE_LABELS,
    agency_for_role,
    full_name_problem,
    role_problem,
    username_problem,
)
from app.reference.passwords import check_password
from app.services import audit

# Refresh last_seen at most this often, so reads do not turn into writes.
TOUCH_EVERY_S = 60.0
# A looked-up session is reused for this long without reading the database again (the
# app is one process: login, logout and the user pages update this cache themselves).
CACHE_S = 5.0

_hasher = PasswordHasher()  # argon2id; defaults exceed OWASP's floor (m=19 MiB, t=2, p=1)
_DUMMY_HASH = _hasher.hash("timing-equaliser")

MSG_NO_USER = "Pengguna tidak ditemukan."
MSG_USERNAME_TAKEN = "Nama pengguna ini sudah dipakai. Pilih nama lain."
MSG_SELF = "Perubahan ini untuk akun Anda sendiri harus dilakukan oleh admin lain."
MSG_LAST_ADMIN = "Harus ada sedikitnya satu admin aktif. Jadikan pengguna lain admin dulu."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key_hash(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def _stamp(moment: float) -> str:
    """Device credential times: UTC ISO-8601 to the millisecond (app.clock.iso)."""
    return iso(datetime.fromtimestamp(moment, UTC))


# A device credential is handed out only this soon after the login that made the session,
# and one lives per session: a stolen session cookie cannot be stretched into a 14-day token.
DEVICE_ISSUE_WINDOW_S = 600.0
MSG_DEVICE_NOT_FRESH = "Kredensial perangkat hanya diberikan sesaat setelah masuk."


@dataclass(frozen=True, slots=True)
class DeviceGrant:
    token: str  # shown once, kept only in the phone's IndexedDB
    expires_at: str


def _end_devices(conn: sqlite3.Connection, user_id: int, why: str) -> str:
    """Revoke the user's device credentials; a phrase for the audit detail."""
    count = device_store.revoke_all(conn, user_id, _stamp(time.time()), why)
    return f"; {count} kredensial perangkat dicabut" if count else ""


@dataclass(frozen=True, slots=True)
class Login:
    token: str
    user: User
    notice: bool  # failed logins came before this one: the owner is shown them


@dataclass(frozen=True, slots=True)
class Refused:
    retry_after_s: float  # 0: wrong name or password; more: throttled, try again then


# -- Changes to users: one transaction each, shared by the admin pages and the CLI ---------


def create_user_tx(
    conn: sqlite3.Connection, actor: Actor, username: str, full_name: str, role: str,
    password_hash: str, agency_id: int | None = None,
) -> int | None:
    now = _iso(time.time())
    user_id = store.insert_user(conn, username, full_name, password_hash, role, now,
                                agency_id)
    if user_id is not None:
        audit.record(conn, actor, audit.USER_CREATED, "user", str(user_id),
                     f"{username}, peran {role}{_agency_text(agency_id)}")
    return user_id


def _agency_text(agency_id: int | None) -> str:
    return f", instansi #{agency_id}" if agency_id is not None else ""


def _would_leave_no_admin(conn: sqlite3.Connection, target: Account, role: str | None,
                          active: bool | None) -> bool:
    if not (target.active and target.role == "admin"):
        return False
    demoted = (role is not None and role != "admin") or active is False
    return demoted and store.active_admins(conn) <= 1


def set_role_tx(
    conn: sqlite3.Connection, actor: Actor, user_id: int, role: str, keep: str | None,
    agency_id: int | None = None,
) -> str | None:
    """A new role (and for a mitra, its agency): a change of either ends the sessions."""
    target = store.get_account(conn, user_id, time.time())
    if target is None:
        return MSG_NO_USER
    if target.id == actor.user_id:
        return MSG_SELF
    if _would_leave_no_admin(conn, target, role, None):
        return MSG_LAST_ADMIN
    if target.role == role and target.agency_id == agency_id:
        return None
    ended = store.set_role(conn, user_id, role, agency_id, keep)
    devices = _end_devices(conn, user_id, "role")
    audit.record(conn, actor, audit.USER_ROLE, "user", str(user_id),
                 f"{target.role}{_agency_text(target.agency_id)} → {role}"
                 f"{_agency_text(agency_id)}; {ended} sesi diakhiri{devices}")
    return None


def reset_password_tx(
    conn: sqlite3.Connection, actor: Actor, user_id: int, password_hash: str, keep: str | None
) -> str | None:
    target = store.get_account(conn, user_id, time.time())
    if target is None:
        return MSG_NO_USER
    ended = store.reset_password(conn, user_id, password_hash, keep)
    devices = _end_devices(conn, user_id, "password")
    audit.record(conn, actor, audit.USER_PASSWORD, "user", str(user_id),
                 f"{ended} sesi diakhiri{devices}")
    return None


def set_active_tx(
    conn: sqlite3.Connection, actor: Actor, user_id: int, active: bool
) -> str | None:
    target = store.get_account(conn, user_id, time.time())
    if target is None:
        return MSG_NO_USER
    if target.id == actor.user_id and not active:
        return MSG_SELF
    if _would_leave_no_admin(conn, target, None, active):
        return MSG_LAST_ADMIN
    if target.active == active:
        return None
    ended = store.set_active(conn, user_id, active)
    if active:
        audit.record(conn, actor, audit.USER_ENABLED, "user", str(user_id))
    else:
        devices = _end_devices(conn, user_id, "disabled")
        audit.record(conn, actor, audit.USER_DISABLED, "user", str(user_id),
                     f"{ended} sesi diakhiri{devices}")
    return None


def revoke_sessions_tx(
    conn: sqlite3.Connection, actor: Actor, user_id: int, keep: str | None
) -> str | None:
    if store.get_account(conn, user_id, time.time()) is None:
        return MSG_NO_USER
    ended = store.delete_sessions(conn, user_id, keep)
    devices = _end_devices(conn, user_id, "sessions")
    audit.record(conn, actor, audit.USER_SESSIONS_REVOKED, "user", str(user_id),
                 f"{ended} sesi diakhiri{devices}")
    return None


def new_user_problems(username: str, full_name: str, role: str, password: str
                      ) -> dict[str, str]:
    """Field -> message for a new user's form (empty when all is well)."""
    problems = {
        "username": username_problem(username),
        "full_name": full_name_problem(full_name),
        "role": role_problem(role),
        "password": check_password(password, username),
    }
    return {field: message for field, message in problems.items() if message}


class _KeyedLocks:
    """One asyncio lock per key, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Accounts:
    def __init__(
        self, db: Database, idle_s: int, absolute_s: int, account_policy: Policy,
        client_policy: Policy, clock: Callable[[], float] = time.time,
        device_s: float = 14 * 86400.0,
    ) -> None:
        self._db = db
        self.idle_s = idle_s
        self.absolute_s = absolute_s
        self.device_s = device_s
        self.account_policy = account_policy
        self.client_policy = client_policy
        self._clock = clock
        self._cache: dict[str, tuple[float, store.SessionRow]] = {}
        # Attempts on one account, or from one client, run one at a time: parallel guesses
        # cannot all read "not locked" before the first failure is counted.
        self._locks = _KeyedLocks()

    # -- Logging in ------------------------------------------------------------------------

    async def login(
        self, username: str, password: str, old_token: str | None, actor: Actor
    ) -> Login | Refused:
        name = username.strip()
        account_key = _key_hash("account", name.casefold())
        client_hash = _key_hash("client", client_key(actor.client or "unknown"))
        async with self._locks.hold(account_key), self._locks.hold(client_hash):
            now = self._clock()
            account, client = await self._db.read(_two_buckets, account_key, client_hash)
            wait = max(wait_s(account, now), wait_s(client, now))
            if wait > 0:
                return Refused(wait)
            found = await self._db.read(store.credentials, name)
            stored = found[1] if found else _DUMMY_HASH
            ok = await asyncio.to_thread(_verify, stored, password)
            if found and ok and found[2]:
                return await self._succeed(found[0], stored, password, old_token, actor,
                                           account_key, now)
            return await self._db.write(self._fail_tx, found, actor, account_key, client_hash,
                                        now)

    def _fail_tx(
        self, conn: sqlite3.Connection, found: tuple[User, str, bool] | None, actor: Actor,
        account_key: str, client_hash: str, now: float,
    ) -> Refused:
        account, account_locked = record_failure(
            buckets.get_bucket(conn, "account", account_key), now, self.account_policy)
        client, client_locked = record_failure(
            buckets.get_bucket(conn, "client", client_hash), now, self.client_policy)
        buckets.put_bucket(conn, "account", account_key, account)
        buckets.put_bucket(conn, "client", client_hash, client)
        buckets.forget_before(conn, now - self.account_policy.forget_s)
        user = found[0] if found else None
        target_id = str(user.id) if user else None
        if user is not None:
            store.count_failed_login(conn, user.id, _iso(now), account_locked)
        why = ("nama pengguna tidak dikenal" if found is None
               else "akun nonaktif" if not found[2] else "kata sandi salah")
        audit.record(conn, actor, audit.LOGIN_FAILED, "user" if user else None, target_id, why)
        if account_locked:
            minutes = round(wait_s(account, now) / 60, 1)
            audit.record(conn, actor, audit.LOGIN_LOCKED, "user" if user else None, target_id,
                         f"akun dikunci {minutes:g} menit"
                         + ("" if user else " (nama pengguna tidak dikenal)"))
        if client_locked:
            minutes = round(wait_s(client, now) / 60, 1)
            audit.record(conn, actor, audit.LOGIN_LOCKED, "client", actor.client,
                         f"alamat klien dikunci {minutes:g} menit")
        return Refused(max(wait_s(account, now), wait_s(client, now)))

    async def _succeed(
        self, user: User, stored: str, password: str, old_token: str | None, actor: Actor,
        account_key: str, now: float,
    ) -> Login:
        rehash = hash_password(password) if _hasher.check_needs_rehash(stored) else None
        token = secrets.token_urlsafe(32)
        old = token_hash(old_token) if old_token else None
        if old:
            self._cache.pop(old, None)
        who = replace(actor, user_id=user.id, username=user.username)

        def tx(conn: sqlite3.Connection) -> bool:
            if rehash:
                store.set_password_hash(conn, user.id, rehash)
            buckets.delete_bucket(conn, "account", account_key)
            notice = store.count_login(conn, user.id, _iso(now))
            store.create_session(conn, token_hash(token), user.id, now, now + self.absolute_s,
                                 old)
            audit.record(conn, who, audit.LOGIN_OK, "user", str(user.id))
            return notice

        notice = await self._db.write(tx)
        return Login(token, user, notice)

    async def notices(self, user_id: int) -> list[LoginNotice]:
        return await self._db.read(store.unseen_notices, user_id)

    async def dismiss_notices(self, user_id: int) -> None:
        await self._db.write(store.mark_notices_seen, user_id, _iso(self._clock()))

    # -- Sessions --------------------------------------------------------------------------

    async def user_for(self, token: str | None) -> User | None:
        if not token or len(token) > 128:
            return None
        key = token_hash(token)
        now = time.time()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < CACHE_S:
            fetched, row = cached
        else:
            found = await self._db.read(store.get_session, key)
            if found is None:
                self._cache.pop(key, None)
                return None
            fetched, row = now, found
        if now >= row.expires_at or now - row.last_seen > self.idle_s:
            self._cache.pop(key, None)
            await self._db.write(store.delete_session, key)
            return None
        if now - row.last_seen > TOUCH_EVERY_S:
            await self._db.write(store.touch_session, key, now)
            row = replace(row, last_seen=now)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (fetched, row)
        return row.user

    async def logout(self, token: str | None, actor: Actor, device_token: str | None = None
                     ) -> None:
        """End the session, and revoke the phone's device credential it sent along."""
        key = token_hash(token) if token else None
        device = token_hash(device_token) if device_token and len(device_token) <= 128 else None
        if key is None and device is None:
            return
        if key:
            self._cache.pop(key, None)

        def tx(conn: sqlite3.Connection) -> None:
            if key:
                store.delete_session(conn, key)
            revoked = device and device_store.revoke_token(
                conn, device, _stamp(self._clock()), "logout")
            if revoked:
                audit.record(conn, actor, audit.DEVICE_REVOKED, "user", str(revoked[1]),
                             f"kredensial perangkat #{revoked[0]}, saat keluar")
            if key and actor.user_id is not None:
                audit.record(conn, actor, audit.LOGOUT, "user", str(actor.user_id))

        await self._db.write(tx)

    # -- Device credentials (docs/api.md) ----------------------------------------------------

    async def issue_device(self, session_token: str | None, user: User,
                           replaces: str | None, actor: Actor) -> DeviceGrant | str:
        """A new device credential for the phone of a session just logged in, or why not.

        Only within DEVICE_ISSUE_WINDOW_S of the login, and one live credential per session:
        asking again (the first answer was lost to a navigation) revokes the earlier one.
        ``replaces`` is the credential the phone held before (another login on it): revoked.
        """
        if not session_token:
            return MSG_DEVICE_NOT_FRESH
        session = token_hash(session_token)
        now = self._clock()
        row = await self._db.read(store.get_session, session)
        if row is None or row.user.id != user.id or now - row.created_at > DEVICE_ISSUE_WINDOW_S:
            return MSG_DEVICE_NOT_FRESH
        token = secrets.token_urlsafe(32)
        expires = _stamp(now + self.device_s)
        old = token_hash(replaces) if replaces and len(replaces) <= 128 else None

        def tx(conn: sqlite3.Connection) -> DeviceGrant:
            device_store.revoke_for_session(conn, session, _stamp(now), "replaced")
            if old:
                device_store.revoke_token(conn, old, _stamp(now), "replaced")
            device_id = device_store.insert(conn, token_hash(token), user.id, session,
                                            _stamp(now), expires)
            audit.record(conn, actor, audit.DEVICE_ISSUED, "user", str(user.id),
                         f"kredensial perangkat #{device_id}, berlaku sampai {expires[:10]}")
            return DeviceGrant(token, expires)

        return await self._db.write(tx)

    async def device_user(self, token: str) -> User | None:
        """The officer a live device credential sends for (no cache: revocation is at once)."""
        if not token or len(token) > 128:
            return None
        key = token_hash(token)
        now = _stamp(self._clock())
        user = await self._db.read(device_store.user_for, key, now)
        if user is not None:
            await self._db.write(device_store.touch, key, now)
        return user

    async def devices(self, user_id: int) -> list[Device]:
        return await self._db.read(device_store.for_user, user_id)

    async def revoke_device(self, actor: Actor, user_id: int, device_id: int) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            if device_store.revoke_one(conn, user_id, device_id, _stamp(self._clock()), "admin"):
                audit.record(conn, actor, audit.DEVICE_REVOKED, "user", str(user_id),
                             f"kredensial perangkat #{device_id}, oleh admin")

        await self._db.write(tx)

    def _forget_user(self, user_id: int) -> None:
        """Drop the user's cached sessions: the next request reads the database."""
        for key in [k for k, (_, row) in self._cache.items() if row.user.id == user_id]:
            del self._cache[key]

    # -- Managing users (admin pages) ------------------------------------------------------

    async def accounts(self) -> list[Account]:
        return await self._db.read(store.list_accounts, time.time())

    async def account(self, user_id: int) -> Account | None:
        return await self._db.read(store.get_account, user_id, time.time())

    async def recent_lockouts(self, limit: int = 20) -> list[AuditRow]:
        return await self._db.read(audit_store.recent, (audit.LOGIN_LOCKED,), limit)

    async def _agency(self, role: str, agency_id: int | None) -> tuple[int | None, str | None]:
        known = {int(row["id"]) for row in await self._db.read(referral_store.agencies)}
        return agency_for_role(role, agency_id, known)

    async def create_user(
        self, actor: Actor, username: str, full_name: str, role: str, password: str,
        agency_id: int | None = None,
    ) -> int | dict[str, str]:
        """The new user's id, or field -> message (a mitra needs its agency)."""
        problems = new_user_problems(username, full_name, role, password)
        agency, agency_problem = await self._agency(role, agency_id)
        if agency_problem and "role" not in problems:
            problems["agency_id"] = agency_problem
        if problems:
            return problems
        password_hash = await asyncio.to_thread(hash_password, password)
        user_id = await self._db.write(create_user_tx, actor, username, full_name.strip(),
                                       role, password_hash, agency)
        return user_id if user_id is not None else {"username": MSG_USERNAME_TAKEN}

    async def set_role(self, actor: Actor, user_id: int, role: str, keep_token: str | None,
                       agency_id: int | None = None) -> dict[str, str] | None:
        """None when done, else field -> message ("role" or "agency_id")."""
        if role not in ROLE_LABELS:
            return {"role": role_problem(role) or ""}
        agency, agency_problem = await self._agency(role, agency_id)
        if agency_problem:
            return {"agency_id": agency_problem}
        keep = token_hash(keep_token) if keep_token else None
        problem = await self._db.write(set_role_tx, actor, user_id, role, keep, agency)
        self._forget_user(user_id)
        return {"role": problem} if problem else None

    async def reset_password(self, actor: Actor, user_id: int, password: str,
                             keep_token: str | None) -> str | None:
        target = await self.account(user_id)
        if target is None:
            return MSG_NO_USER
        problem = check_password(password, target.username)
        if problem:
            return problem
        password_hash = await asyncio.to_thread(hash_password, password)
        keep = token_hash(keep_token) if keep_token else None
        problem = await self._db.write(reset_password_tx, actor, user_id, password_hash, keep)
        self._forget_user(user_id)
        return problem

    async def set_active(self, actor: Actor, user_id: int, active: bool) -> str | None:
        problem = await self._db.write(set_active_tx, actor, user_id, active)
        self._forget_user(user_id)
        return problem

    async def revoke_sessions(self, actor: Actor, user_id: int, keep_token: str | None
                              ) -> str | None:
        keep = token_hash(keep_token) if keep_token else None
        problem = await self._db.write(revoke_sessions_tx, actor, user_id, keep)
        self._forget_user(user_id)
        return problem


def _two_buckets(conn: sqlite3.Connection, account_key: str, client_hash: str
                 ) -> tuple[Bucket, Bucket]:
    return (buckets.get_bucket(conn, "account", account_key),
            buckets.get_bucket(conn, "client", client_hash))
