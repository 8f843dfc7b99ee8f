"""The JSON intake API over real HTTP: exactly once, whatever the phone sends."""

from __future__ import annotations

import concurrent.futures
import json

import httpx

from tests.support import ServerProcess, application, client, new_key, post_application


def count(server: ServerProcess, key: str) -> int:
    return server.query("SELECT count(*) FROM applications WHERE client_id = ?", key)[0][0]


def test_first_post_creates_application_history_and_outbox_job(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    response = post_application(officer, key, application(business_name="Bakso Pak Min"))
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == key
    assert body["status"] == "received"
    code = body["tracking_code"]
    assert body["status_url"].endswith(f"/cek?kode={code}")
    (app_id, status, nik, phone), = server.query(
        "SELECT id, status, nik, phone FROM applications WHERE client_id = ?", key
    )
    assert (status, nik, phone) == ("received", "3505014507900012", "6281234567890")
    assert server.query("SELECT status, actor FROM application_history WHERE application_id = ?",
                        app_id) == [("received", "petugas")]
    assert server.query("SELECT state FROM outbox WHERE application_id = ?", app_id) == [
        ("pending",)
    ]


def test_replay_with_same_key_and_body_returns_identical_answer(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    first = post_application(officer, key, application())
    again = post_application(officer, key, application())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert count(server, key) == 1


def test_replay_is_judged_on_normalised_values_not_formatting(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    first = post_application(officer, key, application(phone="0812-3456-7890"))
    again = post_application(officer, key, application(phone="+62 812 3456 7890", rt="003"))
    assert again.status_code == 200
    assert again.content == first.content


def test_twenty_concurrent_identical_requests_make_one_row(server: ServerProcess) -> None:
    key = new_key()
    body = application(business_name="Konveksi Barokah", kbli=["14111"])
    cookies = _login_cookies(server)
    clients = []
    for _ in range(20):
        http = client(server.url)
        http.cookies.update(cookies)
        clients.append(http)
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda h: post_application(h, key, body), clients))
    for http in clients:
        http.close()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 19 + [201]
    assert len({a.content for a in answers}) == 1
    assert count(server, key) == 1
    app_id = server.query("SELECT id FROM applications WHERE client_id = ?", key)[0][0]
    assert server.query("SELECT count(*) FROM outbox WHERE application_id = ?", app_id) == [(1,)]


def _login_cookies(server: ServerProcess) -> httpx.Cookies:
    from tests.support import officer_client

    http = officer_client(server.url)
    cookies = http.cookies
    http.close()
    return cookies


def test_same_key_with_changed_body_is_409_and_stored_row_unchanged(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    assert post_application(officer, key, application(business_name="Toko Asli")).status_code == 201
    before = server.query("SELECT * FROM applications WHERE client_id = ?", key)
    changed = post_application(officer, key, application(business_name="Toko Palsu"))
    assert changed.status_code == 409
    body = changed.json()
    assert body["error"] == "idempotency_key_reused"
    assert "tidak diubah" in body["message"]
    assert server.query("SELECT * FROM applications WHERE client_id = ?", key) == before


def test_invalid_application_gets_422_with_a_message_per_field_and_nothing_stored(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    response = post_application(
        officer, key, application(nik="1234", phone="0342-123456", kbli=["99999"], rt="")
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"nik", "phone", "kbli", "rt"}
    assert all(isinstance(m, str) and m for m in errors.values())
    assert "16 angka" in errors["nik"]
    assert count(server, key) == 0
    # Corrected and sent again under the same key: accepted.
    assert post_application(officer, key, application()).status_code == 201


def test_unauthenticated_is_401_json(server: ServerProcess) -> None:
    with client(server.url) as anonymous:
        response = post_application(anonymous, new_key(), application())
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "unauthenticated"


def test_oversized_body_is_413(server: ServerProcess, officer: httpx.Client) -> None:
    body = application(street="x" * 400_000)
    response = post_application(officer, new_key(), body)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_missing_or_bad_idempotency_key_is_400(officer: httpx.Client) -> None:
    no_key = officer.post("/api/applications", json=application())
    assert no_key.status_code == 400
    assert no_key.json()["error"] == "bad_idempotency_key"
    assert post_application(officer, "not-a-uuid", application()).status_code == 400


def test_malformed_json_is_400_and_non_json_is_415(officer: httpx.Client) -> None:
    bad = officer.post("/api/applications", content=b"{nope",
                       headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"})
    assert bad.status_code == 400
    form = officer.post("/api/applications", data={"nik": "1"},
                        headers={"Idempotency-Key": new_key()})
    assert form.status_code == 415


def test_cross_site_request_is_refused(officer: httpx.Client) -> None:
    response = officer.post("/api/applications", json=application(),
                            headers={"Idempotency-Key": new_key(), "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_referred_application_is_recorded_without_an_oss_job(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    response = post_application(
        officer, key, application(kbli=["56102", "47112", "10710"], business_name="CV Tiga Usaha")
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "referred_office"
    assert "kantor" in body["message"]
    app_id = server.query("SELECT id FROM applications WHERE client_id = ?", key)[0][0]
    assert server.query("SELECT count(*) FROM outbox WHERE application_id = ?", app_id) == [(0,)]
    big = post_application(officer, new_key(), application(capital="6.000.000.000"))
    assert big.json()["status"] == "referred_office"


def test_batch_returns_one_result_per_item_and_bad_items_do_not_block_others(
    server: ServerProcess, officer: httpx.Client
) -> None:
    good = [new_key() for _ in range(5)]
    items = [{"id": k, "body": application(business_name=f"Batch {i}")} for i, k in enumerate(good)]
    items.insert(2, {"id": new_key(), "body": application(nik="12")})
    items.insert(4, {"id": "bukan-uuid", "body": application()})
    items.append({"id": good[0], "body": application(business_name="Batch 0")})  # replay
    items.append({"id": good[1], "body": application(business_name="Lain")})  # conflict
    items.append("rubbish")
    response = officer.post("/api/applications/batch", json={"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 422, 201, 400, 201, 201, 200, 409, 400]
    assert results[7]["body"] == results[0]["body"]
    assert all(count(server, k) == 1 for k in good)


def test_batch_limits(officer: httpx.Client) -> None:
    too_many = {"items": [{"id": new_key(), "body": {}} for _ in range(201)]}
    assert officer.post("/api/applications/batch", json=too_many).status_code == 413
    assert officer.post("/api/applications/batch", json={"x": 1}).status_code == 400


def test_error_answers_are_json_with_indonesian_message(officer: httpx.Client) -> None:
    response = officer.post("/api/applications", content=b"[",
                            headers={"Idempotency-Key": new_key(),
                                     "Content-Type": "application/json"})
    body = json.loads(response.content)
    assert set(body) == {"error", "message"}
    assert "JSON" in body["message"]
