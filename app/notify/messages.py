"""What a push says: plain Bahasa Indonesia, and never a NIK or a name (lock screens)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.status import Status
from app.domain.tracking import format_tracking_code

OFFICER_STATUSES = frozenset({Status.ISSUED, Status.NEEDS_FIX})
CITIZEN_STATUSES = frozenset({Status.SUBMITTED, Status.ISSUED, Status.NEEDS_FIX})

_TEXT = {
    Status.SUBMITTED: ("Dikirim ke OSS",
                       "Permohonan {code} sudah dikirim ke OSS. Kami kabari lagi saat NIB terbit."),
    Status.ISSUED: ("NIB sudah terbit",
                    "Permohonan {code}: NIB sudah terbit. Ketuk untuk melihat."),
    Status.NEEDS_FIX: ("Perlu perbaikan",
                       "Permohonan {code} perlu perbaikan data. Ketuk untuk "
                       "melihat keterangannya."),
}
# The citizen's "issued" opens the satisfaction survey when it has a link.
_ISSUED_SURVEY = ("Permohonan {code}: NIB sudah terbit. Mohon luangkan 2 menit untuk survei "
                  "kepuasan: ketuk di sini.")
_URGENCY = {Status.SUBMITTED: "normal", Status.ISSUED: "high", Status.NEEDS_FIX: "high"}


def payload_for(event: Any, status: str, audience: str,
                survey_path: Callable[[int], str] | None = None
                ) -> tuple[dict[str, Any], str] | None:
    """(payload, urgency) for a status event, or None when nobody is told about it.

    The citizen told of an issued NIB is taken to the satisfaction survey
    (``survey_path(application_id)``, /survei/<token>) when one is given."""
    text = _TEXT.get(status)
    if text is None:
        return None
    code = str(event["tracking_code"])
    shown = format_tracking_code(code)
    url = f"/petugas/permohonan/{code}" if audience == "officer" else f"/cek?kode={code}"
    title, body = text
    if audience == "citizen" and status == Status.ISSUED and survey_path is not None:
        body, url = _ISSUED_SURVEY, survey_path(int(event["application_id"]))
    return ({"title": title, "body": body.format(code=shown), "url": url,
             "tag": f"jbm-{code}"}, _URGENCY[status])
