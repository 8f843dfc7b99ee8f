"""The survey kiosk's answers as JSON (POST /api/survei), exactly once per
Idempotency-Key: a replayed answer is 200, the same key with other answers 409."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post

from app.db import service_refs
from app.domain.ikm import read_answers
from app.domain.public_forms import client_id as read_client_id
from app.http_errors import user_error
from app.routes.deps import DatabaseDep, RegionsDep, SurveyServiceDep, UserDep
from app.routes.json_body import json_body
from app.security import officer_json_api

MSG_KEY = "Kirim header Idempotency-Key (8–64 huruf, angka, atau tanda hubung)."
MSG_KECAMATAN = "Kecamatan tidak dikenal. Pilih dari daftar."
MSG_ROUND = "Sesi layanan tidak dikenal."
MSG_CONFLICT = "Kunci ini sudah dipakai untuk jawaban lain."


class SurveiApi(Controller):
    path = "/api/survei"
    guards = [officer_json_api]  # noqa: RUF012
    include_in_schema = False

    @post("/", status_code=201)
    async def answer(self, request: Request[Any, Any, Any], surveys: SurveyServiceDep,
                     db: DatabaseDep, regions: RegionsDep,
                     user: UserDep) -> Response[dict[str, Any]]:
        key = read_client_id(request.headers.get("idempotency-key"))
        if key is None:
            raise user_error(400, "idempotency_key", MSG_KEY)
        body = await json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
            raise user_error(400, "bad_body", 'Kirim {"answers": {"u1": 1..4, ...}}.')
        answers, errors = read_answers(body["answers"])
        kecamatan = body.get("kecamatan") or None
        if kecamatan is not None and (not isinstance(kecamatan, str)
                                      or regions.kecamatan_name(kecamatan) is None):
            errors["kecamatan"] = MSG_KECAMATAN
        round_id = body.get("round_id")
        if round_id in ("", None):
            round_id = None
        elif isinstance(round_id, int) and not isinstance(round_id, bool):
            round_kecamatan = await db.read(service_refs.round_kecamatan, round_id)
            if round_kecamatan is None:
                errors["round_id"] = MSG_ROUND
            kecamatan = kecamatan or round_kecamatan
        else:
            errors["round_id"] = MSG_ROUND
        if answers is None or errors:
            return Response({"errors": errors}, status_code=422)
        outcome = await surveys.submit(answers, key, "kiosk", round_id=round_id,
                                       kecamatan=kecamatan, officer_id=user.id)
        if outcome == "conflict":
            return Response({"error": "conflict", "message": MSG_CONFLICT}, status_code=409)
        return Response({"status": "recorded"}, status_code=201 if outcome == "created" else 200,
                        headers={"Idempotent-Replayed": "true"} if outcome == "replay" else None)
