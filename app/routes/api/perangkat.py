"""POST /api/perangkat: the phone's device credential, handed out once right after login.

The phone keeps it in IndexedDB (sw/replay.js) and sends it as ``Authorization: Device
<token>`` with its queued applications, so a session that ended while it had no signal
does not hold the queue back. docs/api.md says what it may do (only that).
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, post

from app.http_errors import user_error
from app.routes.deps import AccountsDep, ActorDep, UserDep
from app.security import officer_json_api


class PerangkatApi(Controller):
    path = "/api/perangkat"
    guards = [officer_json_api]  # noqa: RUF012  (a session; a device credential is refused)
    include_in_schema = False

    @post("/", status_code=201)
    async def issue(self, request: Request[Any, Any, Any], accounts: AccountsDep, actor: ActorDep,
                    user: UserDep) -> Response[bytes]:
        try:
            data = json.loads(await request.body() or b"{}")
        except (UnicodeDecodeError, ValueError):
            data = {}
        replaces = data.get("replaces") if isinstance(data, dict) else None
        grant = await accounts.issue_device(
            request.scope["state"].get("session_token"), user,
            replaces if isinstance(replaces, str) else None, actor)
        if isinstance(grant, str):
            raise user_error(403, "session_not_fresh", grant)
        body = {"token": grant.token, "expires_at": grant.expires_at}
        return Response(content=json.dumps(body).encode(), status_code=201,
                        media_type="application/json")
