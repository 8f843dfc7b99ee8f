"""The intake's stored pieces whose bytes must never change: the request hash (a phone's
retry after an upgrade must still match) and the first answer (replayed byte for byte)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from app.domain.application import ApplicationInput, validate_application
from app.domain.status import LABELS, Status
from app.services.intake import MSG_RECEIVED, answer_json, request_hash

TODAY = date(2026, 11, 30)
BASE = {
    "nik": "3505014507900012", "name": "Siti Nur'aini", "phone": "0812-3456-7890",
    "email": "", "no_email": True, "npwp": "", "business_name": "Warung Bu Siti",
    "kecamatan": "35.05.01", "desa": "35.05.01.2001", "rt": "3", "rw": "2",
    "street": "Jl. Mawar 5", "kbli": ["56102"], "capital": "15.000.000",
    "workers_male": "0", "workers_female": "1",
}


def _valid(**changes: object) -> ApplicationInput:
    result = validate_application({**BASE, **changes}, kbli_exists={"56102", "47112"}.__contains__,
                                  kecamatan_of_desa={"35.05.01.2001": "35.05.01"}.get,
                                  today=TODAY)
    assert isinstance(result, ApplicationInput)
    return result


@pytest.mark.parametrize("changes", [
    {}, {"name": "Ñoño Ŝiti Ärmağan"}, {"street": "Jl. \"Kutip\" \\ 5 — ujung"},
    {"email": "siti@gmail.com", "no_email": False}, {"kbli": ["56102", "47112"]},
])
def test_request_hash_is_the_sorted_compact_json_formula(changes: dict[str, object]) -> None:
    data = _valid(**changes)
    old = json.dumps(data.canonical(), sort_keys=True, separators=(",", ":"))
    assert request_hash(data) == hashlib.sha256(old.encode()).hexdigest()


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "https://jbm.blitarkab.go.id"])
@pytest.mark.parametrize("status", [Status.RECEIVED, Status.REFERRED_OFFICE])
def test_answer_is_what_the_json_encoder_writes(base_url: str, status: Status) -> None:
    client_id, code = "0f8c1a52-6f2e-4c4e-9a43-3d7d2b1c5e77", "ABCDEFG"
    message = MSG_RECEIVED if status is Status.RECEIVED else 'Usaha "besar" dilayani di kantor.'
    body = {
        "id": client_id, "tracking_code": code, "status": status.value,
        "status_label": LABELS[status], "message": message,
        "receipt_url": f"/petugas/permohonan/{code}", "status_url": f"{base_url}/cek?kode={code}",
    }
    expected = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    assert answer_json(client_id, code, status, message, base_url) == expected
