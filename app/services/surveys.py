"""The satisfaction survey: the link of one application, answers stored once, the index."""

from __future__ import annotations

import sqlite3
from typing import Literal

from app.clock import local_day, now_iso, utc_now
from app.db import surveys as store
from app.db.connection import Database
from app.db.surveys import NewResponse, Outcome, Scope
from app.domain.ikm import PROFILE, IkmResult, SurveyAnswers, from_sums
from app.domain.public_forms import body_hash
from app.domain.status import HOLDS_NIB
from app.notify.service import NotifyService

# The survey opens when the NIB is there: issued, or issued and handed over on WhatsApp.
OPEN_STATUSES = tuple(HOLDS_NIB)


class SurveyService:
    def __init__(self, db: Database, notify: NotifyService) -> None:
        self.db = db
        self.notify = notify

    def path(self, application_id: int) -> str:
        return self.notify.survey_path(application_id)

    async def application_for(self, token: str) -> sqlite3.Row | None:
        app_id = self.notify.survey_tokens.verify(token)
        if app_id is None:
            return None
        return await self.db.read(store.application_brief, app_id)

    async def answered(self, application_id: int) -> bool:
        return await self.db.read(store.answered, application_id)

    async def submit(self, answers: SurveyAnswers, client_id: str,
                     channel: Literal["link", "kiosk"], application_id: int | None = None,
                     round_id: int | None = None, kecamatan: str | None = None,
                     officer_id: int | None = None) -> Outcome:
        digest = body_hash({"scores": list(answers.scores), "profile": answers.profile,
                            "application": application_id, "round": round_id,
                            "kecamatan": kecamatan})
        new = NewResponse(client_id, digest, channel, application_id, round_id, kecamatan,
                          officer_id, answers.scores,
                          {k: answers.profile.get(k) for k in PROFILE})
        return await self.db.write(store.insert_response, new, local_day(utc_now()), now_iso())

    async def result(self, scope: Scope) -> IkmResult:
        count, sums = await self.db.read(store.sums, scope)
        return from_sums(count, sums)

    async def results_by(self, column: Literal["kecamatan", "round_id"], scope: Scope
                         ) -> list[tuple[object, IkmResult]]:
        rows = await self.db.read(store.sums_by, column, scope)
        return [(key, from_sums(count, sums)) for key, count, sums in rows]

    async def responses(self, scope: Scope) -> list[sqlite3.Row]:
        return await self.db.read(store.responses, scope)

    async def years(self) -> list[int]:
        return await self.db.read(store.years)
