"""The JSON API's body reader: ``app.domain.json_input.parse_json`` answering 400 in JSON."""

from __future__ import annotations

from typing import Any

from litestar import Request

from app.domain.json_input import BadJson, parse_json
from app.http_errors import user_error


async def json_body(request: Request[Any, Any, Any]) -> Any:
    raw = await request.body()  # over the size limit: Litestar answers 413 here
    try:
        return parse_json(raw)
    except BadJson as exc:
        raise user_error(400, "bad_json", exc.message) from None
