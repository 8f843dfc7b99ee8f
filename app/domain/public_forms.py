"""What every public form shares: the honeypot and the client id of an idempotent submit."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

# A field people never see (hidden by CSS, out of the tab order, autocomplete off); bots
# that fill every input fill it. A filled one gets a plain "thank you" and nothing is kept.
HONEYPOT = "website"
_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def is_bot(form: Mapping[str, object]) -> bool:
    return bool(str(form.get(HONEYPOT, "") or "").strip())


def client_id(raw: object) -> str | None:
    """The form's idempotency key (a uuid the page made), or None when unusable."""
    value = str(raw or "")
    return value if _CLIENT_ID.fullmatch(value) else None


def body_hash(values: Mapping[str, object]) -> str:
    """SHA-256 of normalised values: the same answers replayed hash the same."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()
