"""Failed-login throttling: when a bucket (an account, or a client) locks, and for how long.

A bucket counts failures inside a window. Reaching the limit locks it; each lock in a row
lasts twice the one before (base, 2×base, 4×base, ...) up to a cap. A quiet period with no
failure forgets the history. Pure: the caller stores buckets and passes the time.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Policy:
    max_failures: int  # failures in one window that lock the bucket
    window_s: float
    lock_base_s: float  # the first lock; each next one doubles
    lock_cap_s: float
    forget_s: float  # no failure for this long: the bucket starts afresh


@dataclass(frozen=True, slots=True)
class Bucket:
    failures: int = 0  # in the current window
    window_start: float = 0.0
    locked_until: float = 0.0
    lockouts: int = 0  # locks in a row
    last_failure: float = 0.0


def lock_duration(lockouts: int, policy: Policy) -> float:
    """How long the ``lockouts``-th lock in a row lasts (1-based)."""
    if lockouts < 1:
        return 0.0
    # min() before the power: a long history must not overflow the float
    return min(policy.lock_cap_s, policy.lock_base_s * 2.0 ** min(lockouts - 1, 64))


def wait_s(bucket: Bucket, now: float) -> float:
    """Seconds until the bucket takes attempts again (0: it does now)."""
    return max(0.0, bucket.locked_until - now)


def record_failure(bucket: Bucket, now: float, policy: Policy) -> tuple[Bucket, bool]:
    """The bucket after one more failure, and whether this failure locked it."""
    if bucket.last_failure and now - bucket.last_failure > policy.forget_s:
        bucket = Bucket()
    if bucket.failures == 0 or now - bucket.window_start > policy.window_s:
        bucket = replace(bucket, failures=1, window_start=now)
    else:
        bucket = replace(bucket, failures=bucket.failures + 1)
    bucket = replace(bucket, last_failure=now)
    if bucket.failures < policy.max_failures:
        return bucket, False
    lockouts = bucket.lockouts + 1
    locked = replace(bucket, failures=0, window_start=now, lockouts=lockouts,
                     locked_until=now + lock_duration(lockouts, policy))
    return locked, True


def retry_message(wait: float, now: datetime) -> str:
    """The 429 answer: the same words whether or not the account exists."""
    minutes = max(1, math.ceil(wait / 60))
    at = (now + timedelta(seconds=math.ceil(wait))).strftime("%H:%M")
    return (f"Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam "
            f"{minutes} menit (pukul {at} WIB).")


def client_key(host: str) -> str:
    """The client a bucket belongs to: the address, or its /64 for IPv6 (one subscriber)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
