"""The OSS gateway protocol: one interface, four outcomes.

Every implementation (``http`` against a real or simulated OSS, ``assisted`` for an operator
at the office) answers ``submit`` with exactly one of:

- ``Issued(nib, permit)``: OSS issued the NIB (``permit`` is OSS's dataNIB, as received);
- ``Rejected(reasons)``: OSS said the data is wrong. Not retried: the application goes to
  ``needs_fix`` with OSS's reasons;
- ``Unavailable(reason, retry_after)``: OSS is down, slow, overloaded or answered nonsense.
  Retried without a give-up. ``ambiguous`` says OSS may have acted on the request (a timeout
  after sending, a reset, a 5xx other than 503, a malformed answer): the next attempt first
  asks OSS for the reference before sending again;
- ``HandedOff(note)``: the registration is now a task for a person (assisted mode); the NIB
  arrives later (keyed in by the operator, or pushed by OSS through receiveNIB).

``elapsed_s`` is the time spent talking to OSS (what the circuit breaker calls slow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Registration:
    """What is sent to OSS for one application.

    ``reference`` is the application's client id (its idempotency key): OSS recognises a
    retry by it, so a retry never produces a second NIB. ``payload`` holds OSS's field
    names in OSS's order (see registration.py).
    """

    reference: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Issued:
    nib: str
    permit: dict[str, Any] = field(default_factory=dict)
    elapsed_s: float = 0.0
    found_by_lookup: bool = False

    kind = "issued"


@dataclass(frozen=True, slots=True)
class Rejected:
    reasons: tuple[str, ...]
    elapsed_s: float = 0.0

    kind = "rejected"


@dataclass(frozen=True, slots=True)
class Unavailable:
    reason: str  # a short machine code: connect, timeout, reset, http_503, rate_limited, ...
    retry_after: float | None = None
    ambiguous: bool = False
    detail: str = ""
    elapsed_s: float = 0.0

    kind = "unavailable"


@dataclass(frozen=True, slots=True)
class HandedOff:
    note: str
    elapsed_s: float = 0.0

    kind = "task"


Outcome = Issued | Rejected | Unavailable | HandedOff


@dataclass(frozen=True, slots=True)
class NibCheck:
    """The answer of PIA ``checkNIB`` for a NIB keyed in by a person.

    ``state``: ``valid`` (OSS knows the NIB), ``unknown`` (OSS says it does not exist) or
    ``unreachable`` (OSS did not answer usefully; nothing is known).
    """

    state: str
    data: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


class OssGateway(Protocol):
    mode: str

    async def submit(self, registration: Registration, *, in_doubt: bool) -> Outcome:
        """Send one registration. ``in_doubt``: an earlier attempt may have reached OSS."""
        ...

    async def aclose(self) -> None: ...


class NibChecker(Protocol):
    async def check_nib(self, nib: str) -> NibCheck: ...

    async def aclose(self) -> None: ...
