"""Taking applications in exactly once.

Requests are validated on the event loop, then handed to one writer task that commits
everything waiting in ONE transaction (group commit) and answers each request only after
that commit. Under load this turns many fsyncs into one; alone, a request pays one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from app.clock import local_day, utc_now_iso, wib_today
from app.db import applications as store
from app.db import outbox as outbox_store
from app.db import preregistrations as prereg_store
from app.db.connection import Database
from app.domain.application import (
    ApplicationInput,
    changed_fields,
    to_columns,
    validate_application,
)
from app.domain.errors import FieldError
from app.domain.preregistration import checkin_key
from app.domain.status import LABELS, Status
from app.domain.tracking import new_tracking_code, normalize_tracking_code
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions

log = logging.getLogger(__name__)

MSG_INVALID = "Ada isian yang perlu diperbaiki. Periksa pesan di setiap kolom."
MSG_CONFLICT = (
    "Kunci permohonan ini sudah dipakai untuk data yang berbeda. Data lama tidak diubah. "
    "Buka formulir baru untuk mendaftarkan permohonan lain."
)
MSG_BAD_KEY = "Kunci permohonan (Idempotency-Key) tidak ada atau tidak sah."
MSG_RECEIVED = "Permohonan diterima dan akan dikirim ke OSS."
MSG_UNAVAILABLE = "Server sedang sibuk. Data tetap aman di HP dan akan dikirim ulang."
MSG_REFERRED = (
    "Dengan data ini usaha harus dilayani di kantor DPMPTSP (lebih dari dua KBLI atau skala "
    "di atas Kecil), jadi tidak dapat dikirim ulang dari sini."
)
SERVICES_TTL_S = 30.0  # an admin's change to the partner services is seen this soon
MSG_NOT_NEEDS_FIX = "Permohonan ini tidak sedang menunggu perbaikan."
MSG_PREREG_CONFLICT = (
    "Pra-pendaftaran ini sudah didaftarkan petugas lain dengan data yang berbeda. Data yang "
    "tersimpan tidak diubah. Periksa permohonan pemohon ini bersama petugas tersebut; "
    "jangan didaftarkan lagi."
)


@dataclass(frozen=True)
class IntakeResult:
    """The answer for one item: serialised once for the API, typed for the pages.

    ``body`` is the JSON text the API sends (for a replay: the stored first answer, byte
    for byte). A page reads the same answer through the typed attributes, which parse that
    text on first use (the API path never pays for it).
    """

    status_code: int
    body: str

    @classmethod
    def make(cls, status_code: int, body: Mapping[str, object]) -> IntakeResult:
        return cls(status_code, _dumps(body))

    @cached_property
    def _fields(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def accepted(self) -> bool:
        """Stored, now or before: the phone may forget its copy."""
        return self.status_code in (200, 201)

    @property
    def client_id(self) -> str | None:
        return self._fields.get("id")

    @property
    def tracking_code(self) -> str | None:
        return self._fields.get("tracking_code") if self.accepted else None

    @property
    def status(self) -> str | None:
        return self._fields.get("status")

    @property
    def message(self) -> str:
        return str(self._fields.get("message") or "")

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._fields.get("errors") or {})


@dataclass(slots=True)
class _Pending:
    client_id: str
    data: ApplicationInput
    request_hash: str
    officer_id: int
    actor: str
    future: asyncio.Future[store.InsertOutcome]
    proposed_code: str | None = None  # minted by the phone; kept when free (see api.md)
    prereg_code: str | None = None  # the pre-registration this application checks in


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_client_id(raw: object) -> str | None:
    """The client's UUID in canonical lower-case form, or None when it is not a UUID."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    if _CANONICAL_UUID.fullmatch(raw):  # what phones send: already canonical
        return raw
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


# Built once: json.dumps with any option builds a new encoder on every call.
# The hash's bytes must never change (it is stored: a phone's retry must still match).
# ApplicationInput.canonical() is already in sorted key order, so sort_keys is not needed
# for the same bytes (tests/unit/test_intake_answer.py holds the formula fixed).
_CANONICAL = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_ANSWER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def proposed_code(raw: Mapping[str, object]) -> str | None:
    """The tracking code the phone minted for this application, when well-formed.

    It travels in the body as ``tracking_code`` but is not a form field: it takes no part
    in validation nor in the request hash, so a replay is judged on the application alone
    and answered with the code that was finally stored.
    """
    value = raw.get("tracking_code")
    if not isinstance(value, str) or len(value) > 16:
        return None
    try:
        return normalize_tracking_code(value)
    except FieldError:
        return None


def prereg_code(raw: Mapping[str, object], client_id: str) -> str | None:
    """The pre-registration this application checks in (``prereg_code`` in the body, like
    the proposed tracking code not a form field and not hashed), when its Idempotency-Key
    is the one derived from it (docs/preregistration.md); else None."""
    value = raw.get("prereg_code")
    if not isinstance(value, str) or len(value) > 16:
        return None
    try:
        code = normalize_tracking_code(value.removeprefix("P-").removeprefix("p-"))
    except FieldError:
        return None
    return code if checkin_key(code) == client_id else None


def request_hash(data: ApplicationInput) -> str:
    return hashlib.sha256(_CANONICAL.encode(data.canonical()).encode()).hexdigest()


def _dumps(body: Mapping[str, object]) -> str:
    return _ANSWER.encode(body)


@functools.lru_cache(maxsize=64)
def _answer_parts(status: Status, message: str, base_url: str) -> tuple[str, str, str]:
    """The constant pieces of an accepted answer, JSON-encoded once."""
    return (
        f',"status":{_dumps(status.value)},"status_label":{_dumps(LABELS[status])}'
        f',"message":{_dumps(message)},"receipt_url":"/petugas/permohonan/',
        f'","status_url":{_dumps(base_url + "/cek?kode=")[:-1]}',
        '"}',
    )


def answer_json(client_id: str, code: str, status: Status, message: str, base_url: str) -> str:
    """The first answer to an accepted application, exactly as ``_dumps`` would write it:
    the client id (a canonical UUID) and the code (its own alphabet) need no escaping."""
    middle, url, end = _answer_parts(status, message, base_url)
    return (f'{{"id":"{client_id}","tracking_code":"{code}"{middle}{code}{url}{code}{end}')


class IntakeService:
    def __init__(
        self,
        db: Database,
        kbli: KbliCatalog,
        regions: Regions,
        base_url: str,
        max_batch: int = 256,
        today: Callable[[], date] = wib_today,
    ) -> None:
        self._db = db
        self._kbli = kbli
        self._regions = regions
        self._base_url = base_url
        self._max_batch = max_batch
        self._today = today
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.on_requeued: Callable[[], None] = lambda: None  # the forwarder's wake-up
        self._rounds: set[int] = set()  # ids of rounds known to exist
        self._services: frozenset[str] = frozenset()  # codes of active partner services
        self._services_read_at = -SERVICES_TTL_S

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="intake-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- public ----------------------------------------------------------------------
    def validate(self, raw: Mapping[str, object]) -> ApplicationInput | dict[str, str]:
        return validate_application(
            raw,
            kbli_exists=self._kbli.exists,
            kecamatan_of_desa=self._regions.kecamatan_of_desa,
            today=self._today(),
            round_exists=self._rounds.__contains__,
            service_exists=self._services.__contains__,
        )

    async def learn_references(self, raws: Sequence[object]) -> None:
        """Make the rounds these items name known to ``validate`` (rounds are never deleted,
        so a round once seen stays known): one read for the ids not seen yet."""
        wanted = set()
        for raw in raws:
            value = raw.get("round_id") if isinstance(raw, Mapping) else None
            text = str(value).strip() if isinstance(value, str | int) else ""
            if text.isascii() and text.isdigit() and len(text) <= 9:
                wanted.add(int(text))
        wanted -= self._rounds
        if wanted:
            self._rounds.update(await self._db.read(store.existing_rounds, sorted(wanted)))
        asked = any(isinstance(raw, Mapping) and raw.get("referrals") for raw in raws)
        if asked and time.monotonic() - self._services_read_at > SERVICES_TTL_S:
            self._services = frozenset(await self._db.read(store.service_codes))
            self._services_read_at = time.monotonic()

    async def submit(
        self, officer_id: int, actor: str, client_id: object, raw: object
    ) -> IntakeResult:
        return (await self.submit_many(officer_id, actor, [(client_id, raw)]))[0]

    async def submit_many(
        self, officer_id: int, actor: str, items: Sequence[tuple[object, object]]
    ) -> list[IntakeResult]:
        loop = asyncio.get_running_loop()
        results: list[IntakeResult | None] = []
        waiting: list[tuple[int, _Pending]] = []
        await self.learn_references([raw for _, raw in items])
        for index, (raw_id, raw) in enumerate(items):
            client_id = parse_client_id(raw_id)
            if client_id is None:
                results.append(self._error(400, raw_id, MSG_BAD_KEY))
                continue
            if not isinstance(raw, Mapping):
                results.append(self._invalid(client_id, {"_": "Isi permohonan tidak terbaca."}))
                continue
            checked = self.validate(raw)
            if not isinstance(checked, ApplicationInput):
                results.append(self._invalid(client_id, checked))
                continue
            pending = _Pending(
                client_id, checked, request_hash(checked), officer_id, actor,
                loop.create_future(), proposed_code(raw), prereg_code(raw, client_id),
            )
            waiting.append((index, pending))
            results.append(None)
            self._queue.put_nowait(pending)
        for index, pending in waiting:
            try:
                outcome = await pending.future
            except Exception:
                log.exception("intake commit failed")
                results[index] = self._error(503, pending.client_id, MSG_UNAVAILABLE)
                continue
            results[index] = self._answer(pending.client_id, outcome,
                                          pending.prereg_code is not None)
        return [r for r in results if r is not None]

    # -- the officer's correction of an application OSS sent back ------------------------
    def check_correction(
        self, app: Mapping[str, Any], raw: Mapping[str, object]
    ) -> dict[str, str] | tuple[dict[str, Any], list[str]]:
        """The corrected columns and how a sentence names what changed, or errors per
        field (``"_"`` for the whole form)."""
        if app["status"] != Status.NEEDS_FIX:
            return {"_": MSG_NOT_NEEDS_FIX}
        checked = self.validate(raw)
        if not isinstance(checked, ApplicationInput):
            return checked
        if checked.referral_reason:
            return {"_": MSG_REFERRED}
        columns = to_columns(checked)
        return columns, changed_fields(app, columns)

    async def resubmit(
        self, app: Mapping[str, Any], raw: Mapping[str, object], actor: str
    ) -> dict[str, str] | None:
        """Save the officer's correction and queue the application for OSS again (a new
        attempt under the same reference). Returns errors per field, or None."""
        await self.learn_references([raw])
        checked = self.check_correction(app, raw)
        if isinstance(checked, dict):
            return checked
        columns, changed = checked
        reason = "Data diperbaiki petugas dan dikirim ulang ke OSS" + (
            f" (diubah: {', '.join(changed)})" if changed else " (tanpa perubahan)"
        )
        try:
            await self._db.write(
                outbox_store.resubmit, app["id"], columns, actor, reason, utc_now_iso()[0]
            )
        except store.TransitionError:
            return {"_": MSG_NOT_NEEDS_FIX}
        self.on_requeued()
        return None

    # -- answers ---------------------------------------------------------------------
    def _answer(self, client_id: str, outcome: store.InsertOutcome, prereg: bool = False
                ) -> IntakeResult:
        if outcome.kind == "conflict":
            body = {"id": client_id, "error": "idempotency_key_reused",
                    "message": MSG_PREREG_CONFLICT if prereg else MSG_CONFLICT}
            return IntakeResult.make(409, body)
        return IntakeResult(201 if outcome.kind == "created" else 200, outcome.response_json)

    def _invalid(self, client_id: str, errors: Mapping[str, str]) -> IntakeResult:
        body = {"id": client_id, "error": "invalid", "message": MSG_INVALID, "errors": errors}
        return IntakeResult.make(422, body)

    def _error(self, status_code: int, client_id: object, message: str) -> IntakeResult:
        ident = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
        error = "bad_idempotency_key" if status_code == 400 else "unavailable"
        return IntakeResult.make(status_code, {"id": ident, "error": error, "message": message})

    def _response(self, pending: _Pending, code: str) -> tuple[Status, str | None, str]:
        reason = pending.data.referral_reason
        status = Status.REFERRED_OFFICE if reason else Status.RECEIVED
        return status, reason, answer_json(pending.client_id, code, status, reason or MSG_RECEIVED,
                                           self._base_url)

    def _row(self, pending: _Pending, now: datetime, now_iso: str, fresh: bool = False
             ) -> store.NewApplication:
        code = (None if fresh else pending.proposed_code) or new_tracking_code()
        status, reason, response = self._response(pending, code)
        return store.NewApplication(
            client_id=pending.client_id,
            request_hash=pending.request_hash,
            response_json=response,
            tracking_code=code,
            status=status.value,
            status_reason=reason,
            officer_id=pending.officer_id,
            actor=pending.actor,
            form=to_columns(pending.data),
            created_at=now_iso,
            created_day=local_day(now),
            send_to_oss=status is Status.RECEIVED,
            referrals=pending.data.referrals,
        )

    # -- the writer ------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            except Exception as exc:  # never let one bad batch stop the writer
                log.exception("intake writer failed")
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)

    def _insert_tx(self, conn: sqlite3.Connection, batch: list[_Pending],
                   rows: list[store.NewApplication], now: datetime, now_iso: str
                   ) -> list[store.InsertOutcome]:
        """Insert inside the writer's transaction. A code the phone proposed that another
        application already holds (or an earlier item of this batch) is replaced by a fresh
        one; the answer, and so the receipt, push and WhatsApp text, carry the final code.
        (A replay's own code is "taken" too: its row is rebuilt, then not inserted.)"""
        taken = store.taken_codes(conn, [r.tracking_code for r in rows])
        for index, pending in enumerate(batch):
            if rows[index].tracking_code in taken:
                rows[index] = self._row(pending, now, now_iso, fresh=True)
            taken.add(rows[index].tracking_code)
        outcomes = store.insert_batch(conn, rows)
        # A check-in: the pre-registration is linked (and its copy of the citizen's data
        # cleared) in the same transaction.
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.prereg_code is not None and outcome.kind == "created":
                prereg_store.check_in(conn, pending.prereg_code, pending.client_id, now_iso)
        return outcomes

    async def _commit(self, batch: list[_Pending]) -> None:
        for _attempt in range(3):
            now_iso, now = utc_now_iso()
            rows = [self._row(p, now, now_iso) for p in batch]
            try:
                outcomes = await self._db.write(self._insert_tx, batch, rows, now, now_iso)
            except sqlite3.IntegrityError as exc:
                error: Exception = exc
                if "tracking_code" in str(exc):
                    continue  # a code collided (1 in ~10^9): draw new codes and try again
                break
            except Exception as exc:
                error = exc
                break
            for pending, outcome in zip(batch, outcomes, strict=True):
                if not pending.future.done():
                    pending.future.set_result(outcome)
            return
        for pending in batch:
            if not pending.future.done():
                pending.future.set_exception(error)
