"""Admin pages for the car's rounds (/admin/jadwal): the month and its list, a round's
form (create, edit, duplicate), its page (publish, cancel, mark done, draw and swap
officers, history), officers' leave and sections, cars and agencies, and the honorarium."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from app.clock import wib_today
from app.domain.rounds import MONTHS, RoundStatus
from app.routes.deps import ActorDep, HonorServiceDep, RoundsServiceDep
from app.routes.pages import render, see_other
from app.security import Actor, require_admin
from app.services import holidays
from app.services.honorarium import HonorService, to_csv, to_xlsx
from app.services.rounds import RoundsService, month_grid

DONE = {
    "dibuat": "Sesi sudah dibuat sebagai draf.",
    "diubah": "Perubahan sesi sudah disimpan.",
    "terbit": "Sesi sudah diterbitkan.",
    "batal": "Sesi sudah dibatalkan.",
    "selesai": "Sesi sudah ditandai selesai.",
    "undi": "Petugas sudah diundi dan diberi tahu.",
    "ganti": "Petugas sudah diganti dan diberi tahu.",
}
MSG_MISSING = "Sesi tidak ditemukan."


def round_form(form: Any) -> dict[str, Any]:
    """A submitted round form as validate_round reads it (agency_ids: every ticked box)."""
    raw: dict[str, Any] = {name: str(form.get(name, ""))[:600] for name in (
        "day", "start", "end", "kecamatan", "desa", "place", "lat", "lng", "car_id", "quota",
        "note")}
    raw["agency_ids"] = [str(v)[:10] for v in form.getall("agency_ids", [])][:50]
    return raw


def _month(value: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in value.split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    today = wib_today()
    return today.year, today.month


def _missing(request: Request[Any, Any, Any]) -> Any:
    return render(request, "error.html", 404, message=MSG_MISSING, code=404)


class AdminJadwalController(Controller):
    path = "/admin/jadwal"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    @get("", name="admin_jadwal")
    async def jadwal(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep,
                     bulan: FromQuery[str] = "") -> Any:
        year, month = _month(bulan[:7])
        views = await rounds.month(year, month)
        by_day: dict[str, list[Any]] = {}
        for view in views:
            by_day.setdefault(view.row["day"], []).append(view)
        prev = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        nxt = f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"
        return render(request, "admin/jadwal.html", rounds=views, by_day=by_day,
                      weeks=month_grid(year, month), title=f"{MONTHS[month - 1]} {year}",
                      prev=prev, next=nxt, today=wib_today(), statuses=RoundStatus)

    async def _form(self, request: Request[Any, Any, Any], rounds: RoundsService,
                    values: dict[str, Any], errors: dict[str, str], status_code: int = 200,
                    round_id: int | None = None) -> Any:
        return render(request, "admin/jadwal_form.html", status_code, values=values,
                      errors=errors, round_id=round_id, regions=rounds.regions,
                      holiday_warning=await holidays.warning_for(rounds.db, values.get("day")),
                      **await rounds.choices())

    @get("/baru", name="admin_jadwal_baru")
    async def baru_page(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep,
                        dari: FromQuery[int | None] = None) -> Any:
        values: dict[str, Any] = {"start": "19.00", "end": "22.00", "agency_ids": []}
        if dari is not None:  # duplicate: the same round, a date to choose
            stored = await rounds.stored_values(dari)
            if stored is None:
                return _missing(request)
            values = {**stored, "day": ""}
        return await self._form(request, rounds, values, {})

    @post("/baru")
    async def baru(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep,
                   actor: ActorDep) -> Any:
        raw = round_form(await request.form())
        result = await rounds.create(raw, actor)
        if isinstance(result, dict):
            return await self._form(request, rounds, raw, result, 422)
        return see_other(request, f"/admin/jadwal/{result}?selesai=dibuat")

    @get("/{round_id:int}", name="admin_jadwal_sesi")
    async def sesi(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                   rounds: RoundsServiceDep, selesai: FromQuery[str] = "") -> Any:
        return await self._sesi(request, rounds, round_id, done=DONE.get(selesai))

    async def _sesi(self, request: Request[Any, Any, Any], rounds: RoundsService,
                    round_id: int, status_code: int = 200, **context: Any) -> Any:
        detail = await rounds.detail(round_id)
        if detail is None:
            return _missing(request)
        context.setdefault("errors", {})
        context.setdefault("values", {})
        warning = await holidays.warning_for(rounds.db, detail["round"].row["day"])
        return render(request, "admin/jadwal_sesi.html", status_code, statuses=RoundStatus,
                      holiday_warning=warning, **detail, **context)

    @get("/{round_id:int}/ubah", name="admin_jadwal_ubah")
    async def ubah_page(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                        rounds: RoundsServiceDep) -> Any:
        stored = await rounds.stored_values(round_id)
        if stored is None:
            return _missing(request)
        return await self._form(request, rounds, stored, {}, round_id=round_id)

    @post("/{round_id:int}/ubah")
    async def ubah(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                   rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        raw = round_form(await request.form())
        errors = await rounds.update(round_id, raw, actor)
        if errors:
            return await self._form(request, rounds, raw, errors, 422, round_id=round_id)
        return see_other(request, f"/admin/jadwal/{round_id}?selesai=diubah")

    async def _move(self, request: Request[Any, Any, Any], rounds: RoundsService,
                    round_id: int, after: RoundStatus, actor: Actor, done: str) -> Any:
        form = await request.form()
        errors = await rounds.move(round_id, after, actor, form.get("reason"))
        if errors:
            return await self._sesi(request, rounds, round_id, 422, errors=errors,
                                    values={"reason": str(form.get("reason", ""))[:300]})
        return see_other(request, f"/admin/jadwal/{round_id}?selesai={done}")

    @post("/{round_id:int}/terbitkan")
    async def terbitkan(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                        rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        return await self._move(request, rounds, round_id, RoundStatus.PUBLISHED, actor,
                                "terbit")

    @post("/{round_id:int}/batalkan")
    async def batalkan(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                       rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        return await self._move(request, rounds, round_id, RoundStatus.CANCELLED, actor, "batal")

    @post("/{round_id:int}/selesai")
    async def selesai(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                      rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        return await self._move(request, rounds, round_id, RoundStatus.DONE, actor, "selesai")

    @post("/{round_id:int}/undi")
    async def undi(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                   rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        form = await request.form()
        errors = await rounds.draw(round_id, form.get("n"), actor)
        if errors:
            return await self._sesi(request, rounds, round_id, 422, errors=errors,
                                    values={"n": str(form.get("n", ""))[:3]})
        return see_other(request, f"/admin/jadwal/{round_id}?selesai=undi")

    @get("/{round_id:int}/undian", name="admin_jadwal_undian")
    async def undian(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                     rounds: RoundsServiceDep) -> Any:
        """"Tampilkan ulang": the last draw computed again from its seed."""
        replay = await rounds.replay_draw(round_id)
        view = await rounds.get(round_id)
        if replay is None or view is None:
            return _missing(request)
        return render(request, "admin/jadwal_undian.html", replay=replay, round=view)

    @post("/{round_id:int}/ganti")
    async def ganti(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                    rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        form = await request.form()
        errors = await rounds.swap(round_id, form, actor)
        if errors:
            values = {k: str(form.get(k, ""))[:300] for k in ("out_id", "in_id", "reason")}
            return await self._sesi(request, rounds, round_id, 422, errors=errors,
                                    values=values)
        return see_other(request, f"/admin/jadwal/{round_id}?selesai=ganti")

    # -- officers: leave and sections --------------------------------------------------------
    async def _petugas(self, request: Request[Any, Any, Any], rounds: RoundsService,
                       status_code: int = 200, **context: Any) -> Any:
        context.setdefault("errors", {})
        context.setdefault("values", {})
        return render(request, "admin/jadwal_petugas.html", status_code,
                      officers=await rounds.officers(), leave=await rounds.leave(), **context)

    @get("/petugas", name="admin_jadwal_petugas")
    async def petugas(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep) -> Any:
        return await self._petugas(request, rounds)

    @post("/petugas/cuti")
    async def cuti(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep,
                   actor: ActorDep) -> Any:
        form = await request.form()
        errors = await rounds.add_leave(form, actor)
        if errors:
            values = {k: str(form.get(k, ""))[:200] for k in
                      ("user_id", "first_day", "last_day", "note")}
            return await self._petugas(request, rounds, 422, errors=errors, values=values)
        return see_other(request, "/admin/jadwal/petugas")

    @post("/petugas/cuti/{leave_id:int}/hapus")
    async def hapus_cuti(self, request: Request[Any, Any, Any], leave_id: FromPath[int],
                         rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        await rounds.delete_leave(leave_id, actor)
        return see_other(request, "/admin/jadwal/petugas")

    @post("/petugas/{user_id:int}/seksi")
    async def seksi(self, request: Request[Any, Any, Any], user_id: FromPath[int],
                    rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        form = await request.form()
        errors = await rounds.set_section(user_id, form.get("section"), actor)
        if errors:
            return await self._petugas(request, rounds, 422, errors={
                f"section-{user_id}": errors["section"]})
        return see_other(request, "/admin/jadwal/petugas")

    # -- cars and agencies -------------------------------------------------------------------
    async def _mobil(self, request: Request[Any, Any, Any], rounds: RoundsService,
                     status_code: int = 200, **context: Any) -> Any:
        context.setdefault("errors", {})
        context.setdefault("values", {})
        return render(request, "admin/jadwal_mobil.html", status_code, cars=await rounds.cars(),
                      agencies=await rounds.agencies(), **context)

    @get("/mobil", name="admin_jadwal_mobil")
    async def mobil(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep) -> Any:
        return await self._mobil(request, rounds)

    @post("/mobil")
    async def tambah_mobil(self, request: Request[Any, Any, Any], rounds: RoundsServiceDep,
                           actor: ActorDep) -> Any:
        form = await request.form()
        errors = await rounds.add_car(form, actor)
        if errors:
            values = {k: str(form.get(k, ""))[:60] for k in ("name", "plate")}
            return await self._mobil(request, rounds, 422, errors=errors, values=values)
        return see_other(request, "/admin/jadwal/mobil")

    @post("/mobil/{car_id:int}/nonaktifkan")
    async def nonaktifkan_mobil(self, request: Request[Any, Any, Any], car_id: FromPath[int],
                                rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        await rounds.set_car_active(car_id, False, actor)
        return see_other(request, "/admin/jadwal/mobil")

    @post("/mobil/{car_id:int}/aktifkan")
    async def aktifkan_mobil(self, request: Request[Any, Any, Any], car_id: FromPath[int],
                             rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        await rounds.set_car_active(car_id, True, actor)
        return see_other(request, "/admin/jadwal/mobil")

    @post("/instansi/{agency_id:int}")
    async def instansi(self, request: Request[Any, Any, Any], agency_id: FromPath[int],
                       rounds: RoundsServiceDep, actor: ActorDep) -> Any:
        errors = await rounds.rename_agency(agency_id, await request.form(), actor)
        if errors:
            return await self._mobil(request, rounds, 422, errors=errors)
        return see_other(request, "/admin/jadwal/mobil")

    # -- the honorarium ----------------------------------------------------------------------
    @staticmethod
    def _period(tahun: int | None, bulan: int | None) -> tuple[int, int | None]:
        year = tahun if tahun and 2000 <= tahun <= 2100 else wib_today().year
        return year, bulan if bulan and 1 <= bulan <= 12 else None

    @get("/honor", name="admin_jadwal_honor")
    async def honor_page(self, request: Request[Any, Any, Any], honor: HonorServiceDep,
                         tahun: FromQuery[int | None] = None,
                         bulan: FromQuery[int | None] = None) -> Any:
        year, month = self._period(tahun, bulan)
        return await self._honor(request, honor, year, month)

    async def _honor(self, request: Request[Any, Any, Any], honor: HonorService, year: int,
                     month: int | None, status_code: int = 200, **context: Any) -> Any:
        report = await honor.report(year, month)
        setting = await honor.year_setting(year)
        context.setdefault("errors", {})
        context.setdefault("values", {k: "" if setting is None or setting[k] is None
                                      else str(setting[k])
                                      for k in ("budget", "rate", "evening_rate")})
        query = f"tahun={year}" + (f"&bulan={month}" if month else "")
        return render(request, "admin/jadwal_honor.html", status_code, report=report,
                      months=MONTHS, query=query, **context)

    @post("/honor/anggaran")
    async def anggaran(self, request: Request[Any, Any, Any], honor: HonorServiceDep,
                       actor: ActorDep) -> Any:
        form = await request.form()
        year, _ = self._period(int(str(form.get("year", "0"))[:4] or 0)
                               if str(form.get("year", "")).isdigit() else None, None)
        values = {k: str(form.get(k, ""))[:20] for k in ("budget", "rate", "evening_rate")}
        errors = await honor.set_year(year, values, actor)  # type: ignore[arg-type]
        if errors:
            return await self._honor(request, honor, year, None, 422, errors=errors,
                                     values=values)
        return see_other(request, f"/admin/jadwal/honor?tahun={year}")

    @get("/honor.csv", name="admin_jadwal_honor_csv")
    async def honor_csv(self, honor: HonorServiceDep, tahun: FromQuery[int | None] = None,
                        bulan: FromQuery[int | None] = None) -> Response[bytes]:
        year, month = self._period(tahun, bulan)
        report = await honor.report(year, month)
        name = f"honor-{year}" + (f"-{month:02d}" if month else "")
        return Response(to_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

    @get("/honor.xlsx", name="admin_jadwal_honor_xlsx")
    async def honor_xlsx(self, honor: HonorServiceDep, tahun: FromQuery[int | None] = None,
                         bulan: FromQuery[int | None] = None) -> Response[bytes]:
        year, month = self._period(tahun, bulan)
        report = await honor.report(year, month)
        name = f"honor-{year}" + (f"-{month:02d}" if month else "")
        return Response(
            to_xlsx(report),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})

