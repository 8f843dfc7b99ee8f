"""The admin's view of the satisfaction index (/admin/ikm): per period, per round, per
kecamatan, and the export of the responses as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery

from app.domain.ikm import GRADES, MONTHS
from app.routes.citizen.ikm import read_filter, scope_of, view
from app.routes.deps import RegionsDep, SurveyServiceDep
from app.routes.pages import render
from app.security import actor_of, require_admin
from app.services import audit, ikm_export
from app.services.surveys import SurveyService

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AdminIkmController(Controller):
    path = "/admin/ikm"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="admin_ikm")
    async def page(self, request: Request[Any, Any, Any], surveys: SurveyServiceDep,
                   regions: RegionsDep, tahun: FromQuery[str] = "", semester: FromQuery[str] = "",
                   bulan: FromQuery[str] = "") -> Any:
        chosen = read_filter(tahun[:4], semester[:1], bulan[:2])
        scope = scope_of(chosen)
        by_round = [{"name": f"Sesi #{key}", **view(r)}
                    for key, r in await surveys.results_by("round_id", scope)]
        by_kecamatan = [{"name": regions.kecamatan_name(str(key)) or str(key), **view(r)}
                        for key, r in await surveys.results_by("kecamatan", scope)]
        years = sorted({chosen.year, *await surveys.years()}, reverse=True)
        return render(request, "admin/ikm.html", ikm=view(await surveys.result(scope)),
                      chosen=chosen, period=chosen.period, by_round=by_round,
                      by_kecamatan=by_kecamatan, years=years, grades=GRADES,
                      months=range(1, 13), month_names=MONTHS)

    @get("/ekspor.csv", name="admin_ikm_csv")
    async def export_csv(self, request: Request[Any, Any, Any], surveys: SurveyServiceDep,
                         tahun: FromQuery[str] = "", semester: FromQuery[str] = "",
                         bulan: FromQuery[str] = "") -> Response[bytes]:
        return await _export(request, surveys, "csv", tahun, semester, bulan)

    @get("/ekspor.xlsx", name="admin_ikm_xlsx")
    async def export_xlsx(self, request: Request[Any, Any, Any], surveys: SurveyServiceDep,
                          tahun: FromQuery[str] = "", semester: FromQuery[str] = "",
                          bulan: FromQuery[str] = "") -> Response[bytes]:
        return await _export(request, surveys, "xlsx", tahun, semester, bulan)


async def _export(request: Request[Any, Any, Any], surveys: SurveyService, fmt: str,
                  tahun: str, semester: str, bulan: str) -> Response[bytes]:
    chosen = read_filter(tahun[:4], semester[:1], bulan[:2])
    scope = scope_of(chosen)
    rows = await surveys.responses(scope)
    result = await surveys.result(scope)
    label = chosen.period.label
    await audit.log(surveys.db, actor_of(request), audit.IKM_EXPORT, "ikm", label, fmt)
    name = f"ikm-{chosen.period.first.isoformat()}-{chosen.period.last.isoformat()}.{fmt}"
    if fmt == "csv":
        body, media = ikm_export.to_csv(rows, result, label), "text/csv; charset=utf-8"
    else:
        body, media = ikm_export.to_xlsx(rows, result, label), XLSX
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
