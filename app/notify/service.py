"""The notification service the routes use: keys, subscriptions, tokens, WhatsApp text."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from app.clock import iso, now_iso, utc_now
from app.db import push as store
from app.db.connection import Database
from app.domain.push_endpoint import Target, check_endpoint
from app.domain.status import HOLDS_NIB, Status
from app.domain.throttle import client_key
from app.notify import whatsapp
from app.notify.endpoints import EndpointRefused, resolve_checked
from app.notify.notifier import Notifier
from app.notify.push import PushSender, Subscription, VapidKeys
from app.notify.tokens import LookupTokens, SurveyTokens
from app.settings import Settings

MSG_BAD_SUBSCRIPTION = "Data langganan notifikasi tidak sah. Muat ulang halaman lalu coba lagi."
CLIENT_CAP_WINDOW = timedelta(days=1)

SubscribeOutcome = Literal["subscribed", "application_full", "client_full", "refused",
                           "unresolved"]

@dataclass(frozen=True)
class CheckedSubscription(Subscription):
    """A subscription a phone offered, with where sending to it connects (checked against
    the allowlist)."""

    target: Target


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
        self.sender = PushSender(self.keys, settings.vapid_subject, settings.push_ttl_s,
                                 settings.push_policy,
                                 connections=max(10, settings.push_concurrency))
        self.tokens = LookupTokens(secret)
        self.survey_tokens = SurveyTokens(secret)
        self.notifier = Notifier(settings, db, self.sender, self.survey_path)
        self._client_secret = hashlib.sha256(f"push-client:{secret}".encode()).digest()

    @property
    def public_key(self) -> str:
        return self.keys.public_key

    def start(self) -> None:
        self.notifier.start()

    async def stop(self) -> None:
        await self.notifier.stop()

    def parse_subscription(self, data: object) -> CheckedSubscription | None:
        """A PushSubscription.toJSON() we accept, or None."""
        if not isinstance(data, dict):
            return None
        endpoint, keys = data.get("endpoint"), data.get("keys")
        if not isinstance(endpoint, str) or not isinstance(keys, dict) or len(endpoint) > 1000:
            return None
        p256dh, auth = keys.get("p256dh"), keys.get("auth")
        if not isinstance(p256dh, str) or not isinstance(auth, str):
            return None
        target = check_endpoint(endpoint, self.settings.push_policy)
        if target is None:
            return None
        # p256dh: an uncompressed P-256 point (65 bytes); auth: 16 random bytes.
        if _b64_len(p256dh) != 65 or _b64_len(auth) != 16:
            return None
        return CheckedSubscription(endpoint, p256dh, auth, target)

    def client_hash(self, address: str) -> str:
        """What a push link keeps of the client that made it: a keyed hash of its address
        (IPv6: its /64), enough to count, not to tell who it was."""
        key = client_key(address).encode()
        return hmac.new(self._client_secret, key, hashlib.sha256).hexdigest()[:32]

    async def subscribe(self, sub: CheckedSubscription, client: str, user_id: int | None = None,
                        application_id: int | None = None, kecamatan: str | None = None
                        ) -> SubscribeOutcome:
        """Check where the endpoint's name points now, then store it within the caps."""
        try:
            await asyncio.to_thread(resolve_checked, sub.target.host, sub.target.port,
                                    self.settings.push_policy)
        except EndpointRefused:
            return "refused"
        except OSError:  # socket.gaierror and friends: DNS trouble, not the phone's fault
            return "unresolved"
        now = utc_now()
        return await self.db.write(
            store.subscribe, sub.endpoint, sub.p256dh, sub.auth, user_id, application_id,
            iso(now), self.client_hash(client), self.settings.push_max_per_application,
            self.settings.push_max_per_client, iso(now - CLIENT_CAP_WINDOW), kecamatan)

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

    def status_link(self, tracking_code: str, base_url: str | None = None) -> str:
        return f"{base_url or self.settings.base_url}/cek?kode={tracking_code}"

    def survey_path(self, application_id: int) -> str:
        """The satisfaction survey of one application (/survei/<signed id>)."""
        return f"/survei/{self.survey_tokens.issue(application_id)}"

    def survey_link(self, application_id: int, base_url: str | None = None) -> str:
        return (base_url or self.settings.base_url) + self.survey_path(application_id)

    async def whatsapp_view(self, row: sqlite3.Row, base_url: str | None = None
                            ) -> dict[str, object] | None:
        """The hand-off button's link and the hand-offs so far, for an issued application."""
        if row["status"] not in HOLDS_NIB or not row["nib"]:
            return None
        template = await self.whatsapp_template()
        message = whatsapp.fill(template, row["nib"], row["business_name"],
                                self.status_link(row["tracking_code"], base_url),
                                self.survey_link(row["id"], base_url))
        handoffs = await self.db.read(store.whatsapp_handoffs, row["id"])
        return {"link": whatsapp.wa_link(row["phone"], message),
                "message": message, "handoffs": handoffs,
                "can_mark": row["status"] == Status.ISSUED}

    async def mark_whatsapp_sent(self, application_id: int, actor: str) -> None:
        await self.db.write(store.record_whatsapp_handoff, application_id, actor, now_iso())

    async def officer_summary(self, officer_id: int, start: str, end: str
                              ) -> list[tuple[str, int]]:
        return await self.db.read(store.officer_day_summary, officer_id, start, end)
