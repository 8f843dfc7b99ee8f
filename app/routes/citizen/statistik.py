"""The public statistics page (/statistik): aggregates only, small cells hidden and every
figure rounded (app/domain/disclosure.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from app.clock import wib_today
from app.domain.statistics import StatFilter
from app.routes.deps import RegionsDep, StatisticsServiceDep
from app.routes.pages import render
from app.services import statistics as stats


class PublicStatistikController(Controller):
    path = "/statistik"
    include_in_schema = False

    @get("/", name="statistik")
    async def statistik(self, request: Request[Any, Any, Any], statistics: StatisticsServiceDep,
                        regions: RegionsDep) -> Any:
        q = request.query_params
        f = StatFilter.parse({"dari": str(q.get("dari", "")), "sampai": str(q.get("sampai", "")),
                              "kecamatan": str(q.get("kecamatan", ""))}, wib_today(),
                             lambda c: regions.kecamatan_name(c) is not None)
        p = await statistics.public(f)
        return render(request, "citizen/statistik.html", f=f, p=p,
                      charts=stats.public_charts(p), kecamatan=regions.kecamatan())
