"""The office's holiday list (/admin/libur): a year's holidays, add one, paste the year's
SKB list, delete one after a confirmation; and the round form's holiday warning."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from app.clock import wib_today
from app.db.connection import Database
from app.domain.holidays import (
    KINDS,
    MAX_YEAR,
    MIN_YEAR,
    read_day,
    read_holiday,
    read_pasted,
)
from app.domain.rounds import date_text
from app.routes.deps import ActorDep, DatabaseDep
from app.routes.pages import render, see_other
from app.security import require_admin
from app.services import holidays
from app.services.holidays import LineOutcome

DONE = {
    "tambah": "Hari libur sudah ditambahkan.",
    "hapus": "Hari libur sudah dihapus.",
}
MSG_MISSING = "Hari libur tidak ditemukan. Mungkin sudah dihapus."


def _year(value: int | None) -> int:
    return value if value is not None and MIN_YEAR <= value <= MAX_YEAR else wib_today().year


def _form_year(form: Any) -> int | None:
    """The year of the page the form was sent from."""
    raw = str(form.get("year", ""))[:4]
    return int(raw) if raw.isdigit() else None


def _day_text(iso_day: str) -> str:
    return date_text(date.fromisoformat(iso_day))


class AdminLiburController(Controller):
    path = "/admin/libur"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], db: Database, year: int,
                    status_code: int = 200, **context: Any) -> Any:
        rows = await holidays.in_year(db, year)
        context.setdefault("values", {"kind": "nasional"})
        context.setdefault("errors", {})
        context.setdefault("paste", {"kind": "nasional"})
        return render(request, "admin/libur.html", status_code, year=year,
                      holidays=[(row, _day_text(row["date"])) for row in rows],
                      years=sorted({*await holidays.years(db), year}), kinds=KINDS,
                      kind_labels=dict(KINDS), **context)

    @get("", name="admin_libur")
    async def libur(self, request: Request[Any, Any, Any], db: DatabaseDep,
                    tahun: FromQuery[int | None] = None, selesai: FromQuery[str] = "") -> Any:
        return await self._page(request, db, _year(tahun), done=DONE.get(selesai))

    @post("")
    async def tambah(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     actor: ActorDep) -> Any:
        form = await request.form()
        values = {name: str(form.get(name, ""))[:200] for name in ("day", "name", "kind")}
        new, errors = read_holiday(values)
        if new is not None:
            taken = await holidays.add(db, actor, new)
            if taken is None:
                return see_other(request, f"/admin/libur?tahun={new.day.year}&selesai=tambah")
            errors = {"day": taken}
        day = read_day(values["day"])
        year = day.year if isinstance(day, date) else _year(_form_year(form))
        return await self._page(request, db, year, 422, values=values, errors=errors)

    @post("/tempel")
    async def tempel(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     actor: ActorDep) -> Any:
        form = await request.form()
        year = _year(_form_year(form))
        paste = {"lines": str(form.get("lines", ""))[:8000],
                 "kind": str(form.get("kind", ""))[:20]}
        lines, problem = read_pasted(paste["lines"], paste["kind"], year)
        if problem is not None:
            return await self._page(request, db, year, 422, paste=paste,
                                    paste_error=problem)
        report: list[LineOutcome] = await holidays.add_pasted(db, actor, lines)
        # the refused lines stay in the box, to be corrected and sent again
        paste["lines"] = "\n".join(o.line.text for o in report if not o.added)
        added = sum(o.added for o in report)
        return await self._page(request, db, year, 200 if added else 422, paste=paste,
                                report=report, added=added)

    @get("/{holiday_id:int}/hapus", name="admin_libur_hapus")
    async def hapus_page(self, request: Request[Any, Any, Any], holiday_id: FromPath[int],
                         db: DatabaseDep) -> Any:
        row = await holidays.by_id(db, holiday_id)
        if row is None:
            return render(request, "error.html", 404, message=MSG_MISSING, code=404)
        return render(request, "admin/libur_hapus.html", h=row, day_text=_day_text(row["date"]),
                      kind_labels=dict(KINDS))

    @post("/{holiday_id:int}/hapus")
    async def hapus(self, request: Request[Any, Any, Any], holiday_id: FromPath[int],
                    db: DatabaseDep, actor: ActorDep) -> Any:
        row = await holidays.delete(db, actor, holiday_id)
        if row is None:  # already gone (a second tab, a repeated click)
            return see_other(request, "/admin/libur")
        return see_other(request, f"/admin/libur?tahun={row['date'][:4]}&selesai=hapus")

    @get("/cek", name="admin_libur_cek")
    async def cek(self, request: Request[Any, Any, Any], db: DatabaseDep,
                  day: FromQuery[str] = "") -> Any:
        """The round form asks (htmx) whether the date just chosen is a holiday."""
        return render(request, "admin/_libur_peringatan.html",
                      holiday_warning=await holidays.warning_for(db, day[:10]))
