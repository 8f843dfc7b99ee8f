"""The simulator's faults, decided without I/O (so they can be tested and reproduced).

Kinds, and whether OSS acted on the request before the answer failed:

| kind | the client sees | OSS acted? |
| --- | --- | --- |
| ``503`` | 503 Service Unavailable | no |
| ``500`` | 500 (OSS: "Proses Payload Data Di Sistem OSS Gagal") | no |
| ``504`` | 504 (OSS: "... Timeout") | yes: the registration went through |
| ``hang`` | no answer until the client gives up | yes |
| ``reset`` | the TCP connection reset (RST) | yes |
| ``malformed`` | 200 with a truncated JSON body | yes |

The ones that acted are the ambiguous outcomes a client must resolve by asking for its
reference before sending again. A *down window* makes every API request fail with its mode
(``503``, ``hang`` or ``reset``) without acting on it. The configuration comes from the
command line (``parse_*``) and from ``POST /_sim/faults`` (``update_faults``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS: tuple[str, ...] = ("503", "500", "504", "hang", "reset", "malformed")
DOWN_MODES: tuple[str, ...] = ("503", "hang", "reset")
ACTED_BEFORE_FAILING: frozenset[str] = frozenset({"504", "hang", "reset", "malformed"})


@dataclass(frozen=True, slots=True)
class DownWindow:
    start: float  # clock seconds
    end: float
    mode: str = "503"


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    down: bool = False  # from a down window (then OSS never acts)

    @property
    def acts_first(self) -> bool:
        return not self.down and self.kind in ACTED_BEFORE_FAILING


@dataclass(slots=True)
class FaultConfig:
    error_rate: float = 0.0
    fault_mix: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FAULT_KINDS, 1.0))
    latency_ms: tuple[float, float] = (0.0, 0.0)
    hang_s: float = 3600.0
    rate_limit: float = 0.0  # requests per second; 0 = no limit
    rate_burst: int = 1
    down: list[DownWindow] = field(default_factory=list)

    def to_json(self, now: float) -> dict[str, object]:
        return {
            "error_rate": self.error_rate,
            "fault_mix": self.fault_mix,
            "latency_ms": list(self.latency_ms),
            "hang_s": self.hang_s,
            "rate_limit": self.rate_limit,
            "rate_burst": self.rate_burst,
            "down": [
                {"start_in_s": round(w.start - now, 3), "end_in_s": round(w.end - now, 3),
                 "mode": w.mode}
                for w in self.down if w.end > now
            ],
        }


def parse_mix(text: str) -> dict[str, float]:
    """``"503=2,hang=1"`` -> {"503": 2.0, "hang": 1.0}; a bare kind weighs 1."""
    mix: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, weight = part.partition("=")
        kind = kind.strip()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(FAULT_KINDS)})")
        value = float(weight) if weight else 1.0
        if value < 0:
            raise ValueError("fault weights must be >= 0")
        mix[kind] = value
    if not mix or sum(mix.values()) <= 0:
        raise ValueError("the fault mix needs at least one kind with a positive weight")
    return mix


def parse_latency(text: str) -> tuple[float, float]:
    """``"20"`` or ``"5-50"`` milliseconds."""
    lo, _, hi = text.partition("-")
    low = float(lo)
    high = float(hi) if hi else low
    if low < 0 or high < low:
        raise ValueError("latency must be A or A-B milliseconds with 0 <= A <= B")
    return low, high


def parse_window(text: str, now: float) -> DownWindow:
    """``"START:END[:MODE]"`` in seconds from ``now``, e.g. ``"10:40:hang"``."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ValueError("a down window is START:END or START:END:MODE (seconds from now)")
    start, end = float(parts[0]), float(parts[1])
    mode = parts[2] if len(parts) == 3 else "503"
    if mode not in DOWN_MODES:
        raise ValueError(f"down mode must be one of {', '.join(DOWN_MODES)}")
    if end <= start:
        raise ValueError("a down window must end after it starts")
    return DownWindow(now + start, now + end, mode)


def in_down_window(config: FaultConfig, now: float) -> DownWindow | None:
    for window in config.down:
        if window.start <= now < window.end:
            return window
    return None


def decide(config: FaultConfig, now: float, rng: random.Random) -> Fault | None:
    """The fault for one API request arriving at ``now``, or None for a good answer."""
    window = in_down_window(config, now)
    if window is not None:
        return Fault(window.mode, down=True)
    if config.error_rate <= 0 or rng.random() >= config.error_rate:
        return None
    kinds = [k for k, w in config.fault_mix.items() if w > 0]
    weights = [config.fault_mix[k] for k in kinds]
    return Fault(rng.choices(kinds, weights)[0])


def latency_s(config: FaultConfig, rng: random.Random) -> float:
    low, high = config.latency_ms
    if high <= 0:
        return 0.0
    return rng.uniform(low, high) / 1000.0


def update_faults(faults: FaultConfig, body: dict[str, Any], now: float) -> None:
    """Apply a partial fault configuration from the admin endpoint."""
    if "error_rate" in body:
        rate = float(body["error_rate"])
        if not 0 <= rate <= 1:
            raise ValueError("error_rate must be between 0 and 1")
        faults.error_rate = rate
    if "fault_mix" in body:
        mix = body["fault_mix"]
        faults.fault_mix = parse_mix(
            mix if isinstance(mix, str) else ",".join(f"{k}={v}" for k, v in mix.items()))
    if "latency_ms" in body:
        value = body["latency_ms"]
        faults.latency_ms = (parse_latency(value) if isinstance(value, str)
                             else (float(value[0]), float(value[-1])))
    if "hang_s" in body:
        faults.hang_s = float(body["hang_s"])
    if "rate_limit" in body:
        faults.rate_limit = float(body["rate_limit"])
    if "rate_burst" in body:
        faults.rate_burst = max(1, int(body["rate_burst"]))
    if body.get("clear_down"):
        faults.down.clear()
    for window in body.get("down", []):
        start = now + float(window.get("start_s", 0))
        faults.down.append(DownWindow(start, start + float(window["end_s"]) -
                                      float(window.get("start_s", 0)),
                                      str(window.get("mode", "503"))))
