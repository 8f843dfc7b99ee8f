"""Abuse limits of the public forms (survey, /saran): per client per day, in memory."""

from __future__ import annotations

from app.domain.throttle import client_key
from app.services.ratelimit import RateLimiter

DAY_S = 24 * 3600.0


class PublicFormLimits:
    def __init__(self, per_client: int) -> None:
        self._clients = RateLimiter(per_client, DAY_S)

    def client_wait(self, address: str) -> float | None:
        """Count one submission of this client; None when allowed, else seconds to wait."""
        return self._clients.hit(client_key(address))
