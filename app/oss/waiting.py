"""Where an application is on its way to OSS, and why it waits, in words for the officer.

Pure: the caller passes the application's status, its outbox job, the breaker row, its
operator task (assisted mode), the start of an ongoing outage and the time. Times are shown
in WIB. An application waiting because OSS is down says so, with the outage's start, whether
or not it has been tried yet (while the breaker is open nothing new is sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clock import WIB
from app.domain.status import HOLDS_NIB, Status

# Why an attempt failed (Unavailable.reason) in the officer's words.
REASONS: dict[str, str] = {
    "connect": "OSS tidak dapat dihubungi",
    "connect_timeout": "OSS tidak dapat dihubungi (batas waktu habis)",
    "timeout": "OSS tidak menjawab dalam batas waktu",
    "reset": "sambungan ke OSS terputus",
    "network": "jaringan ke OSS bermasalah",
    "rate_limited": "OSS sedang membatasi jumlah kiriman",
    "malformed": "jawaban OSS tidak terbaca",
    "unauthorized": "akses ke OSS ditolak (periksa kunci akses)",
    "not_found": "alamat layanan OSS tidak ditemukan (periksa pengaturan)",
    "internal": "kesalahan di server kantor",
}


def reason_text(code: str | None) -> str:
    if not code:
        return "OSS belum menjawab"
    if code.startswith("http_"):
        return f"OSS mengalami gangguan (kode {code[5:]})"
    return REASONS.get(code, "OSS sedang gangguan")


@dataclass(frozen=True, slots=True)
class WaitView:
    headline: str
    detail: str | None = None
    tone: str = "wait"  # ok | wait | error
    flagged: bool = False  # waited longer than the threshold


def _parse(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def clock_text(moment: datetime, now: datetime) -> str:
    """``14:32`` today (WIB), ``30-11 08:00`` on another day."""
    local = moment.astimezone(WIB)
    if local.date() == now.astimezone(WIB).date():
        return local.strftime("%H:%M")
    return local.strftime("%d-%m %H:%M")


def duration_text(seconds: float) -> str:
    """``2 hari 3 jam``, ``5 jam 10 menit``, ``12 menit``, ``40 detik``."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    if hours:
        return f"{hours} jam {minutes} menit" if minutes else f"{hours} jam"
    if minutes:
        return f"{minutes} menit"
    return f"{secs} detik"


def describe(
    status: str,
    job: Mapping[str, Any] | None,
    breaker: Mapping[str, Any] | None,
    task: Mapping[str, Any] | None,
    now: datetime,
    *,
    reset_timeout_s: float,
    long_wait_s: float,
    outage_started: str | None = None,
) -> WaitView:
    if status in HOLDS_NIB:
        return WaitView("NIB sudah terbit.", tone="ok")
    if status == Status.NEEDS_FIX:
        return WaitView(
            "OSS menolak data ini. Perbaiki datanya, lalu kirim ulang.",
            tone="error",
        )
    if status == Status.REFERRED_OFFICE:
        return WaitView("Dilayani di kantor DPMPTSP; tidak dikirim dari lapangan.", tone="ok")
    if status == Status.CANCELLED:
        return WaitView("Permohonan dibatalkan; tidak dikirim ke OSS.", tone="ok")
    if job is None:
        return WaitView("Belum ada antrean pengiriman ke OSS untuk permohonan ini.")

    created = _parse(job["created_at"])
    flagged = created is not None and (now - created).total_seconds() > long_wait_s
    waited = duration_text((now - created).total_seconds()) if created else ""
    note = f" Sudah menunggu {waited}; admin sudah diberi tanda." if flagged else None

    if job["state"] == "task":
        if task is not None and task["claimed_by_name"] and _active_claim(task, now):
            head = f"Sedang dimasukkan ke portal OSS oleh {task['claimed_by_name']}."
        else:
            head = "Menunggu operator OSS di kantor memasukkan data ke portal OSS."
        return WaitView(head, note, flagged=flagged)
    if job["state"] != "pending":
        return WaitView("Pengiriman ke OSS sudah selesai.", tone="ok")

    lease_until = _parse(job["lease_until"])
    if lease_until is not None and lease_until > now:
        return WaitView("Sedang dikirim ke OSS.", note, flagged=flagged)

    since = _parse(outage_started)
    outage = f" sejak {clock_text(since, now)} WIB" if since is not None else ""
    attempts = int(job["attempts"] or 0)
    if attempts == 0 or job["last_outcome"] != "unavailable":
        if since is not None:
            return WaitView(
                f"OSS sedang gangguan{outage}; permohonan ini menunggu dalam antrean.",
                "Dikirim otomatis begitu OSS pulih; tidak perlu dikirim ulang." + (note or ""),
                flagged=flagged,
            )
        return WaitView("Dalam antrean pengiriman ke OSS.", note, flagged=flagged)

    retry_at = _parse(job["next_attempt_at"]) or now
    if breaker is not None and breaker["state"] == "open":
        since = _parse(breaker["since"])
        if since is not None:
            retry_at = max(retry_at, since + timedelta(seconds=reset_timeout_s))
    retry_at = max(retry_at, now)
    detail = f"Percobaan ke-{attempts} gagal: {reason_text(job['last_error'])}."
    if note:
        detail += note
    return WaitView(
        f"OSS sedang gangguan{outage} — dicoba lagi {clock_text(retry_at, now)}",
        detail,
        flagged=flagged,
    )


def citizen_outage_text(outage_started: str, now: datetime) -> str:
    """The line on the citizen's status page while OSS is down and the application waits."""
    since = clock_text(datetime.fromisoformat(outage_started), now)
    return (f"OSS sedang gangguan sejak {since} WIB; permohonan Anda aman dalam antrean dan "
            "akan dikirim otomatis.")


def _active_claim(task: Mapping[str, Any], now: datetime) -> bool:
    until = _parse(task["claim_until"])
    return until is not None and until > now
