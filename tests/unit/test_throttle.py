"""The failed-login schedule: when a bucket locks, for how long, and when it forgets."""

from __future__ import annotations

from datetime import datetime

from app.clock import WIB
from app.domain.throttle import (
    Bucket,
    Policy,
    client_key,
    lock_duration,
    record_failure,
    retry_message,
    wait_s,
)

POLICY = Policy(max_failures=5, window_s=900, lock_base_s=60, lock_cap_s=3600,
                forget_s=86400)


def fail(bucket: Bucket, now: float, times: int = 1) -> tuple[Bucket, bool]:
    locked = False
    for _ in range(times):
        bucket, locked = record_failure(bucket, now, POLICY)
    return bucket, locked


def test_locks_double_from_one_minute_up_to_the_cap() -> None:
    assert [lock_duration(n, POLICY) for n in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert lock_duration(0, POLICY) == 0
    assert lock_duration(10_000, POLICY) == 3600  # a long history does not overflow


def test_the_fifth_failure_in_a_window_locks_the_bucket() -> None:
    bucket, locked = fail(Bucket(), 1000.0, 4)
    assert not locked and wait_s(bucket, 1000.0) == 0
    bucket, locked = fail(bucket, 1001.0)
    assert locked
    assert wait_s(bucket, 1001.0) == 60
    assert wait_s(bucket, 1061.0) == 0


def test_each_lock_in_a_row_lasts_twice_as_long() -> None:
    now = 0.0
    bucket = Bucket()
    waits = []
    for _ in range(4):
        bucket, locked = fail(bucket, now, 5)
        assert locked
        waits.append(wait_s(bucket, now))
        now += waits[-1]  # the lock runs out, the guessing goes on
    assert waits == [60, 120, 240, 480]


def test_failures_spread_beyond_the_window_do_not_lock() -> None:
    bucket = Bucket()
    now = 0.0
    for _ in range(20):
        bucket, locked = record_failure(bucket, now, POLICY)
        assert not locked
        now += POLICY.window_s / 4 + 1  # four failures per window at most


def test_a_quiet_day_forgets_the_doubling() -> None:
    bucket, _ = fail(Bucket(), 0.0, 5)
    bucket, _ = fail(bucket, 60.0, 5)
    assert bucket.lockouts == 2
    later = 60.0 + 120 + POLICY.forget_s + 1
    bucket, locked = fail(bucket, later, 5)
    assert locked and bucket.lockouts == 1 and wait_s(bucket, later) == 60


def test_the_retry_message_says_when_in_minutes_and_local_time() -> None:
    now = datetime(2025, 7, 1, 9, 0, 10, tzinfo=WIB)
    assert retry_message(59.2, now) == (
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam 1 menit "
        "(pukul 09:01 WIB).")
    assert "dalam 3 menit (pukul 09:02 WIB)" in retry_message(121, now)


def test_a_client_is_its_address_or_its_ipv6_slash_64() -> None:
    assert client_key("192.0.2.7") == "192.0.2.7"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("unknown") == "unknown"
