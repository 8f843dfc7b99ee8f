"""A job the web app runs every so often in its lifespan (retention, round reminders): one
task, started and stopped with the app; a failed run is logged and the next one tries
again (each run is one transaction, so nothing is half done)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval_s: float, run: Callable[[], Awaitable[Any]],
                 report: Callable[[Any], str | None] = lambda _result: None) -> None:
        self.name = name
        self.interval_s = interval_s
        self._run_once = run
        self._report = report  # what a run did, for the log (None: nothing worth saying)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                said = self._report(await self._run_once())
                if said:
                    log.info("%s: %s", self.name, said)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s run failed", self.name)
            await asyncio.sleep(self.interval_s)
