"""Abuse limits of the public forms (survey, /saran, /daftar-mandiri): per client per day,
kept in SQLite (app/services/limits.py)."""

from __future__ import annotations

from app.domain.ratelimit import Rule
from app.domain.throttle import client_key
from app.services.limits import StoredLimits

DAY_S = 24 * 3600.0


class PublicFormLimits:
    def __init__(self, limits: StoredLimits, bucket: str, per_client: int) -> None:
        self._clients = limits.limiter(Rule(bucket, per_client, DAY_S))

    async def client_wait(self, address: str) -> float | None:
        """Count one submission of this client; None when allowed, else seconds to wait."""
        return await self._clients.hit(client_key(address))
