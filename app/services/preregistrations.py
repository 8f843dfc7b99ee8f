"""Pre-registration from home: the citizen's answer checked by the application's own rules
and stored once; the officers' download for their rounds (docs/preregistration.md)."""

from __future__ import annotations

import asyncio
import hmac
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clock import iso, utc_now
from app.db import applications as app_store
from app.db import preregistrations as store
from app.db import rounds as rounds_store
from app.db.connection import Database
from app.domain.application import ApplicationInput, form_values, to_columns, validate_application
from app.domain.phone import phone_last4
from app.domain.preregistration import (
    CONSENT_VERSION,
    MSG_CONSENT,
    expires_at,
    format_code,
)
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.services.intake import request_hash

PHONE_WINDOW = timedelta(days=1)


def guesses_key(code: str) -> str:
    """The rate limiter's key for wrong answers to a pre-registration's code: one count
    whichever page (/daftar-mandiri/cek or /cek) is asked, apart from tracking codes'."""
    return "prareg:" + code


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the form's submit came to: a stored pre-registration (``kind`` created /
    replay / changed, with its code), or ``phone_limit``."""

    kind: str
    code: str | None = None


class PreregistrationService:
    def __init__(self, db: Database, kbli: KbliCatalog, regions: Regions, phone_limit: int
                 ) -> None:
        self.db = db
        self.kbli = kbli
        self.regions = regions
        self.phone_limit = phone_limit
        # Group commit: answers waiting for the write in flight share the next one.
        self._waiting: list[tuple[store.NewPreregistration, asyncio.Future[store.Stored]]] = []
        self._writing = False

    async def upcoming_rounds(self) -> list[sqlite3.Row]:
        """The published rounds a citizen may choose: those not yet over."""
        return await self.db.read(rounds_store.published_rounds, iso(utc_now()))

    async def services(self) -> list[tuple[str, list[sqlite3.Row]]]:
        return await self.db.read(app_store.services_by_agency)

    async def validate(self, raw: Mapping[str, object], consent: bool, today: Any
                       ) -> ApplicationInput | dict[str, str]:
        """The application's own checks and messages (the round: an upcoming published
        one), plus the consent."""
        rounds = {int(r["id"]) for r in await self.upcoming_rounds()}
        services = set(await self.db.read(app_store.service_codes))
        checked = validate_application(
            raw, kbli_exists=self.kbli.exists,
            kecamatan_of_desa=self.regions.kecamatan_of_desa, today=today,
            round_exists=rounds.__contains__, service_exists=services.__contains__)
        if consent:
            return checked
        errors = {} if isinstance(checked, ApplicationInput) else dict(checked)
        errors["consent"] = MSG_CONSENT
        return errors

    async def submit(self, data: ApplicationInput, client_id: str, now: datetime | None = None
                     ) -> Outcome:
        now = now or utc_now()
        anchor = now
        if data.round_id is not None:
            row = await self.db.read(rounds_store.round_row, data.round_id)
            anchor = datetime.fromisoformat(row["ends_at"]) if row is not None else now
        new = store.NewPreregistration(
            client_id=client_id, request_hash=request_hash(data),
            consent_version=CONSENT_VERSION, referrals=data.referrals,
            form=to_columns(data), created_at=iso(now), expires_at=iso(expires_at(anchor)))
        future: asyncio.Future[store.Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append((new, future))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write_waiting())
        stored = await future
        return Outcome(stored.kind, stored.code)

    async def _write_waiting(self) -> None:
        """Commit everything waiting in one transaction, again while more arrived meanwhile
        (one fsync for many citizens; in order, so the phone limit counts each)."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                since = iso(utc_now() - PHONE_WINDOW)
                try:
                    results = await self.db.write(store.insert_many, [n for n, _ in batch],
                                                  since, self.phone_limit)
                except Exception as exc:  # every waiting answer hears of it
                    for _, future in batch:
                        future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    future.set_result(result)
        finally:
            self._writing = False

    async def by_code(self, code: str) -> sqlite3.Row | None:
        return await self.db.read(store.by_code, code)

    async def status(self, code: str, digits: str) -> sqlite3.Row | None:
        """The pre-registration for its status page when ``digits`` are the last four of its
        WhatsApp number; None for an unknown code and for wrong digits alike, after the same
        work (the caller answers both the same way)."""
        row = await self.by_code(code)
        expected = phone_last4(row["phone"]) if row is not None else "----"
        if not hmac.compare_digest(expected, digits) or row is None:
            return None
        return row

    async def for_officer(self, user_id: int, round_id: int | None = None
                          ) -> dict[str, Any] | None:
        """The download for the officer's phone: her rounds not yet over (or one of them)
        and their waiting pre-registrations with the form's values. None: ``round_id`` is
        not one of her rounds (or it is over)."""
        now = iso(utc_now())

        def read(conn: sqlite3.Connection) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
            rounds = store.officer_rounds(conn, user_id, now, round_id)
            return rounds, store.waiting_for_rounds(conn, rounds)

        rounds, rows = await self.db.read(read)
        if round_id is not None and not rounds:
            return None
        return {
            "synced_at": now,
            "rounds": [{"id": r["id"], "day": r["day"], "start_time": r["start_time"],
                        "end_time": r["end_time"], "place": r["place"],
                        "ends_at": r["ends_at"]} for r in rounds],
            "items": [self._item(row, rounds) for row in rows],
        }

    def _item(self, row: sqlite3.Row, rounds: list[sqlite3.Row]) -> dict[str, Any]:
        values: dict[str, Any] = form_values(row)
        values["referrals"] = json.loads(row["referrals_json"])
        values["kbli"] = json.loads(row["kbli_json"])
        # Kept on the phone until the last of its rounds ends (a round chosen, or every
        # round of its kecamatan when none was).
        ends = [r["ends_at"] for r in rounds
                if r["id"] == row["round_id"]
                or (row["round_id"] is None and r["kecamatan"] == row["kecamatan"])]
        return {
            "code": row["code"], "display": format_code(row["code"]),
            "round_id": row["round_id"], "until": max(ends), "name": row["name"],
            "business_name": row["business_name"], "values": values,
        }
