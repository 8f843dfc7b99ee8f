"""Logins, passwords (argon2id) and server-side sessions.

The cookie carries a random 256-bit token; the database keeps only its SHA-256, so a copy of
the database cannot be replayed as cookies. A login always issues a NEW token and deletes
the session the browser came with (no session fixation); sessions end after an idle period
and after an absolute lifetime, whichever comes first.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.db import users as store
from app.db.connection import Database
from app.db.users import User

# Refresh last_seen at most this often, so reads do not turn into writes.
TOUCH_EVERY_S = 60.0
# A looked-up session is reused for this long without reading the database again (the
# app is one process: login and logout update this cache themselves).
CACHE_S = 5.0

_hasher = PasswordHasher()  # argon2id; defaults exceed OWASP's floor (m=19 MiB, t=2, p=1)
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Login:
    token: str
    user: User


class Accounts:
    def __init__(self, db: Database, idle_s: int, absolute_s: int) -> None:
        self._db = db
        self.idle_s = idle_s
        self.absolute_s = absolute_s
        self._cache: dict[str, tuple[float, store.SessionRow]] = {}

    async def login(self, username: str, password: str, old_token: str | None) -> Login | None:
        found = await self._db.read(store.credentials, username.strip())
        stored = found[1] if found else _DUMMY_HASH
        ok = await asyncio.to_thread(_verify, stored, password)
        if not (ok and found):
            return None
        user = found[0]
        if _hasher.check_needs_rehash(stored):
            await self._db.write(store.set_password_hash, user.id, hash_password(password))
        token = secrets.token_urlsafe(32)
        now = time.time()
        old = token_hash(old_token) if old_token else None
        if old:
            self._cache.pop(old, None)
        await self._db.write(
            store.create_session, token_hash(token), user.id, now, now + self.absolute_s, old
        )
        return Login(token, user)

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

    async def logout(self, token: str | None) -> None:
        if token:
            key = token_hash(token)
            self._cache.pop(key, None)
            await self._db.write(store.delete_session, key)
