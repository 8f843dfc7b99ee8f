"""A round's report (/petugas/jadwal/{id}/laporan) for admins and the round's officers:
the applications taken there by outcome and KBLI section, and its CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from app.db.users import User
from app.reference.kbli_sections import section_name
from app.routes.deps import RoundsServiceDep, UserDep
from app.routes.pages import render
from app.security import require_officer
from app.services.rounds import RoundsService

MSG_NOT_YOURS = "Laporan ini hanya untuk admin dan petugas sesi tersebut."


class JadwalPetugasController(Controller):
    path = "/petugas/jadwal"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    async def _allowed(self, rounds: RoundsService, round_id: int, user: User) -> bool:
        return await rounds.may_see_report(round_id, user.id, user.is_admin)

    @get("/{round_id:int}/laporan", name="jadwal_laporan")
    async def laporan(self, request: Request[Any, Any, Any], round_id: FromPath[int],
                      rounds: RoundsServiceDep, user: UserDep) -> Any:
        view = await rounds.get(round_id)
        if view is None or not await self._allowed(rounds, round_id, user):
            return render(request, "error.html", 404 if view is None else 403,
                          message="Sesi tidak ditemukan." if view is None else MSG_NOT_YOURS,
                          code=404 if view is None else 403)
        return render(request, "petugas/jadwal_laporan.html", round=view,
                      report=await rounds.report(round_id), section_name=section_name)

    @get("/{round_id:int}/laporan.csv", name="jadwal_laporan_csv")
    async def laporan_csv(self, round_id: FromPath[int], rounds: RoundsServiceDep, user: UserDep
                          ) -> Response[bytes]:
        view = await rounds.get(round_id)
        if view is None or not await self._allowed(rounds, round_id, user):
            return Response(b"", status_code=404 if view is None else 403)
        report = await rounds.report(round_id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(("Kategori KBLI", "Nama kategori", "Permohonan", "NIB terbit",
                         "Menunggu", "Dilayani di kantor"))
        for s in report.sections:
            writer.writerow((s.section, section_name(s.section), s.taken, s.issued, s.waiting,
                             s.referred))
        writer.writerow(("Jumlah", "", report.taken, report.issued, report.waiting,
                         report.referred))
        return Response(("\ufeff" + out.getvalue()).encode("utf-8"),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="laporan-sesi-{round_id}.csv"'})
