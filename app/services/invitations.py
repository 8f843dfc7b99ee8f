"""Invitations: the public form (with its abuse limits), the requester's lookup, and the
admin's answers (accept into a draft round, propose another date, decline)."""

from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from app.clock import WIB, iso, now_iso, wib_today
from app.db import invitations as store
from app.db import rounds as round_store
from app.db.audit import Actor
from app.db.connection import Database
from app.db.rounds import RoundConflict
from app.domain import invitations as rules
from app.domain.errors import FieldError
from app.domain.phone import phone_last4
from app.domain.ratelimit import Rule
from app.domain.rounds import RoundInput, date_text, when_text
from app.domain.throttle import client_key
from app.domain.tracking import new_tracking_code
from app.notify.whatsapp import wa_link
from app.services import audit
from app.services.limits import StoredLimits
from app.services.rounds import RoundsService, evening_default

PER_CLIENT_PER_HOUR = 5
PER_PHONE_PER_DAY = 3
MSG_PHONE_LIMIT = (f"Nomor WhatsApp ini sudah mengirim {PER_PHONE_PER_DAY} undangan hari ini. "
                   "Silakan coba lagi besok, atau hubungi kantor DPMPTSP.")
MSG_CLIENT_LIMIT = "Terlalu banyak undangan dari perangkat ini. Coba lagi sekitar satu jam lagi."
MSG_REPLY = "Tulis pesan untuk pengundang (5–500 karakter)."
MSG_PROPOSED_DAY = "Pilih tanggal usulan mulai besok."
MSG_ALL_PAST = "Semua tanggal yang diminta sudah lewat. Usulkan tanggal lain kepada pengundang."
MSG_ANSWERED = "Undangan ini sudah dijawab."


@dataclass(frozen=True, slots=True)
class Submitted:
    code: str | None = None  # shown to the requester (None: refused)
    errors: dict[str, str] | None = None
    limited: str | None = None  # the message of a limit that was hit
    retry_after: float | None = None


def _reply(raw: object) -> str | None:
    text = " ".join(str(raw or "").split())
    return text if 5 <= len(text) <= 500 else None


class InvitationService:
    def __init__(self, db: Database, rounds: RoundsService, limits: StoredLimits) -> None:
        self.db = db
        self.rounds = rounds
        self.regions = rounds.regions
        self.client_limiter = limits.limiter(Rule("invite_client", PER_CLIENT_PER_HOUR, 3600))
        self.check_limiter = limits.limiter(Rule("invite_check_client", 20, 600))  # /undang/cek

    async def submit(self, form: Mapping[str, object], client: str) -> Submitted:
        client_id = str(form.get("client_id", ""))[:64]
        if not rules.CLIENT_ID.fullmatch(client_id):
            client_id = ""
        value = rules.validate_invitation(
            form, kecamatan_names={k.code: k.name for k in self.regions.kecamatan()},
            kecamatan_of_desa=self.regions.kecamatan_of_desa, today=wib_today())
        if isinstance(value, dict) or not client_id:
            return Submitted(errors=value if isinstance(value, dict) else {})
        # A replay of a form already accepted must not count against the limits.
        earlier = await self.db.read(store.by_client_id, client_id)
        if earlier is not None:
            return Submitted(code=earlier["code"])
        wait = await self.client_limiter.hit(client_key(client))
        if wait is not None:
            return Submitted(limited=MSG_CLIENT_LIMIT, retry_after=wait)
        since = iso(datetime.combine(wib_today(), time(), WIB).astimezone(UTC))

        def tx(conn: sqlite3.Connection) -> sqlite3.Row | None:
            code = new_tracking_code()
            while store.code_taken(conn, code):
                code = new_tracking_code()
            row, made = store.insert(conn, client_id, code, value, now_iso(), since,
                                     PER_PHONE_PER_DAY)
            if made and row is not None:
                audit.record(conn, Actor(None, None, "POST /undang", client),
                             audit.INVITATION_RECEIVED, "invitation", str(row["id"]))
            return row
        row = await self.db.write(tx)
        if row is None:
            return Submitted(limited=MSG_PHONE_LIMIT)
        return Submitted(code=row["code"])

    async def check(self, raw_code: str, digits: str) -> sqlite3.Row | None:
        """The invitation for a code and the last 4 digits of its number, or None — the
        same work for an unknown code and for wrong digits."""
        try:
            code = rules.parse_code(raw_code)
        except FieldError:
            code = ""
        row = await self.db.read(store.by_code, code) if code else None
        expected = phone_last4(row["phone"]) if row else "----"
        if row is None or not hmac.compare_digest(expected, digits):
            return None
        return row

    # -- the admin's inbox -------------------------------------------------------------------
    async def inbox(self, status: str | None) -> list[sqlite3.Row]:
        return await self.db.read(store.inbox, status)

    async def get(self, invitation_id: int) -> sqlite3.Row | None:
        return await self.db.read(store.get, invitation_id)

    def dates(self, row: sqlite3.Row) -> list[date]:
        return [date.fromisoformat(d) for d in json.loads(row["dates_json"])]

    def whatsapp(self, row: sqlite3.Row) -> str | None:
        if row["status"] == "new" or not row["reply"]:
            return None
        return wa_link(row["phone"], rules.reply_whatsapp(row["code"], row["status"],
                                                          row["reply"]))

    async def accept(self, invitation_id: int, actor: Actor) -> int | dict[str, str]:
        """A draft round prefilled from the invitation (its first date not yet past, or the
        date the office proposed), linked both ways; the reply tells the requester the date."""
        row = await self.get(invitation_id)
        if row is None or row["status"] not in ("new", "proposed"):
            return {"answer": MSG_ANSWERED}
        today = wib_today()
        wanted = ([date.fromisoformat(row["proposed_day"])] if row["proposed_day"]
                  else self.dates(row))
        day = next((d for d in wanted if d >= today), None)
        if day is None:
            return {"answer": MSG_ALL_PAST}
        cars = await self.db.read(round_store.cars, True)
        start, end = evening_default(bool(row["evening"]))
        value = await self.rounds.validate({
            "day": day.isoformat(), "start": start, "end": end, "kecamatan": row["kecamatan"],
            "desa": row["desa"] or "", "place": row["place"],
            "car_id": str(cars[0]["id"]) if cars else "",
            "quota": str(min(row["expected"], 1000)) if row["expected"] else "",
            "note": ""})
        if isinstance(value, dict):
            return {"answer": next(iter(value.values()))}
        assert isinstance(value, RoundInput)
        reply = rules.reply_accepted(when_text(value.day, value.start, value.end), value.place)
        name = actor.username or "sistem"

        def tx(conn: sqlite3.Connection) -> int:
            round_id = round_store.insert_round(conn, value, name, now_iso(), invitation_id)
            store.answer(conn, invitation_id, "accepted", reply, None, round_id, now_iso())
            audit.record(conn, actor, audit.INVITATION_ANSWERED, "invitation",
                         str(invitation_id), f"diterima, sesi {round_id}")
            return round_id
        try:
            return await self.db.write(tx)
        except RoundConflict as exc:
            return {"answer": next(iter(exc.errors.values()))}

    async def propose(self, invitation_id: int, raw_day: object, raw_message: object,
                      actor: Actor) -> dict[str, str] | None:
        errors: dict[str, str] = {}
        try:
            day = date.fromisoformat(str(raw_day or "")[:10])
            if day <= wib_today():
                errors["proposed_day"] = MSG_PROPOSED_DAY
        except ValueError:
            errors["proposed_day"] = MSG_PROPOSED_DAY
        message = _reply(raw_message)
        if message is None:
            errors["message"] = MSG_REPLY
        if errors:
            return errors
        reply = f"Kami mengusulkan tanggal {date_text(day)}. {message}"
        return await self._answer(invitation_id, "proposed", reply, day.isoformat(), actor)

    async def decline(self, invitation_id: int, raw_reason: object, actor: Actor
                      ) -> dict[str, str] | None:
        reason = _reply(raw_reason)
        if reason is None:
            return {"reason": MSG_REPLY}
        return await self._answer(invitation_id, "declined", reason, None, actor)

    async def _answer(self, invitation_id: int, status: str, reply: str, day: str | None,
                      actor: Actor) -> dict[str, str] | None:
        def tx(conn: sqlite3.Connection) -> bool:
            row = store.get(conn, invitation_id)
            if row is None or row["status"] != "new":
                return False
            store.answer(conn, invitation_id, status, reply, day, None, now_iso())
            audit.record(conn, actor, audit.INVITATION_ANSWERED, "invitation",
                         str(invitation_id), status)
            return True
        return None if await self.db.write(tx) else {"answer": MSG_ANSWERED}
