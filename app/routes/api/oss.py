"""receiveNIB, served to OSS's PIA spec: OSS pushes each NIB of our area here."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, post

from app.domain.json_input import BadJson, parse_json
from app.oss.pia import MSG_BAD_BODY, receive_answer
from app.routes.deps import OssServiceDep

JSON = "application/json"


class PiaController(Controller):
    """Called by OSS, not by people: no session, no CSRF token (``/api/`` is exempt); the
    SHA1 token in header ``Token`` is the authentication."""

    path = "/api/oss"
    include_in_schema = False

    @post("/receiveNIB", status_code=200)
    async def receive_nib(self, request: Request[Any, Any, Any], oss: OssServiceDep
                          ) -> Response[bytes]:
        raw = await request.body()
        try:
            parse_json(raw)  # refuses nesting that would crash the parser before OSS's code
        except BadJson:
            status, answer = 400, receive_answer(False, MSG_BAD_BODY)
        else:
            status, answer = await oss.receive_nib(request.headers.get("token"), raw)
        return Response(content=json.dumps(answer).encode(), status_code=status, media_type=JSON)
