"""The officer's download of pre-registrations (GET /api/praregistrasi): the waiting
pre-registrations of the rounds she is assigned to, for check-in at the car without signal
(docs/preregistration.md)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import FromQuery

from app.http_errors import user_error
from app.routes.deps import PreregistrationServiceDep, UserDep
from app.security import officer_json_api

MSG_ROUND = "Anda tidak bertugas di sesi ini, atau sesinya sudah selesai."


class PraregistrasiApi(Controller):
    path = "/api/praregistrasi"
    guards = [officer_json_api]  # noqa: RUF012
    include_in_schema = False

    @get("/")
    async def download(self, preregistrations: PreregistrationServiceDep, user: UserDep,
                       round: FromQuery[str] = "") -> dict[str, Any]:
        round_id = None
        if round:
            if not (round.isascii() and round.isdigit() and len(round) <= 9):
                raise user_error(403, "not_assigned", MSG_ROUND)
            round_id = int(round)
        found = await preregistrations.for_officer(user.id, round_id)
        if found is None:
            raise user_error(403, "not_assigned", MSG_ROUND)
        return found
