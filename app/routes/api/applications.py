"""JSON API for the phone's outbox (the service worker replays queued applications here).

Documented in docs/api.md. Every answer is JSON, errors included, with a message in
Bahasa Indonesia the phone can show as it is.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post

from app.http_errors import user_error
from app.routes.deps import IntakeServiceDep, SettingsDep, UserDep
from app.routes.json_body import json_body
from app.security import intake_json_api
from app.services.intake import IntakeResult

JSON = "application/json"


def _json(status_code: int, body: str, **headers: str) -> Response[bytes]:
    return Response(content=body.encode(), status_code=status_code, media_type=JSON,
                    headers=headers or None)


class ApplicationsApi(Controller):
    path = "/api/applications"
    guards = [intake_json_api]  # noqa: RUF012
    tags = ["applications"]  # noqa: RUF012

    @post("/", status_code=201, summary="Take one application, exactly once")
    async def create(self, request: Request[Any, Any, Any], intake: IntakeServiceDep,
                     user: UserDep) -> Response[bytes]:
        body = await json_body(request)
        key = request.headers.get("idempotency-key")
        result = await intake.submit(user.id, user.username, key, body)
        return _result_response(result)

    @post("/batch", status_code=200, summary="Take many queued applications in one request")
    async def batch(self, request: Request[Any, Any, Any], intake: IntakeServiceDep,
                    settings: SettingsDep, user: UserDep) -> Response[bytes]:
        body = await json_body(request)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise user_error(400, "bad_batch", 'Kirim {"items": [{"id": ..., "body": {...}}]}.')
        if len(items) > settings.max_batch_items:
            raise user_error(
                413, "batch_too_large",
                f"Paling banyak {settings.max_batch_items} permohonan per kiriman.",
            )
        pairs = [
            (item.get("id"), item.get("body")) if isinstance(item, dict) else (None, None)
            for item in items
        ]
        results = await intake.submit_many(user.id, user.username, pairs)
        parts = [f'{{"status":{r.status_code},"body":{r.body}}}' for r in results]
        return _json(200, '{"results":[' + ",".join(parts) + "]}")


def _result_response(result: IntakeResult) -> Response[bytes]:
    if result.status_code == 200:
        return _json(200, result.body, **{"Idempotent-Replayed": "true"})
    return _json(result.status_code, result.body)
