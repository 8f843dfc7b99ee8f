"""Deeply nested JSON is refused with 400 and a message, never a 500 with a stack trace in
the log (issue 9, defect 8): on the intake API, its batch, the queue import and receiveNIB."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support import ServerProcess, csrf_from, new_key, officer_client

DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 kB: under the body limit
DEEP_OBJECT = b'{"items": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}"  # parses; too deep


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # receiveNIB reads its body only when PIA credentials are set
    proc = ServerProcess(tmp_path_factory.mktemp("deep"), JBM_OSS_PIA_USERNAME="pemda-blitar",
                         JBM_OSS_PIA_PASSWORD="rahasia-pia-2026")
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def officer(srv: ServerProcess) -> Iterator[httpx.Client]:
    http = officer_client(srv.url)
    yield http
    http.close()


def assert_no_traceback(srv: ServerProcess) -> None:
    log = srv.log_text()
    assert "Traceback" not in log and "RecursionError" not in log and " 500 " not in log


@pytest.mark.parametrize("path", ["/api/applications", "/api/applications/batch"])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["100000-lists", "41-objects"])
def test_the_intake_api_answers_400(srv: ServerProcess, officer: httpx.Client, path: str,
                                    body: bytes) -> None:
    response = officer.post(path, content=body, headers={
        "content-type": "application/json", "Idempotency-Key": new_key()})
    assert response.status_code == 400
    assert response.json() == {"error": "bad_json", "message":
                               "Data JSON terlalu bertingkat (paling banyak 32 tingkat)."}
    assert_no_traceback(srv)


def test_the_queue_import_answers_400(srv: ServerProcess, officer: httpx.Client) -> None:
    for body in (DEEP, DEEP_OBJECT):
        token = csrf_from(officer.get("/petugas/impor").text)
        page = officer.post("/petugas/impor", data={"_csrf_token": token},
                            files={"file": ("antrian.json", body, "application/json")})
        assert page.status_code == 400
        assert "terlalu bertingkat" in page.text and "tidak bisa dibaca" in page.text
    assert_no_traceback(srv)


def test_receive_nib_answers_400(srv: ServerProcess) -> None:
    for body in (DEEP, DEEP_OBJECT):
        response = httpx.post(f"{srv.url}/api/oss/receiveNIB", content=body,
                              headers={"content-type": "application/json", "token": "x"})
        assert response.status_code == 400
        assert response.json() == {"responreceiveNIB": {
            "status": "2", "keterangan": "Format data JSON tidak valid"}}
    assert_no_traceback(srv)


def test_push_subscription_calls_answer_400(srv: ServerProcess) -> None:
    response = httpx.post(f"{srv.url}/api/push/warga", content=DEEP,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "bad_json"
    assert_no_traceback(srv)
