"""The notification service the routes use: keys, subscriptions, tokens, WhatsApp text."""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.clock import now_iso
from app.db import push as store
from app.db.connection import Database
from app.notify import whatsapp
from app.notify.notifier import Notifier
from app.notify.push import PushSender, VapidKeys
from app.notify.tokens import LookupTokens
from app.settings import Settings

MSG_BAD_SUBSCRIPTION = "Data langganan notifikasi tidak sah. Muat ulang halaman lalu coba lagi."




@dataclass(frozen=True)
class SubscriptionIn:
    endpoint: str
    p256dh: str
    auth: str


def _b64_len(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return -1


class NotifyService:
    def __init__(self, settings: Settings, db: Database, secret: str) -> None:
        self.settings = settings
        self.db = db
        self.keys = VapidKeys.load(settings.data_dir, settings.vapid_private_key,
                                   settings.vapid_public_key)
        self.sender = PushSender(self.keys, settings.vapid_subject, settings.push_ttl_s)
        self.notifier = Notifier(settings, db, self.sender)
        self.tokens = LookupTokens(secret)

    @property
    def public_key(self) -> str:
        return self.keys.public_key

    def start(self) -> None:
        self.notifier.start()

    async def stop(self) -> None:
        await self.notifier.stop()

    def parse_subscription(self, data: object) -> SubscriptionIn | None:
        """A PushSubscription.toJSON() we accept, or None."""
        if not isinstance(data, dict):
            return None
        endpoint, keys = data.get("endpoint"), data.get("keys")
        if not isinstance(endpoint, str) or not isinstance(keys, dict) or len(endpoint) > 1000:
            return None
        p256dh, auth = keys.get("p256dh"), keys.get("auth")
        if not isinstance(p256dh, str) or not isinstance(auth, str):
            return None
        parts = urlsplit(endpoint)
        allowed = ("https", "http") if self.settings.push_allow_http else ("https",)
        if parts.scheme not in allowed or not parts.hostname or parts.username:
            return None
        # p256dh: an uncompressed P-256 point (65 bytes); auth: 16 random bytes.
        if _b64_len(p256dh) != 65 or _b64_len(auth) != 16:
            return None
        return SubscriptionIn(endpoint, p256dh, auth)

    async def subscribe(self, sub: SubscriptionIn, user_id: int | None = None,
                        application_id: int | None = None, kecamatan: str | None = None
                        ) -> None:
        await self.db.write(store.subscribe, sub.endpoint, sub.p256dh, sub.auth, user_id,
                            application_id, now_iso(), kecamatan)

    async def unsubscribe(self, endpoint: str, user_id: int | None = None,
                          application_id: int | None = None, kecamatan: str | None = None
                          ) -> bool:
        return await self.db.write(store.unsubscribe, endpoint, user_id, application_id,
                                   kecamatan)

    async def is_subscribed(self, endpoint: str, user_id: int | None = None,
                            application_id: int | None = None, kecamatan: str | None = None
                            ) -> bool:
        return await self.db.read(store.is_subscribed, endpoint, user_id, application_id,
                                  kecamatan)

    # -- WhatsApp ----------------------------------------------------------------------------
    async def whatsapp_template(self) -> str:
        stored = await self.db.read(store.get_setting, whatsapp.SETTING_KEY)
        return stored or whatsapp.DEFAULT_TEMPLATE

    async def set_whatsapp_template(self, text: str, actor: str) -> None:
        await self.db.write(store.set_setting, whatsapp.SETTING_KEY, text.strip(), actor, now_iso())

    def status_link(self, tracking_code: str) -> str:
        return f"{self.settings.base_url}/cek?kode={tracking_code}"

    async def whatsapp_view(self, row: sqlite3.Row) -> dict[str, object] | None:
        """The hand-off button's link and the hand-offs so far, for an issued application."""
        if row["status"] not in ("issued", "notified") or not row["nib"]:
            return None
        template = await self.whatsapp_template()
        message = whatsapp.fill(template, row["nib"], row["business_name"],
                                self.status_link(row["tracking_code"]))
        handoffs = await self.db.read(store.whatsapp_handoffs, row["id"])
        return {"link": whatsapp.wa_link(row["phone"], message),
                "message": message, "handoffs": handoffs,
                "can_mark": row["status"] == "issued"}

    async def mark_whatsapp_sent(self, application_id: int, actor: str) -> None:
        await self.db.write(store.record_whatsapp_handoff, application_id, actor, now_iso())

    async def officer_summary(self, officer_id: int, start: str, end: str
                              ) -> list[tuple[str, int]]:
        return await self.db.read(store.officer_day_summary, officer_id, start, end)
