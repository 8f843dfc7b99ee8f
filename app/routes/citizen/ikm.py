"""The published satisfaction index (/ikm), as Permenpan-RB 14/2017 asks: index, grade,
respondents, each element's score (a server-drawn SVG chart beside a table), the period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery

from app.clock import wib_today
from app.db.surveys import Scope
from app.domain.ikm import ELEMENTS, GRADES, MONTHS, IkmResult, Period, period, to_decimal
from app.routes.deps import RegionsDep, SurveyServiceDep
from app.routes.pages import render


@dataclass(frozen=True, slots=True)
class Filter:
    year: int
    semester: int | None
    month: int | None

    @property
    def period(self) -> Period:
        return period(self.year, self.semester, self.month)

    def query(self) -> str:
        parts = [f"tahun={self.year}"]
        if self.month:
            parts.append(f"bulan={self.month}")
        elif self.semester:
            parts.append(f"semester={self.semester}")
        return "&".join(parts)


def _int(raw: str, low: int, high: int) -> int | None:
    return int(raw) if raw.isdigit() and low <= int(raw) <= high else None


def read_filter(tahun: str, semester: str, bulan: str) -> Filter:
    """The period asked for: a year (default this one), a semester or a month in it."""
    today = wib_today()
    year = _int(tahun, 2000, today.year + 1) or today.year
    month = _int(bulan, 1, 12)
    return Filter(year, None if month else _int(semester, 1, 2), month)


def scope_of(chosen: Filter, round_id: int | None = None,
             kecamatan: str | None = None) -> Scope:
    p = chosen.period
    return Scope(p.first.isoformat(), p.last.isoformat(), round_id, kecamatan)


def view(result: IkmResult) -> dict[str, Any]:
    """What the page and the admin page show of a result, rounded for display only."""
    rows = []
    for element, mean, score in zip(ELEMENTS, result.means, result.element_scores,
                                    strict=False):  # no respondents: no means
        rows.append({"code": element.code.upper(), "name": element.name,
                     "mean": to_decimal(mean, 3), "score": to_decimal(score),
                     "width": float(score) * 3})  # 100 points = 300 SVG units
    grade = result.grade
    return {"respondents": result.respondents, "elements": rows,
            "index": to_decimal(result.index) if result.index is not None else None,
            "grade": grade}


class IkmController(Controller):
    path = "/ikm"
    include_in_schema = False

    @get("/", name="ikm")
    async def ikm(self, request: Request[Any, Any, Any], surveys: SurveyServiceDep,
                  regions: RegionsDep, tahun: FromQuery[str] = "", semester: FromQuery[str] = "",
                  bulan: FromQuery[str] = "") -> Any:
        chosen = read_filter(tahun[:4], semester[:1], bulan[:2])
        scope = scope_of(chosen)
        result = await surveys.result(scope)
        by_kecamatan = [
            {"name": regions.kecamatan_name(str(key)) or str(key), **view(r)}
            for key, r in await surveys.results_by("kecamatan", scope)]
        years = sorted({wib_today().year, chosen.year, *await surveys.years()}, reverse=True)
        return render(request, "citizen/ikm.html", ikm=view(result), chosen=chosen,
                      period=chosen.period, by_kecamatan=by_kecamatan, years=years,
                      grades=GRADES, months=range(1, 13), month_names=MONTHS)
