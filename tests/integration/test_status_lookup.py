"""The public status lookup: tracking code plus the last four WhatsApp digits."""

from __future__ import annotations

import httpx

from tests.support import (
    ServerProcess,
    application,
    client,
    csrf_from,
    new_key,
    post_application,
    visible_text,
)


def _lookup(http: httpx.Client, code: str, digits: str) -> httpx.Response:
    token = csrf_from(http.get("/cek").text)
    return http.post("/cek", data={"_csrf_token": token, "kode": code, "digits": digits})


def test_code_and_digits_show_status_with_masked_owner(
    server: ServerProcess, officer: httpx.Client
) -> None:
    created = post_application(officer, new_key(), application(business_name="Jamu Mbok Sri"))
    code = created.json()["tracking_code"]
    with client(server.url) as citizen:
        page = _lookup(citizen, f"{code[:3]}-{code[3:].lower()}", "7890")
    assert page.status_code == 200
    assert "Jamu Mbok Sri" in page.text
    assert "S*** A*****" in page.text and "Siti Aminah" not in page.text
    # no part of the NIK is shown (the page's attributes carry random tokens: look at its
    # text), and the full NIK is nowhere in it
    assert "3505" not in visible_text(page.text)
    assert application()["nik"] not in page.text
    assert "Diterima petugas" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_unknown_code_and_wrong_digits_get_byte_identical_answers(
    server: ServerProcess, officer: httpx.Client, tmp_path
) -> None:
    code = post_application(officer, new_key(), application()).json()["tracking_code"]
    # A valid-looking code nobody holds: change the body, then fix the check character.
    from app.domain.tracking import check_char

    body = ("Z" if code[0] != "Z" else "Y") + code[1:6]
    unknown = body + check_char(body)
    with client(server.url) as a, client(server.url) as b:
        wrong_digits = _lookup(a, code, "0000")
        no_such_code = _lookup(b, unknown, "7890")
    assert wrong_digits.status_code == no_such_code.status_code == 404

    def strip_tokens(text: str) -> str:
        return text.replace(csrf_from(text), "TOKEN")

    assert strip_tokens(wrong_digits.text) == strip_tokens(no_such_code.text)


def test_thirty_wrong_guesses_hit_the_rate_limit(fresh_server: ServerProcess) -> None:
    with client(fresh_server.url) as http:
        statuses = [_lookup(http, "ABC-DEFG", f"{i:04d}").status_code for i in range(30)]
        assert 429 in statuses
        limited = _lookup(http, "ABC-DEFG", "1234")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert statuses.index(429) == 20
