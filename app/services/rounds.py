"""The office's side of the car's rounds: plan, change, publish, cancel and close rounds,
draw and swap their officers (with a push to each one), officers' leave and sections,
and a round's report. Conflicts are checked inside each write transaction (app/db/rounds.py).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time as clock
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from app.clock import now_iso, wib_today
from app.db import rounds as store
from app.db.audit import Actor
from app.db.connection import Database
from app.db.rounds import RoundConflict
from app.domain.round_report import RoundReport, tally
from app.domain.rounds import (
    Candidate,
    Draw,
    RoundInput,
    RoundStatus,
    cancel_reason,
    draw_officers,
    validate_round,
    when_text,
)
from app.notify.service import NotifyService
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.services import audit

MAX_DRAW = 20
MSG_DRAW_N = f"Isi jumlah petugas 1 sampai {MAX_DRAW}."
MSG_DRAW_SHORT = ("Hanya {found} petugas yang bisa bertugas (tidak cuti dan tidak bertugas di "
                  "sesi lain pada jam itu); diminta {n}.")
MSG_DRAW_CLOSED = "Petugas hanya bisa diundi untuk sesi berstatus draf atau terbit."
MSG_LEAVE_DATES = "Isi tanggal mulai dan tanggal selesai cuti (selesai tidak sebelum mulai)."
MSG_LEAVE_WHO = "Pilih petugas dari daftar."
MSG_SECTION = "Nama seksi paling banyak 60 karakter."
MSG_CAR_NAME = "Tulis nama mobil (2–60 karakter) yang belum dipakai mobil lain."
MSG_AGENCY_NAME = "Tulis nama instansi (2–120 karakter) dan nama singkat (2–40 karakter)."


def _actor_name(actor: Actor) -> str:
    return actor.username or "sistem"


@dataclass(frozen=True, slots=True)
class RoundView:
    row: sqlite3.Row
    when: str
    kecamatan_name: str
    desa_name: str

    @property
    def id(self) -> int:
        return int(self.row["id"])


@dataclass(frozen=True, slots=True)
class ReplayedDraw:
    seed: int
    n: int
    recorded: tuple[int, ...]
    recomputed: tuple[int, ...]
    names: dict[int, str]

    @property
    def same(self) -> bool:
        return self.recorded == self.recomputed


class RoundsService:
    def __init__(self, db: Database, regions: Regions, kbli: KbliCatalog,
                 notify: NotifyService) -> None:
        self.db = db
        self.regions = regions
        self.kbli = kbli
        self.notify = notify

    # -- views -------------------------------------------------------------------------------
    def view(self, row: sqlite3.Row) -> RoundView:
        day = date.fromisoformat(row["day"])
        when = when_text(day, time.fromisoformat(row["start_time"]),
                         time.fromisoformat(row["end_time"]))
        desa = self.regions.desa(row["desa"]) if row["desa"] else None
        return RoundView(row, when, self.regions.kecamatan_name(row["kecamatan"]) or "",
                         desa.name if desa else "")

    async def month(self, year: int, month: int) -> list[RoundView]:
        first = date(year, month, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        rows = await self.db.read(store.rounds_between, first.isoformat(), last.isoformat())
        return [self.view(r) for r in rows]

    async def get(self, round_id: int) -> RoundView | None:
        row = await self.db.read(store.round_row, round_id)
        return self.view(row) if row else None

    async def detail(self, round_id: int) -> dict[str, Any] | None:
        row = await self.db.read(store.round_row, round_id)
        if row is None:
            return None

        def read(conn: sqlite3.Connection) -> dict[str, Any]:
            return {"agencies": store.round_agency_names(conn, round_id),
                    "officers": store.round_officers(conn, round_id),
                    "history": [history_entry(h) for h in store.history(conn, round_id)],
                    "car": next((c for c in store.cars(conn) if c["id"] == row["car_id"]), None),
                    "pool": store.candidates(conn, round_id),
                    "all_officers": store.officers(conn)}
        return {"round": self.view(row), **await self.db.read(read)}

    async def choices(self) -> dict[str, Any]:
        """What the round form offers: active cars and agencies, kecamatan."""
        cars = await self.db.read(store.cars, True)
        agencies = await self.db.read(store.agencies, True)
        return {"cars": cars, "agencies": agencies, "kecamatan": self.regions.kecamatan()}

    def form_values(self, row: sqlite3.Row, agency_ids: list[int]) -> dict[str, Any]:
        """A stored round as its form's values (edit, duplicate)."""
        return {"day": row["day"], "start": row["start_time"].replace(":", "."),
                "end": row["end_time"].replace(":", "."), "kecamatan": row["kecamatan"],
                "desa": row["desa"] or "", "place": row["place"],
                "lat": "" if row["lat"] is None else str(row["lat"]),
                "lng": "" if row["lng"] is None else str(row["lng"]),
                "car_id": str(row["car_id"]), "agency_ids": [str(a) for a in agency_ids],
                "quota": "" if row["quota"] is None else str(row["quota"]),
                "note": row["note"]}

    async def stored_values(self, round_id: int) -> dict[str, Any] | None:
        row = await self.db.read(store.round_row, round_id)
        if row is None:
            return None
        return self.form_values(row, await self.db.read(store.round_agency_ids, round_id))

    # -- planning ----------------------------------------------------------------------------
    async def validate(self, raw: Mapping[str, object]) -> RoundInput | dict[str, str]:
        cars = await self.db.read(store.cars, True)
        agencies = await self.db.read(store.agencies, True)
        return validate_round(
            raw, kecamatan_names={k.code: k.name for k in self.regions.kecamatan()},
            kecamatan_of_desa=self.regions.kecamatan_of_desa,
            car_ids={c["id"] for c in cars}, agency_ids={a["id"] for a in agencies},
            today=wib_today())

    async def create(self, raw: Mapping[str, object], actor: Actor,
                     invitation_id: int | None = None) -> int | dict[str, str]:
        value = await self.validate(raw)
        if isinstance(value, dict):
            return value
        return await self.create_valid(value, actor, invitation_id)

    async def create_valid(self, value: RoundInput, actor: Actor,
                           invitation_id: int | None = None) -> int | dict[str, str]:
        def tx(conn: sqlite3.Connection) -> int:
            round_id = store.insert_round(conn, value, _actor_name(actor), now_iso(),
                                          invitation_id)
            audit.record(conn, actor, audit.ROUND_CREATED, "round", str(round_id))
            return round_id
        try:
            return await self.db.write(tx)
        except RoundConflict as exc:
            return exc.errors

    async def update(self, round_id: int, raw: Mapping[str, object], actor: Actor
                     ) -> dict[str, str] | None:
        value = await self.validate(raw)
        if isinstance(value, dict):
            return value

        def tx(conn: sqlite3.Connection) -> list[str]:
            changed = store.update_round(conn, round_id, value, _actor_name(actor), now_iso())
            if changed:
                audit.record(conn, actor, audit.ROUND_CHANGED, "round", str(round_id),
                             ", ".join(changed))
            return changed
        try:
            await self.db.write(tx)
        except RoundConflict as exc:
            return exc.errors
        return None

    async def move(self, round_id: int, after: RoundStatus, actor: Actor,
                   raw_reason: object = None) -> dict[str, str] | None:
        reason: str | None = None
        if after == RoundStatus.CANCELLED:
            checked = cancel_reason(raw_reason)
            if isinstance(checked, dict):
                return checked
            reason = checked

        def tx(conn: sqlite3.Connection) -> str:
            before = store.move_status(conn, round_id, after, _actor_name(actor), now_iso(),
                                       reason)
            audit.record(conn, actor, audit.ROUND_STATUS, "round", str(round_id),
                         f"{before} → {after}")
            return before
        try:
            await self.db.write(tx)
        except RoundConflict as exc:
            return exc.errors
        return None

    # -- cars and agencies -------------------------------------------------------------------
    async def cars(self) -> list[sqlite3.Row]:
        return await self.db.read(store.cars)

    async def agencies(self) -> list[sqlite3.Row]:
        return await self.db.read(store.agencies)

    async def add_car(self, form: Mapping[str, Any], actor: Actor) -> dict[str, str] | None:
        name = " ".join(str(form.get("name", "")).split())
        plate = " ".join(str(form.get("plate", "")).split())[:20] or None
        if not 2 <= len(name) <= 60:
            return {"name": MSG_CAR_NAME}

        def tx(conn: sqlite3.Connection) -> int | None:
            car_id = store.add_car(conn, name, plate)
            if car_id is not None:
                audit.record(conn, actor, audit.CAR_CHANGED, "car", str(car_id), "tambah")
            return car_id
        return None if await self.db.write(tx) is not None else {"name": MSG_CAR_NAME}

    async def set_car_active(self, car_id: int, active: bool, actor: Actor) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            if store.set_car_active(conn, car_id, active):
                audit.record(conn, actor, audit.CAR_CHANGED, "car", str(car_id),
                             "aktif" if active else "nonaktif")
        await self.db.write(tx)

    async def rename_agency(self, agency_id: int, form: Mapping[str, Any], actor: Actor
                            ) -> dict[str, str] | None:
        name = " ".join(str(form.get("name", "")).split())
        short = " ".join(str(form.get("short_name", "")).split())
        if not (2 <= len(name) <= 120 and 2 <= len(short) <= 40):
            return {f"agency-{agency_id}": MSG_AGENCY_NAME}

        def tx(conn: sqlite3.Connection) -> None:
            if store.rename_agency(conn, agency_id, name, short):
                audit.record(conn, actor, audit.AGENCY_CHANGED, "agency", str(agency_id))
        await self.db.write(tx)
        return None

    # -- staffing ----------------------------------------------------------------------------
    def _push(self, conn: sqlite3.Connection, round_id: int, user_ids: list[int],
              history_id: int, title: str) -> int:
        row = store.round_row(conn, round_id)
        assert row is not None
        when = self.view(row).when
        # Lock screens: the date and the hour, never a name or a number.
        payload = {"title": title, "body": f"Sesi layanan keliling {when}. Ketuk untuk melihat.",
                   "url": "/petugas", "tag": f"jbm-sesi-{round_id}"}
        return store.queue_officer_push(conn, user_ids, history_id, payload, now_iso(),
                                        clock.time())

    async def draw(self, round_id: int, raw_n: object, actor: Actor,
                   seed: int | None = None) -> dict[str, str] | None:
        text = str(raw_n or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_DRAW:
            return {"n": MSG_DRAW_N}
        n = int(text)
        chosen_seed = seed if seed is not None else secrets.randbelow(2**31)

        def tx(conn: sqlite3.Connection) -> dict[str, str] | None:
            row = store.round_row(conn, round_id)
            if row is None or row["status"] not in (RoundStatus.DRAFT, RoundStatus.PUBLISHED):
                return {"n": MSG_DRAW_CLOSED}
            pool = store.candidates(conn, round_id)
            result = draw_officers(pool, n, chosen_seed, bool(row["evening"]))
            if len(result.chosen) < n:
                return {"n": MSG_DRAW_SHORT.format(found=len(result.chosen), n=n)}
            history_id = store.assign_drawn(conn, round_id, chosen_seed, n, pool,
                                            result.chosen, _actor_name(actor), now_iso())
            audit.record(conn, actor, audit.ROUND_DRAW, "round", str(round_id),
                         f"seed {chosen_seed}, {n} petugas")
            self._push(conn, round_id, list(result.chosen), history_id, "Jadwal tugas baru")
            return None
        problem = await self.db.write(tx)
        if problem is None:
            self.notify.notifier.wake()
        return problem

    async def replay_draw(self, round_id: int) -> ReplayedDraw | None:
        """The last draw computed again from its recorded seed and inputs (the audit)."""
        row = await self.db.read(store.round_row, round_id)
        recorded = await self.db.read(store.last_draw, round_id)
        if row is None or recorded is None:
            return None
        pool = [Candidate(p[0], p[1], p[2], bool(p[3]), bool(p[4]))
                for p in recorded["pool"]]  # type: ignore[union-attr]
        again: Draw = draw_officers(pool, int(recorded["n"]),  # type: ignore[call-overload]
                                    int(recorded["seed"]),  # type: ignore[call-overload]
                                    bool(row["evening"]))
        chosen = tuple(int(i) for i in recorded["chosen"])  # type: ignore[union-attr]
        names = await self.db.read(store.user_names, set(chosen) | set(again.chosen))
        return ReplayedDraw(int(recorded["seed"]), int(recorded["n"]),  # type: ignore[call-overload]
                            chosen, again.chosen, names)

    async def swap(self, round_id: int, form: Mapping[str, Any], actor: Actor
                   ) -> dict[str, str] | None:
        out_text, in_text = str(form.get("out_id", "")), str(form.get("in_id", ""))
        reason = " ".join(str(form.get("reason", "")).split())[:300]
        if len(reason) < 5:
            return {"reason": store.MSG_SWAP_REASON}
        if not out_text.isdigit():
            return {"out_id": store.MSG_SWAP_OUT}
        if not in_text.isdigit():
            return {"in_id": store.MSG_SWAP_IN}

        def tx(conn: sqlite3.Connection) -> None:
            history_id = store.swap_officer(conn, round_id, int(out_text), int(in_text), reason,
                                            _actor_name(actor), now_iso())
            audit.record(conn, actor, audit.ROUND_SWAP, "round", str(round_id),
                         f"petugas {out_text} → {in_text}")
            self._push(conn, round_id, [int(in_text)], history_id, "Jadwal tugas baru")
        try:
            await self.db.write(tx)
        except RoundConflict as exc:
            return exc.errors
        self.notify.notifier.wake()
        return None

    async def officers(self) -> list[sqlite3.Row]:
        return await self.db.read(store.officers)

    async def leave(self) -> list[sqlite3.Row]:
        return await self.db.read(store.leave_list, wib_today().isoformat())

    async def add_leave(self, form: Mapping[str, Any], actor: Actor) -> dict[str, str] | None:
        who = str(form.get("user_id", ""))
        ids = {r["id"] for r in await self.officers()}
        if not who.isdigit() or int(who) not in ids:
            return {"user_id": MSG_LEAVE_WHO}
        try:
            first = date.fromisoformat(str(form.get("first_day", ""))[:10])
            last = date.fromisoformat(str(form.get("last_day", ""))[:10])
        except ValueError:
            return {"first_day": MSG_LEAVE_DATES}
        if last < first:
            return {"first_day": MSG_LEAVE_DATES}
        note = " ".join(str(form.get("note", "")).split())[:200]

        def tx(conn: sqlite3.Connection) -> None:
            leave_id = store.add_leave(conn, int(who), first.isoformat(), last.isoformat(), note)
            audit.record(conn, actor, audit.OFFICER_LEAVE, "user", who, f"cuti {leave_id}")
        await self.db.write(tx)
        return None

    async def delete_leave(self, leave_id: int, actor: Actor) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            if store.delete_leave(conn, leave_id):
                audit.record(conn, actor, audit.OFFICER_LEAVE, "leave", str(leave_id), "hapus")
        await self.db.write(tx)

    async def set_section(self, user_id: int, raw: object, actor: Actor
                          ) -> dict[str, str] | None:
        section = " ".join(str(raw or "").split())
        if len(section) > 60:
            return {"section": MSG_SECTION}

        def tx(conn: sqlite3.Connection) -> None:
            if store.set_section(conn, user_id, section or None):
                audit.record(conn, actor, audit.OFFICER_SECTION, "user", str(user_id))
        await self.db.write(tx)
        return None

    async def upcoming_for(self, user_id: int) -> list[RoundView]:
        rows = await self.db.read(store.upcoming_for_officer, user_id, now_iso())
        return [self.view(r) for r in rows]

    async def may_see_report(self, round_id: int, user_id: int, is_admin: bool) -> bool:
        return is_admin or await self.db.read(store.is_assigned, round_id, user_id)

    async def report(self, round_id: int) -> RoundReport:
        rows = await self.db.read(store.round_applications, round_id)

        def section_of(code: str) -> str | None:
            entry = self.kbli.get(code)
            return entry.section if entry else None
        return tally(rows, section_of)


FIELD_NAMES = {"day": "tanggal", "start_time": "jam mulai", "end_time": "jam selesai",
               "kecamatan": "kecamatan", "desa": "desa", "place": "tempat", "lat": "titik peta",
               "lng": "titik peta", "car_id": "mobil", "quota": "kuota", "note": "catatan",
               "agencies": "instansi"}


def history_entry(row: sqlite3.Row) -> dict[str, str]:
    """A history row as people read it."""
    action, detail = row["action"], row["detail"]
    text = detail or ""
    if detail and action in ("create", "edit", "draw", "swap"):
        data = json.loads(detail)
        if action == "create":
            text = data["when"]
        elif action == "edit":
            names = dict.fromkeys(FIELD_NAMES.get(f, f) for f in data["fields"])
            text = "Diubah: " + ", ".join(names)
            if "to" in data:
                text += f". Dipindah dari {data['from']} ke {data['to']}"
        elif action == "draw":
            text = f"Undian dengan seed {data['seed']}, {data['n']} petugas"
        else:
            text = f"{data['out_name']} diganti {data['in_name']}: {data['reason']}"
    return {"at": row["at"], "actor": row["actor"], "action": action, "text": text}


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """Weeks (Monday first) of a month for the calendar view; None outside the month."""
    first = date(year, month, 1)
    days: list[date | None] = [None] * first.weekday()
    day = first
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    days += [None] * (-len(days) % 7)
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def evening_default(evening: bool) -> tuple[str, str]:
    return ("19.00", "22.00") if evening else ("09.00", "13.00")
