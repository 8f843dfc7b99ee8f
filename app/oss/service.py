"""OSS as a running part of the web app: the forwarder's lifecycle, the checkNIB client and
receiveNIB (OSS pushing a NIB to us).

What pages show about OSS is in ``app/oss/pages.py``; what operators do in
``app/oss/desk.py``. Controllers stay thin: they call one method and render what it returns.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from app.clock import iso, utc_now
from app.db import oss as oss_store
from app.db.connection import Database
from app.oss.forwarder import Forwarder, build_gateway, forwarder_config
from app.oss.gateway import NibCheck
from app.oss.http_gateway import PiaClient
from app.oss.pia import (
    MSG_BAD_BODY,
    MSG_BAD_TOKEN,
    MSG_NIB_OTHER_NIK,
    MSG_NO_NIB,
    MSG_NOT_CONFIGURED,
    MSG_RECEIVED,
    payload_digest,
    read_pushed_nib,
    receive_answer,
    token_valid,
)
from app.settings import Settings

log = logging.getLogger(__name__)


class OssService:
    def __init__(self, settings: Settings, db: Database, kbli_title: Any) -> None:
        self.settings = settings
        self._db = db
        self._title = kbli_title
        self.forwarder: Forwarder | None = None
        self._checker: PiaClient | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        settings = self.settings
        if settings.oss_user_key and settings.pia_base_url:
            self._checker = PiaClient(settings.pia_base_url, user_key=settings.oss_user_key,
                                      connect_timeout_s=settings.oss_connect_timeout_s,
                                      read_timeout_s=min(settings.oss_read_timeout_s, 15.0))
        if settings.oss_forwarder:
            self.forwarder = Forwarder(self._db, build_gateway(settings),
                                       forwarder_config(settings), self._title)
            self.forwarder.start()

    async def stop(self) -> None:
        if self.forwarder is not None:
            await self.forwarder.stop()
            self.forwarder = None
        if self._checker is not None:
            await self._checker.aclose()
            self._checker = None

    def wake(self) -> None:
        if self.forwarder is not None:
            self.forwarder.wake()

    # -- receiveNIB ----------------------------------------------------------------------------
    async def receive_nib(self, token: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        settings = self.settings
        if not (settings.pia_username and settings.pia_password):
            return 503, receive_answer(False, MSG_NOT_CONFIGURED)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return 400, receive_answer(False, MSG_BAD_BODY)
        data = body.get("dataNIB") if isinstance(body, dict) else None
        pushed = read_pushed_nib(data)
        if pushed is None:
            return 400, receive_answer(False, MSG_NO_NIB)
        now = utc_now()
        if not token_valid(token, settings.pia_username, settings.pia_password, pushed.nib, now):
            log.warning("receiveNIB refused: wrong token")
            return 401, receive_answer(False, MSG_BAD_TOKEN)
        result = await self._db.write(oss_store.apply_push, pushed,
                                      json.dumps(data, ensure_ascii=False),
                                      payload_digest(data), iso(now))
        if result.match is None:
            # the token covers the NIB and the date only: a replay with another NIK
            log.warning("receiveNIB refused: the NIB is recorded for another NIK")
            return 409, receive_answer(False, MSG_NIB_OTHER_NIK)
        log.info("receiveNIB push %s: %s%s", result.push_id, result.match.kind,
                 " (repeated)" if result.repeat else "")
        return 200, receive_answer(True, MSG_RECEIVED)

    async def check_nib(self, nib: str) -> NibCheck | None:
        """checkNIB when credentials are configured; None when they are not."""
        if self._checker is None:
            return None
        return await self._checker.check_nib(nib)
