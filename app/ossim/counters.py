"""What the simulator counts: requests, outcomes, faults, concurrency and peak rate."""

from __future__ import annotations

import time
from collections import Counter, deque
from typing import Any


class Counters:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.started = time.monotonic()
        self.values: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.down_arrivals: list[float] = []
        self.max_in_flight = 0
        self._window: deque[float] = deque()
        self.max_per_second = 0

    def arrival(self, now: float) -> None:
        self.values["requests"] += 1
        window = self._window
        window.append(now)
        while window and window[0] <= now - 1.0:
            window.popleft()
        self.max_per_second = max(self.max_per_second, len(window))

    def to_json(self, in_flight: int, nibs_total: int) -> dict[str, Any]:
        return {
            **{k: self.values.get(k, 0) for k in (
                "requests", "registrations", "lookups", "check_nib", "inquery_nib",
                "nibs_issued", "duplicate_registrations", "rejected", "rate_limited",
                "unauthorized", "down_requests", "pushes_sent")},
            "faults": dict(self.faults),
            "down_arrivals": [round(t, 4) for t in self.down_arrivals[:2000]],
            "in_flight": in_flight,
            "max_in_flight": self.max_in_flight,
            "max_per_second": self.max_per_second,
            "nibs_total": nibs_total,
            "seconds": round(time.monotonic() - self.started, 3),
        }
