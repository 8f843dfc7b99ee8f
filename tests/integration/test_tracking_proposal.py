"""A tracking code minted on the phone (offline receipt) over real HTTP: kept when it is
well-formed and free, replaced on a collision, and never part of the replay judgement."""

from __future__ import annotations

import httpx

from app.domain.tracking import format_tracking_code, is_valid_tracking_code, new_tracking_code
from tests.support import ServerProcess, application, new_key, post_application


def stored_code(server: ServerProcess, key: str) -> str:
    return server.query("SELECT tracking_code FROM applications WHERE client_id = ?", key)[0][0]


def test_a_free_well_formed_code_is_kept(server: ServerProcess, officer: httpx.Client) -> None:
    code = new_tracking_code()
    key = new_key()
    # As a person may have typed it: dashed, lower case.
    response = post_application(officer, key, application(
        tracking_code=format_tracking_code(code).lower()))
    assert response.status_code == 201
    assert response.json()["tracking_code"] == code
    assert response.json()["status_url"].endswith(f"/cek?kode={code}")
    assert stored_code(server, key) == code


def test_collision_gets_another_code_and_the_receipt_shows_it(
    server: ServerProcess, officer: httpx.Client
) -> None:
    taken = new_tracking_code()
    first = post_application(officer, new_key(), application(tracking_code=taken))
    assert first.json()["tracking_code"] == taken  # pre-inserted: the code is now in use

    key = new_key()
    second = post_application(officer, key, application(business_name="Warung Kedua",
                                                        tracking_code=taken))
    assert second.status_code == 201
    final = second.json()["tracking_code"]
    assert final != taken and is_valid_tracking_code(final)
    assert stored_code(server, key) == final
    assert second.json()["status_url"].endswith(f"/cek?kode={final}")

    receipt = officer.get(f"/petugas/permohonan/{final}/tanda-terima")
    assert receipt.status_code == 200
    assert format_tracking_code(final) in receipt.text
    assert "Warung Kedua" in receipt.text
    # The taken code still leads to the first application, not the second.
    other = officer.get(f"/petugas/permohonan/{taken}/tanda-terima")
    assert "Warung Kedua" not in other.text


def test_two_items_of_one_batch_proposing_one_code(
    server: ServerProcess, officer: httpx.Client
) -> None:
    code = new_tracking_code()
    keys = [new_key(), new_key()]
    response = officer.post("/api/applications/batch", json={"items": [
        {"id": keys[0], "body": application(business_name="Batch Satu", tracking_code=code)},
        {"id": keys[1], "body": application(business_name="Batch Dua", tracking_code=code)},
    ]})
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201]
    assert results[0]["body"]["tracking_code"] == code
    assert results[1]["body"]["tracking_code"] != code
    assert [stored_code(server, k) for k in keys] == [
        r["body"]["tracking_code"] for r in results]


def test_a_malformed_proposal_is_ignored_not_refused(
    server: ServerProcess, officer: httpx.Client
) -> None:
    good = new_tracking_code()
    broken = good[:-1] + ("2" if good[-1] != "2" else "3")  # wrong check character
    for proposal in (broken, "ABC", 12345, None):
        key = new_key()
        response = post_application(officer, key, application(tracking_code=proposal))
        assert response.status_code == 201, proposal
        final = response.json()["tracking_code"]
        assert final != broken and is_valid_tracking_code(final)


def test_replay_answers_the_final_code_whatever_code_it_proposes(
    server: ServerProcess, officer: httpx.Client
) -> None:
    taken = new_tracking_code()
    post_application(officer, new_key(), application(tracking_code=taken))
    key = new_key()
    first = post_application(officer, key, application(tracking_code=taken))
    assert first.status_code == 201
    # The same application again (a lost answer), with the same or another proposal: the
    # request hash ignores the proposal, so it is a replay, not a conflict.
    for proposal in (taken, new_tracking_code(), None):
        again = post_application(officer, key, application(tracking_code=proposal))
        assert again.status_code == 200
        assert again.content == first.content
    assert server.query("SELECT count(*) FROM applications WHERE client_id = ?", key) == [(1,)]
