"""Assisted mode: the realistic production mode.

The official OSS API has no method for a region to create a registration (../shared/OSS.md),
so forwarding hands the application to a person: an "OSS operator" at the office (or in the
car) who claims the task, keys the data into the OSS portal with the owner's OSS account
(copy button per field, in the portal's order), and finishes it by keying the NIB OSS
issued (verified with PIA ``checkNIB`` when credentials exist) or by recording OSS's
rejection. A NIB OSS pushes through ``receiveNIB`` closes the task without anyone keying it.

The gateway itself only says "handed off"; the forwarder turns that outcome into an
``oss_tasks`` row in the same transaction as the attempt (app/db/outbox.py).
"""

from __future__ import annotations

from app.oss.gateway import HandedOff, Outcome, Registration

NOTE = "Diserahkan ke operator OSS di kantor"


class AssistedGateway:
    mode = "assisted"

    async def submit(self, registration: Registration, *, in_doubt: bool) -> Outcome:
        return HandedOff(NOTE)

    async def aclose(self) -> None:
        return None
