"""The satisfaction survey by link (/survei/<token>): one response per application, once
its NIB is issued. The token is the signed application id (app/notify/tokens.py)."""

from __future__ import annotations

import math
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath

from app.domain.ikm import ELEMENTS, PROFILE, read_answers
from app.domain.public_forms import client_id as read_client_id
from app.domain.public_forms import is_bot
from app.routes.deps import PublicFormLimitsDep, SurveyServiceDep
from app.routes.pages import render, see_other
from app.security import client_address
from app.services.surveys import OPEN_STATUSES

MAX_VALUE = 100  # any one value of the form is cut to this before it is read


def _form_page(request: Request[Any, Any, Any], token: str, code: str,
               values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Any:
    return render(request, "citizen/survei.html", status_code, token=token, code=code,
                  elements=ELEMENTS, profile_options=PROFILE, values=values, errors=errors)


def _note(request: Request[Any, Any, Any], status_code: int, title: str, message: str) -> Any:
    return render(request, "citizen/survei_info.html", status_code, title=title,
                  message=message)


NOT_FOUND = ("Tautan survei tidak dikenal", "Periksa kembali tautan dari WhatsApp atau "
             "notifikasi. Bila masih gagal, buka halaman Cek status.")
NOT_YET = ("Survei belum dibuka", "Survei kepuasan dibuka setelah NIB Anda terbit. Kami akan "
           "mengirim tautannya lewat WhatsApp dan notifikasi.")
DONE = ("Terima kasih", "Survei untuk permohonan ini sudah diisi. Terima kasih atas "
        "penilaian Anda: jawaban Anda membantu kami memperbaiki layanan.")
ALREADY = ("Survei sudah diisi", "Survei untuk permohonan ini sudah pernah diisi, jadi "
           "jawaban ini tidak kami simpan lagi. Terima kasih atas perhatian Anda.")
THANKS = ("Terima kasih", "Jawaban Anda sudah kami terima.")


class SurveiController(Controller):
    path = "/survei"
    include_in_schema = False

    @get("/{token:str}", name="survei")
    async def page(self, request: Request[Any, Any, Any], token: FromPath[str],
                   surveys: SurveyServiceDep) -> Any:
        app = await surveys.application_for(token)
        if app is None:
            return _note(request, 404, *NOT_FOUND)
        if app["status"] not in OPEN_STATUSES:
            return _note(request, 200, *NOT_YET)
        if await surveys.answered(app["id"]):
            return _note(request, 200, *DONE)
        return _form_page(request, token, app["tracking_code"],
                          {"client_id": str(uuid.uuid4())}, {})

    @post("/{token:str}")
    async def answer(self, request: Request[Any, Any, Any], token: FromPath[str],
                     surveys: SurveyServiceDep, form_limits: PublicFormLimitsDep) -> Any:
        form = await request.form()
        if is_bot(form):
            return _note(request, 200, *THANKS)
        values = {k: str(form.get(k, ""))[:MAX_VALUE]
                  for k in ("client_id", *(e.code for e in ELEMENTS), *PROFILE)}
        app = await surveys.application_for(token)
        if app is None:
            return _note(request, 404, *NOT_FOUND)
        if app["status"] not in OPEN_STATUSES:
            return _note(request, 409, *NOT_YET)
        wait = await form_limits.client_wait(client_address(request))
        if wait is not None:
            page = _note(request, 429, "Terlalu banyak kiriman",
                         "Terlalu banyak kiriman dari perangkat atau jaringan ini hari ini. "
                         "Coba lagi besok.")
            page.headers["Retry-After"] = str(math.ceil(wait))
            return page
        answers, errors = read_answers(values)
        key = read_client_id(values["client_id"]) or str(uuid.uuid4())
        if answers is None:
            return _form_page(request, token, app["tracking_code"], {**values, "client_id": key},
                              errors, 422)
        outcome = await surveys.submit(answers, key, "link", application_id=app["id"],
                                       round_id=app["round_id"], kecamatan=app["kecamatan"])
        if outcome in ("created", "replay"):
            return see_other(request, f"/survei/{token}")
        return _note(request, 409, *ALREADY)
