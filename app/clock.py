"""Time in one place: UTC for storage, WIB (UTC+7, Kabupaten Blitar) for "today"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """How a moment is stored: UTC ISO 8601 to the millisecond (sorts as text)."""
    return moment.isoformat(timespec="milliseconds")


def now_iso() -> str:
    return iso(utc_now())


def utc_now_iso() -> tuple[str, datetime]:
    now = utc_now()
    return iso(now), now


def local_day(moment: datetime) -> str:
    return moment.astimezone(WIB).date().isoformat()


def wib_today() -> date:
    return utc_now().astimezone(WIB).date()


def wib_time(iso: str, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A stored UTC timestamp shown in local time for people."""
    return datetime.fromisoformat(iso).astimezone(WIB).strftime(fmt)
