"""The public schedule of the car's rounds: what a citizen reads about a round, when she is
reminded, and what a reminder or a change says. Pure rules, no I/O (the round's own rules,
its date text included, are in app/domain/rounds.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from app.domain.rounds import WIB, RoundStatus, clock_text, date_text, when_text

OFFICE = "DPMPTSP Kabupaten Blitar"
SERVICE_NAME = "Joss Banget Mas"

# What the office does at every round; what each partner agency offers at its table.
OFFICE_SERVICES = (
    "Pendaftaran NIB (Nomor Induk Berusaha) untuk usaha mikro dan kecil, dicetak di tempat",
    "Konsultasi perizinan berusaha",
)
AGENCY_SERVICES = {
    "pupr": "konsultasi Persetujuan Bangunan Gedung (PBG)",
    "dlh": "konsultasi dokumen lingkungan",
    "dinkopum": "pendampingan koperasi dan usaha mikro",
    "disperindag": "konsultasi merek dan perdagangan",
    "dinkes": "informasi izin PIRT (pangan olahan rumah tangga)",
    "kpp": "pembuatan dan aktivasi NPWP",
    "bpjs_kes": "pendaftaran BPJS Kesehatan",
    "bpjs_tk": "pendaftaran BPJS Ketenagakerjaan untuk pekerja mandiri",
    "kemenag": "sertifikat halal gratis (pernyataan mandiri) dengan pendamping",
}
WHAT_TO_BRING = (
    "KTP (NIK)",
    "Nomor WhatsApp yang aktif",
    "Email, jika punya",
    "NPWP, jika punya",
)
FREE = "Gratis, tidak dipungut biaya."

# Reminders: the day before the round, from 18.00 WIB; a reminder that could not go out
# by midnight is not sent at night any more.
REMINDER_TIME = time(18, 0)
REMINDER_WINDOW = timedelta(hours=6)
# How long a round stays on the public pages and in the feeds after it ended.
RECENT = timedelta(days=30)
FEED_PAST = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    short_name: str

    @property
    def service(self) -> str | None:
        return AGENCY_SERVICES.get(self.code)


@dataclass(frozen=True, slots=True)
class PublicRound:
    """A round as citizens see it (never a draft; no officers, no car)."""

    id: int
    day: date
    start: time
    end: time
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    kecamatan: str
    kecamatan_name: str
    desa_name: str | None
    place: str
    lat: float | None
    lng: float | None
    status: str
    cancel_reason: str | None
    sequence: int
    note: str
    quota: int | None
    agencies: tuple[Agency, ...]
    moved: bool  # time or place differ from what was first published
    updated_at: datetime  # aware

    @property
    def cancelled(self) -> bool:
        return self.status == RoundStatus.CANCELLED

    @property
    def date_text(self) -> str:
        return date_text(self.day)

    @property
    def time_text(self) -> str:
        after = " (hari berikutnya)" if self.end <= self.start else ""
        return f"{clock_text(self.start)}–{clock_text(self.end)}{after} WIB"

    @property
    def when_text(self) -> str:
        return when_text(self.day, self.start, self.end)

    @property
    def where_text(self) -> str:
        desa = f", {self.desa_name}" if self.desa_name else ""
        return f"{self.place}{desa}, Kecamatan {self.kecamatan_name}"

    @property
    def map_link(self) -> str | None:
        return osm_link(self.lat, self.lng)

    @property
    def services(self) -> tuple[str, ...]:
        extra = tuple(f"{a.short_name}: {a.service}" for a in self.agencies if a.service)
        return OFFICE_SERVICES + extra

    def state(self, now: datetime) -> str:
        """upcoming | ongoing | past | cancelled."""
        if self.cancelled:
            return "cancelled"
        if now >= self.ends_at or self.status == RoundStatus.DONE:
            return "past"
        return "ongoing" if now >= self.starts_at else "upcoming"

    def label(self, now: datetime) -> str:
        """The plain words on the round's badge."""
        state = self.state(now)
        if state == "cancelled":
            return "DIBATALKAN"
        if state == "past":
            return "Sudah selesai"
        if state == "ongoing":
            return "Sedang berlangsung"
        return "Jadwal berubah" if self.moved else "Terjadwal"

    def notice(self) -> str | None:
        """What a cancelled or moved round says before anything else."""
        if self.cancelled:
            return f"DIBATALKAN: {self.cancel_reason or 'sesi ini tidak jadi dilaksanakan.'}"
        if self.moved:
            return f"Jadwal berubah. Jadwal terbaru: {self.when_text}, {self.place}."
        return None


def osm_link(lat: float | None, lng: float | None) -> str | None:
    if lat is None or lng is None:
        return None
    return (f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lng:.5f}"
            f"#map=17/{lat:.5f}/{lng:.5f}")


def share_text(item: PublicRound, url: str) -> str:
    """The message a citizen forwards on WhatsApp: nothing personal, the round only."""
    if item.cancelled:
        return (f"{SERVICE_NAME} di Kecamatan {item.kecamatan_name}, {item.when_text}, "
                f"DIBATALKAN. Info: {url}")
    return (f"{SERVICE_NAME} ({OFFICE}) datang ke Kecamatan {item.kecamatan_name}: "
            f"{item.when_text}, {item.place}. Daftar NIB usaha mikro, gratis. Bawa KTP. "
            f"Info: {url}")


def whatsapp_share_link(text: str) -> str:
    return "https://wa.me/?text=" + quote(text, safe="")


def upcoming_first(rounds: Sequence[PublicRound], now: datetime
                   ) -> tuple[list[PublicRound], list[PublicRound]]:
    """(rounds to come or going on, cancelled ones included; rounds that ended, newest
    first)."""
    coming = [r for r in rounds if r.ends_at > now]
    coming.sort(key=lambda r: r.starts_at)
    past = [r for r in rounds if r.ends_at <= now and not r.cancelled]
    past.sort(key=lambda r: r.starts_at, reverse=True)
    return coming, past


def as_of_text(moment: datetime) -> str:
    """"Data per 20.05 WIB, Senin, 30 November 2026"."""
    local = moment.astimezone(WIB)
    return f"Data per {clock_text(local.time())} WIB, {date_text(local.date())}"


# -- reminders and changes ---------------------------------------------------------------
def reminder_moment(day: date) -> datetime:
    """18.00 WIB the day before the round's date."""
    return datetime.combine(day - timedelta(days=1), REMINDER_TIME, WIB)


def reminder_due(day: date, starts_at: datetime, now: datetime) -> bool:
    """A reminder for a round on ``day`` goes out from 18.00 WIB the evening before, until
    midnight, and never once the round has begun."""
    moment = reminder_moment(day)
    return moment <= now < min(starts_at, moment + REMINDER_WINDOW)


@dataclass(frozen=True, slots=True)
class Announced:
    """What subscribers were last told about a round (or what they have seen published)."""

    sequence: int
    status: str
    starts_at: str  # UTC ISO as stored
    ends_at: str
    place: str


def change_kind(before: Announced | None, now: Announced) -> str | None:
    """The message a change calls for: "cancelled", "moved" (time or place), or None
    (a first sighting, or an edit that does not change when or where)."""
    if before is None or (before.sequence, before.status) == (now.sequence, now.status):
        return None
    if now.status == RoundStatus.CANCELLED and before.status != RoundStatus.CANCELLED:
        return "cancelled"
    if now.status == RoundStatus.PUBLISHED and (
            (before.starts_at, before.ends_at, before.place)
            != (now.starts_at, now.ends_at, now.place)):
        return "moved"
    return None


def first_publish_due(before: Announced | None, now: Announced, moment: datetime) -> bool:
    """A round seen for the first time is announced ("published") to its kecamatan's
    followers when it is published and has not begun yet: a round put on the schedule for a
    date already past, or while it runs, says nothing."""
    return (before is None and now.status == RoundStatus.PUBLISHED
            and datetime.fromisoformat(now.starts_at) > moment)


def notice_payload(kind: str, item: PublicRound) -> dict[str, Any]:
    """A push's text for a new round, a reminder, a move or a cancellation (no personal
    data)."""
    url = f"/jadwal/{item.id}"
    where = f"{item.place}, Kec. {item.kecamatan_name}"
    if kind == "published":
        title = f"Jadwal baru: {SERVICE_NAME} di Kec. {item.kecamatan_name}"
        body = (f"Mobil layanan DPMPTSP akan datang ke Kec. {item.kecamatan_name}, "
                f"{item.date_text} pukul {item.time_text} di {item.place}. "
                "Daftar NIB gratis, bawa KTP.")
    elif kind == "reminder":
        title = f"Besok: {SERVICE_NAME} di Kec. {item.kecamatan_name}"
        body = f"{item.when_text}, {where}. Bawa KTP dan nomor WhatsApp. Gratis."
    elif kind == "moved":
        title = f"Jadwal berubah: Kec. {item.kecamatan_name}"
        body = f"Jadwal terbaru: {item.when_text}, {where}."
    elif kind == "cancelled":
        title = f"DIBATALKAN: {SERVICE_NAME} Kec. {item.kecamatan_name}"
        reason = f" Alasan: {item.cancel_reason}" if item.cancel_reason else ""
        body = f"Sesi {item.when_text} di {item.place} dibatalkan.{reason}"
    else:
        raise ValueError(f"unknown notice {kind!r}")
    return {"title": title, "body": body, "url": url, "tag": f"jbm-jadwal-{item.id}"}
