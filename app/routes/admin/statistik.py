"""The office's numbers (/admin/statistik): panels with their charts, coverage and where
to go next (/admin/statistik/cakupan), and exports (/admin/statistik/ekspor)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import File, Stream

from app.clock import now_iso, wib_today
from app.domain.coverage import parse_potential, parse_potential_csv
from app.domain.referrals import STATUS_LABELS as REFERRAL_LABELS
from app.domain.statistics import StatFilter, duration_label
from app.http_errors import user_error
from app.reference.regions import Regions
from app.routes.deps import (
    ActorDep,
    DatabaseDep,
    ExportJobsDep,
    ReferralServiceDep,
    RegionsDep,
    StatisticsServiceDep,
    UserDep,
)
from app.routes.pages import is_htmx, render, see_other
from app.security import require_admin
from app.services import audit
from app.services import statistics as stats
from app.services.statistics import StatisticsService

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MSG_FILE = "Pilih berkas CSV (paling besar 256 KB)."


def _filter(request: Request[Any, Any, Any], regions: Regions,
            values: Any | None = None) -> StatFilter:
    source = values if values is not None else request.query_params
    query = {k: str(source.get(k, "")) for k in ("dari", "sampai", "kecamatan", "sesi")}
    return StatFilter.parse(query, wib_today(), lambda c: regions.kecamatan_name(c) is not None)


class StatistikController(Controller):
    path = "/admin/statistik"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="admin_statistik")
    async def statistik(self, request: Request[Any, Any, Any], statistics: StatisticsServiceDep,
                        regions: RegionsDep) -> Any:
        f = _filter(request, regions)
        d = await statistics.dashboard(f)
        return render(request, "admin/statistik.html", f=f, d=d, charts=stats.admin_charts(d),
                      kecamatan=regions.kecamatan(), rounds=await statistics.rounds_in_period(f),
                      scales=stats.SCALES, duration=duration_label,
                      referral_labels=REFERRAL_LABELS)

    # -- coverage ---------------------------------------------------------------------------
    async def _coverage(self, request: Request[Any, Any, Any], statistics: StatisticsService,
                        errors: list[str] | None = None, status_code: int = 200,
                        saved: bool = False) -> Any:
        today = wib_today()
        rows = await statistics.coverage(today)
        return render(request, "admin/cakupan.html", status_code, rows=rows, today=today,
                      errors=errors or [], saved=saved or request.query_params.get("disimpan"))

    @get("/cakupan")
    async def cakupan(self, request: Request[Any, Any, Any],
                      statistics: StatisticsServiceDep) -> Any:
        return await self._coverage(request, statistics)

    @post("/cakupan")
    async def save_cakupan(self, request: Request[Any, Any, Any], statistics: StatisticsServiceDep,
                           regions: RegionsDep, db: DatabaseDep, actor: ActorDep,
                           user: UserDep) -> Any:
        form = await request.form()
        values: dict[str, int | None] = {}
        errors = []
        for k in regions.kecamatan():
            parsed = parse_potential(str(form.get(f"potensi-{k.code}", ""))[:20])
            if isinstance(parsed, str):
                errors.append(f"{k.name}: {parsed}")
            else:
                values[k.code] = parsed
        if errors:
            return await self._coverage(request, statistics, errors, 422)
        changed = await statistics.save_potentials(values, "form", user.username, now_iso())
        if changed:
            await audit.log(db, actor, audit.POTENTIAL_SAVED, "coverage", None,
                            f"{changed} kecamatan (formulir)")
        return see_other(request, "/admin/statistik/cakupan?disimpan=1")

    @post("/cakupan/impor")
    async def import_cakupan(self, request: Request[Any, Any, Any],
                             statistics: StatisticsServiceDep, regions: RegionsDep, db: DatabaseDep,
                             actor: ActorDep, user: UserDep) -> Any:
        form = await request.form()
        upload = form.get("berkas")
        if upload is None or isinstance(upload, str):
            return await self._coverage(request, statistics, [MSG_FILE], 422)
        raw = await upload.read(256 * 1024 + 1)
        if not raw or len(raw) > 256 * 1024:
            return await self._coverage(request, statistics, [MSG_FILE], 422)
        text = raw.decode("utf-8-sig", errors="replace")
        values, errors = parse_potential_csv(text, regions_lookup(regions))
        if errors:
            return await self._coverage(request, statistics, errors[:30], 422)
        changed = await statistics.save_potentials(dict(values), "csv", user.username,
                                                   now_iso())
        await audit.log(db, actor, audit.POTENTIAL_SAVED, "coverage", None,
                        f"{changed} kecamatan (impor CSV)")
        return see_other(request, "/admin/statistik/cakupan?disimpan=1")

    # -- exports ----------------------------------------------------------------------------
    @get("/ekspor")
    async def ekspor(self, request: Request[Any, Any, Any], statistics: StatisticsServiceDep,
                     regions: RegionsDep, exports: ExportJobsDep, user: UserDep) -> Any:
        f = _filter(request, regions)
        return render(request, "admin/ekspor.html", f=f, kecamatan=regions.kecamatan(),
                      rounds=await statistics.rounds_in_period(f), total=await statistics.count(f),
                      job=exports.running_for(user.id))

    @post("/ekspor", status_code=200)
    async def start_export(self, request: Request[Any, Any, Any], statistics: StatisticsServiceDep,
                           regions: RegionsDep, exports: ExportJobsDep, db: DatabaseDep,
                           actor: ActorDep, user: UserDep, referrals: ReferralServiceDep) -> Any:
        form = await request.form()
        f = _filter(request, regions, form)
        jenis = form.get("jenis")
        kind = jenis if jenis in ("bulanan", "rujukan") else "permohonan"
        xlsx = form.get("format") == "xlsx"
        full_nik = kind == "permohonan" and form.get("nik_lengkap") == "1"
        if full_nik:
            await audit.log(db, actor, audit.EXPORT_FULL_NIK, "export", None,
                            f"{'xlsx' if xlsx else 'csv'} {f.month_from}..{f.month_to}"
                            f" kecamatan={f.kecamatan or 'semua'} sesi={f.round_id or 'semua'}")
        name = f"{kind}-{f.month_from}-{f.month_to}"
        if not xlsx and kind == "rujukan":
            return Stream(referrals.csv(f), media_type="text/csv; charset=utf-8",
                          headers=_attachment(f"{name}.csv"))
        if not xlsx and kind == "permohonan":
            return Stream(statistics.csv_applications(f, full_nik),
                          media_type="text/csv; charset=utf-8",
                          headers=_attachment(f"{name}.csv"))
        if not xlsx:
            rows = stats.monthly_rows(await statistics.monthly(f))
            return Response(stats.csv_bytes(stats.MONTHLY_HEADER, rows),
                            media_type="text/csv; charset=utf-8",
                            headers=_attachment(f"{name}.csv"))
        job = exports.running_for(user.id)  # one at a time: show the one running
        if job is None:
            total = (await statistics.count(f) if kind == "permohonan"
                     else await referrals.count(f) if kind == "rujukan"
                     else len(await statistics.monthly(f)))
            job = exports.start(kind, f, full_nik, user.id, total)
        return see_other(request, f"/admin/statistik/ekspor/{job.id}")

    @get("/ekspor/{job_id:str}")
    async def ekspor_progres(self, request: Request[Any, Any, Any], job_id: FromPath[str],
                             exports: ExportJobsDep, statistics: StatisticsServiceDep,
                             regions: RegionsDep, user: UserDep) -> Any:
        job = exports.get(job_id, user.id)
        if job is None:
            raise user_error(404, "not_found", "Ekspor ini tidak ditemukan atau sudah kedaluwarsa.")
        if is_htmx(request):
            return render(request, "admin/_ekspor_progres.html", job=job)
        f = _filter(request, regions)
        return render(request, "admin/ekspor.html", f=f, kecamatan=regions.kecamatan(),
                      rounds=await statistics.rounds_in_period(f),
                      total=await statistics.count(f), job=job)

    @get("/ekspor/{job_id:str}/unduh")
    async def unduh(self, job_id: FromPath[str], exports: ExportJobsDep, user: UserDep) -> File:
        job = exports.get(job_id, user.id)
        if job is None or job.state != "done":
            raise user_error(404, "not_found", "Berkas ekspor tidak tersedia.")
        return File(path=job.path, filename=job.filename, media_type=XLSX,
                    headers={"Cache-Control": "no-store"})


def _attachment(filename: str) -> dict[str, str]:
    # Content-Type here too: Litestar lets a handler's default media type (JSON) win over
    # the one given to Stream/Response, but never over an explicit header.
    return {"Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store"}


def regions_lookup(regions: Regions) -> Any:
    """Find a kecamatan by code (dotted or not) or by name, case-insensitive."""
    by_name = {k.name.casefold(): k.code for k in regions.kecamatan()}

    def find(text: str) -> str | None:
        if regions.kecamatan_name(text) is not None:
            return next((k.code for k in regions.kecamatan()
                         if k.code.replace(".", "") == text.replace(".", "")), None)
        return by_name.get(text.casefold())

    return find
