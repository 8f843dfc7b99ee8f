"""The statistics pages' panels (/admin/statistik, /statistik), coverage, and the exports'
readers. Each panel is a function of one read connection and the filter, so the page
reads everything in one hop and bench/scale.py can time each panel alone."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app.clock import WIB, iso
from app.db import referrals as referral_store
from app.db import statistics as store
from app.db.connection import Database
from app.domain import charts, disclosure
from app.domain.coverage import CoverageRow, rank
from app.domain.nik import mask_nik
from app.domain.referrals import STATUS_LABELS as REFERRAL_LABELS
from app.domain.scale import Scale
from app.domain.statistics import (
    ISSUED,
    REFERRED,
    SECTION_TITLES,
    SEX_LABELS,
    StatFilter,
    by_section,
    duration_label,
    month_label,
    months_between,
    percentile,
)
from app.domain.status import LABELS as STATUS_LABELS
from app.domain.status import Status
from app.reference.regions import Regions

Conn = Any  # sqlite3.Connection on the database's reader thread


@dataclass(slots=True)
class MonthRow:
    month: str
    label: str
    applications: int = 0
    issued: int = 0
    referred: int = 0
    cancelled: int = 0
    scales: dict[str, int] = field(default_factory=dict)
    workers_male: int = 0
    workers_female: int = 0


SCALES = tuple((s.value, s.label) for s in Scale)


def panel_monthly(conn: Conn, f: StatFilter, _: Regions) -> list[MonthRow]:
    """The office's monthly table: applications, NIB issued, referred to the office, by
    scale, with their workers."""
    rows = {m: MonthRow(m, month_label(m)) for m in months_between(f.month_from, f.month_to)}
    for month, status, n, wm, wf in store.cells(conn, "status", f, "month"):
        row = rows.get(month)
        if row is None:
            continue
        row.applications += n
        row.workers_male += wm
        row.workers_female += wf
        if status in ISSUED:
            row.issued += n
        elif status == REFERRED:
            row.referred += n
        elif status == Status.CANCELLED:
            row.cancelled += n
    for month, scale, n, _wm, _wf in store.cells(conn, "scale", f, "month"):
        if month in rows:
            rows[month].scales[scale] = rows[month].scales.get(scale, 0) + n
    return list(rows.values())


def panel_kecamatan(conn: Conn, f: StatFilter, regions: Regions) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for code, status, n, wm, wf in store.cells(conn, "status", f, "kecamatan"):
        row = out.setdefault(code, {"code": code, "name": regions.kecamatan_name(code) or code,
                                    "applications": 0, "issued": 0, "workers": 0})
        row["applications"] += n
        row["workers"] += wm + wf
        if status in ISSUED:
            row["issued"] += n
    return sorted(out.values(), key=lambda r: (-r["applications"], r["name"]))


def panel_desa(conn: Conn, f: StatFilter, regions: Regions) -> list[dict[str, Any]]:
    out = []
    for code, desa, n, wm, wf in store.cells(conn, "desa", f, "kecamatan"):
        found = regions.desa(desa)
        out.append({"kecamatan": regions.kecamatan_name(code) or code,
                    "desa": found.name if found else desa, "applications": n,
                    "workers": wm + wf})
    return sorted(out, key=lambda r: (r["kecamatan"], -r["applications"], r["desa"]))


def panel_kbli(conn: Conn, f: StatFilter, _: Regions) -> list[dict[str, Any]]:
    per_division = {str(v): n for v, n, _wm, _wf in store.cells(conn, "kbli", f)}
    return [{"section": s, "title": SECTION_TITLES[s], "applications": n}
            for s, n in by_section(per_division).items()]


def panel_sex(conn: Conn, f: StatFilter, _: Regions) -> list[dict[str, Any]]:
    found = {v: (n, wm, wf) for v, n, wm, wf in store.cells(conn, "sex", f)}
    return [{"sex": code, "label": label, "applications": found.get(code, (0, 0, 0))[0],
             "workers_male": found.get(code, (0, 0, 0))[1],
             "workers_female": found.get(code, (0, 0, 0))[2]}
            for code, label in SEX_LABELS.items()]


def panel_rounds(conn: Conn, f: StatFilter, regions: Regions) -> list[dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for round_id, status, n, wm, wf in store.cells(conn, "status", f, "round"):
        row = out.setdefault(round_id, {"id": round_id, "applications": 0, "issued": 0,
                                        "referred": 0, "workers": 0})
        row["applications"] += n
        row["workers"] += wm + wf
        if status in ISSUED:
            row["issued"] += n
        elif status == REFERRED:
            row["referred"] += n
    names = store.rounds_by_ids(conn, out)
    for round_id, row in out.items():
        r = names.get(round_id)
        if r is None:
            row["label"] = "Tanpa sesi keliling" if round_id == 0 else f"Sesi #{round_id}"
            row["day"] = ""
        else:
            row["day"] = r["day"]
            row["label"] = (f"{r['day']} · {regions.kecamatan_name(r['kecamatan']) or ''}"
                            f" · {r['place']}")
    return sorted(out.values(), key=lambda r: (r["day"], r["id"]), reverse=True)[:100]


def panel_officers(conn: Conn, f: StatFilter, _: Regions) -> list[dict[str, Any]]:
    rows = [(int(v), n, wm + wf) for v, n, wm, wf in store.cells(conn, "officer", f)]
    names = store.user_names(conn, (r[0] for r in rows))
    return sorted(({"name": names.get(i, "Tanpa petugas" if i == 0 else f"Pengguna #{i}"),
                    "applications": n, "workers": w} for i, n, w in rows),
                  key=lambda r: (-r["applications"], r["name"]))


def panel_nib_time(conn: Conn, f: StatFilter, _: Regions) -> dict[str, Any]:
    """Capture to NIB: median and 90th percentile, overall and per month."""
    per_month: dict[str, list[tuple[int, int]]] = {}
    for month, value, n, _wm, _wf in store.cells(conn, "nib_time", f, "month"):
        per_month.setdefault(month, []).append((int(value), n))
    overall: dict[int, int] = {}
    for pairs in per_month.values():
        for value, n in pairs:
            overall[value] = overall.get(value, 0) + n
    months = []
    for month in sorted(per_month):
        pairs = per_month[month]
        months.append({"month": month, "label": month_label(month),
                       "count": sum(n for _, n in pairs),
                       "median": percentile(pairs, 0.5), "p90": percentile(pairs, 0.9)})
    return {"count": sum(overall.values()), "median": percentile(overall.items(), 0.5),
            "p90": percentile(overall.items(), 0.9), "months": months}


def panel_outages(conn: Conn, f: StatFilter, _: Regions) -> list[dict[str, Any]]:
    since = _wib_month_start(f.month_from)
    until = _wib_month_start(_next_month(f.month_to))
    out = []
    for row in store.outages(conn, since, until):
        end = row["ended_at"]
        seconds = None
        if end:
            seconds = int((datetime.fromisoformat(end)
                           - datetime.fromisoformat(row["started_at"])).total_seconds())
        out.append({"start": row["started_at"], "end": end, "reason": row["reason"],
                    "duration": duration_label(seconds) if end else "masih berlangsung",
                    "max_queue": row["max_queue"]})
    return out


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def _wib_month_start(month: str) -> str:
    """Midnight WIB on the first of ``month``, as stored times are written (UTC ISO)."""
    return iso(datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=WIB).astimezone(UTC))


def panel_referrals(conn: Conn, f: StatFilter, _: Regions) -> list[dict[str, Any]]:
    """Referrals per partner agency and their outcomes (the applications' month, kecamatan
    and round), from the trigger-kept summary ``stat_referral_cells``."""
    out: dict[str, dict[str, Any]] = {}
    for agency, status, n in referral_store.per_agency(conn, f):
        row = out.setdefault(agency, {"agency": agency, "total": 0,
                                      "statuses": dict.fromkeys(REFERRAL_LABELS, 0)})
        row["total"] += n
        row["statuses"][status] = row["statuses"].get(status, 0) + n
    return list(out.values())


PANELS: dict[str, Callable[[Conn, StatFilter, Regions], Any]] = {
    "monthly": panel_monthly, "kecamatan": panel_kecamatan, "desa": panel_desa,
    "kbli": panel_kbli, "sex": panel_sex, "rounds": panel_rounds, "officers": panel_officers,
    "nib_time": panel_nib_time, "outages": panel_outages, "referrals": panel_referrals,
}


def dashboard(conn: Conn, f: StatFilter, regions: Regions) -> dict[str, Any]:
    """Every panel of /admin/statistik, read in one go."""
    return {name: panel(conn, f, regions) for name, panel in PANELS.items()}


# -- the public page: aggregates only, small cells hidden (app/domain/disclosure.py) -------
def public(conn: Conn, f: StatFilter, regions: Regions) -> dict[str, Any]:
    pc, ps = disclosure.public_count, disclosure.public_sum
    months = panel_monthly(conn, f, regions)
    total = sum(m.applications for m in months)
    issued = sum(m.issued for m in months)
    micro = sum(m.scales.get(Scale.MIKRO.value, 0) for m in months)
    small = sum(m.scales.get(Scale.KECIL.value, 0) for m in months)
    workers_m = sum(m.workers_male for m in months)
    workers_f = sum(m.workers_female for m in months)
    nib = panel_nib_time(conn, f, regions)
    show_time = disclosure.public_median_allowed(nib["count"])
    return {
        "months": [{"label": m.label, "applications": pc(m.applications),
                    "issued": pc(m.issued),
                    "micro": pc(m.scales.get(Scale.MIKRO.value, 0)),
                    "small": pc(m.scales.get(Scale.KECIL.value, 0)),
                    "workers": ps(m.workers_male + m.workers_female, m.applications)}
                   for m in months],
        "totals": {"applications": pc(total), "issued": pc(issued), "micro": pc(micro),
                   "small": pc(small), "workers_male": ps(workers_m, total),
                   "workers_female": ps(workers_f, total),
                   "workers": ps(workers_m + workers_f, total)},
        "kecamatan": [{"name": k["name"], "applications": pc(k["applications"]),
                       "issued": pc(k["issued"]),
                       "workers": ps(k["workers"], k["applications"])}
                      for k in panel_kecamatan(conn, f, regions)],
        "kbli": [{"section": k["section"], "title": k["title"],
                  "applications": pc(k["applications"])}
                 for k in panel_kbli(conn, f, regions)],
        "sex": [{"label": s["label"], "applications": pc(s["applications"])}
                for s in panel_sex(conn, f, regions)],
        "nib_median": duration_label(nib["median"]) if show_time else None,
        "nib_p90": duration_label(nib["p90"]) if show_time else None,
    }


# -- coverage ------------------------------------------------------------------------------
def coverage(conn: Conn, regions: Regions, today: date) -> list[CoverageRow]:
    registered = store.registered_by_kecamatan(conn, ISSUED)
    potentials = store.potentials(conn)
    last = store.last_done_round(conn)
    rows = [CoverageRow(k.code, k.name, int(registered.get(k.code, 0)),
                        potentials.get(k.code),
                        date.fromisoformat(last[k.code]) if k.code in last else None)
            for k in regions.kecamatan()]
    return rank(rows, today)


# -- exports -------------------------------------------------------------------------------
EXPORT_HEADER = (
    "kode_pelacakan", "tanggal_daftar", "status", "nik", "nama_pemilik", "jenis_kelamin",
    "nama_usaha", "kecamatan", "desa", "kbli", "skala", "modal", "tenaga_kerja_laki",
    "tenaga_kerja_perempuan", "nib", "sesi", "petugas",
)
MONTHLY_HEADER = ("bulan", "permohonan", "nib_terbit", "dilayani_di_kantor", "dibatalkan",
                  *(f"skala_{label.lower()}" for _, label in SCALES),
                  "tenaga_kerja_laki", "tenaga_kerja_perempuan")
CHUNK = 5000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class ExportRows:
    """Application rows as export cells: names for codes, the NIK masked unless asked."""

    def __init__(self, regions: Regions, full_nik: bool) -> None:
        self.full_nik = full_nik
        self._kecamatan = {k.code: k.name for k in regions.kecamatan()}
        self._desa = {d.code: d.name for d in regions.all_desa()}
        self._status = {s.value: label for s, label in STATUS_LABELS.items()}
        self._scale = dict(SCALES)

    def cells(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        (_id, code, day, status, nik, name, sex, business, kec, desa, kbli, scale, capital,
         wm, wf, nib, round_id, officer) = row
        return (
            code, day, self._status.get(status, status), nik if self.full_nik else mask_nik(nik),
            safe_text(name), SEX_LABELS.get(sex, sex), safe_text(business),
            self._kecamatan.get(kec, kec), self._desa.get(desa, desa),
            _codes(kbli), self._scale.get(scale, scale), capital, wm, wf,
            nib or "", round_id or "", officer or "",
        )


def _codes(kbli_json: str) -> str:
    """'["47111", "10792"]' -> "47111 10792" (KBLI codes are digits: no JSON parse per row)."""
    return kbli_json[1:-1].replace('"', "").replace(",", "")


def monthly_rows(months: list[MonthRow]) -> list[tuple[Any, ...]]:
    return [(m.month, m.applications, m.issued, m.referred, m.cancelled,
             *(m.scales.get(code, 0) for code, _ in SCALES), m.workers_male, m.workers_female)
            for m in months]


class StatisticsService:
    def __init__(self, db: Database, regions: Regions) -> None:
        self.db = db
        self.regions = regions

    async def dashboard(self, f: StatFilter) -> dict[str, Any]:
        return await self.db.read(dashboard, f, self.regions)

    async def public(self, f: StatFilter) -> dict[str, Any]:
        return await self.db.read(public, f, self.regions)

    async def coverage(self, today: date) -> list[CoverageRow]:
        return await self.db.read(coverage, self.regions, today)

    async def rounds_in_period(self, f: StatFilter) -> list[Any]:
        return await self.db.read(store.rounds_in_period, f"{f.month_from}-01",
                                  f"{f.month_to}-31")

    async def count(self, f: StatFilter) -> int:
        return await self.db.read(store.count_applications, f)

    async def monthly(self, f: StatFilter) -> list[MonthRow]:
        return await self.db.read(panel_monthly, f, self.regions)

    async def save_potentials(self, values: dict[str, int | None], source: str, actor: str,
                              now: str) -> int:
        return await self.db.write(store.save_potentials, values, source, actor, now)

    def csv_applications(self, f: StatFilter, full_nik: bool) -> AsyncIterator[bytes]:
        """The applications in the filter as CSV, read CHUNK rows at a time by id."""
        return csv_chunks(self.db, store.export_chunk, f, EXPORT_HEADER,
                          ExportRows(self.regions, full_nik).cells)


ReadChunk = Callable[[Conn, StatFilter, int, int], list[tuple[Any, ...]]]


async def csv_chunks(db: Database, read_chunk: ReadChunk, f: StatFilter,
                     header: tuple[str, ...], cells: Callable[[tuple[Any, ...]], tuple[Any, ...]]
                     ) -> AsyncIterator[bytes]:
    """An export as CSV: the header, then ``read_chunk``'s rows in the filter CHUNK at a time
    after the last one's id (each row's first value), as ``cells`` writes them; one piece of
    bytes a chunk, so memory stays flat however many rows there are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    after = 0
    while True:
        chunk = await db.read(read_chunk, f, after, CHUNK)
        if not chunk:
            break
        after = chunk[-1][0]
        writer.writerows(cells(r) for r in chunk)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def csv_bytes(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


# -- charts (geometry in app/domain/charts.py, drawn by web/macros/chart.html) -------------
def admin_charts(d: dict[str, Any]) -> dict[str, charts.Chart]:
    return {
        "monthly": charts.columns([(m.label, (m.applications, m.issued)) for m in d["monthly"]],
                                  ("Permohonan", "NIB terbit")),
        "kecamatan": charts.hbars([(k["name"], k["applications"], str(k["applications"]))
                                   for k in d["kecamatan"]]),
        "kbli": charts.hbars([(f"{k['section']} {k['title']}", k["applications"],
                               str(k["applications"])) for k in d["kbli"]]),
        "sex": charts.hbars([(s["label"], s["applications"], str(s["applications"]))
                             for s in d["sex"]]),
        "referrals": charts.hbars([(r["agency"], r["total"], str(r["total"]))
                                   for r in d["referrals"]]),
    }


def public_charts(p: dict[str, Any]) -> dict[str, charts.Chart]:
    draw = disclosure.drawable
    return {
        "monthly": charts.columns([(m["label"], (draw(m["applications"]), draw(m["issued"])))
                                   for m in p["months"]], ("Permohonan", "NIB terbit")),
        "kecamatan": charts.hbars([(k["name"], draw(k["applications"]), str(k["applications"]))
                                   for k in p["kecamatan"]]),
        "kbli": charts.hbars([(f"{k['section']} {k['title']}", draw(k["applications"]),
                               str(k["applications"])) for k in p["kbli"]]),
        "sex": charts.hbars([(s["label"], draw(s["applications"]), str(s["applications"]))
                             for s in p["sex"]]),
    }
