"""OSS rejects an application: needs_fix after ONE attempt with OSS's reason, shown to the
officer, who corrects it and sends it again (a new attempt under the same reference)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_oss_support import (
    SimulatorProcess,
    count,
    create_applications,
    oss_env,
    wait_for,
)
from tests.support import ServerProcess, application, csrf_from, officer_client

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="drives a simulator process through the http gateway")


def _status(server: ServerProcess, code: str) -> str:
    return server.query("SELECT status FROM applications WHERE tracking_code = ?", code)[0][0]


def test_rejected_application_needs_fix_after_one_attempt_then_resend_is_issued(
    tmp_path: Path,
) -> None:
    sim = SimulatorProcess(tmp_path / "sim").start()
    server = ServerProcess(tmp_path / "app", **oss_env(sim))
    try:
        server.seed()
        server.start()
        http = officer_client(server.url)
        # KBLI 64131 (Bank Perkreditan Rakyat) exists in KBLI 2020, so intake takes it;
        # OSS does not open financial services to a perseorangan micro business
        ((bad_key, bad),) = create_applications(http, 1, kbli=["64131"])
        ((_, good),) = create_applications(http, 1, start=1)
        wait_for(lambda: _status(server, bad) == "needs_fix" and _status(server, good) == "issued",
                 timeout=10, what="OSS's answers")

        (app_id, reason), = server.query(
            "SELECT id, status_reason FROM applications WHERE tracking_code = ?", bad)
        assert reason.startswith("OSS menolak data: ")
        assert "KBLI 64131" in reason and "perseorangan" in reason
        assert server.query("SELECT outcome FROM oss_attempts WHERE application_id = ?",
                            app_id) == [("rejected",)]  # one attempt, never retried
        assert server.query("SELECT state, attempts FROM outbox WHERE application_id = ?",
                            app_id) == [("needs_fix", 1)]
        assert server.query(
            "SELECT status, actor, reason FROM application_history WHERE application_id = ?"
            " ORDER BY id DESC LIMIT 1", app_id) == [("needs_fix", "OSS", reason)]

        # the officer sees why, and a way to fix it
        page = http.get(f"/petugas/permohonan/{bad}").text
        assert "KBLI 64131" in page
        assert f"/petugas/permohonan/{bad}/perbaiki" in page
        form = http.get(f"/petugas/permohonan/{bad}/perbaiki")
        assert form.status_code == 200 and 'value="64131"' in form.text
        # the capture form's fields: the KBLI search, the kecamatan then its desa, no services
        assert 'id="kbli-q"' in form.text and 'id="kecamatan"' in form.text
        assert 'name="referrals"' not in form.text
        body = application(nik="3505010101900001", kbli="64131")
        fields = {k: v for k, v in body.items() if k not in ("kecamatan",)}
        fields.update(no_email="on", _csrf_token=csrf_from(form.text))
        # a correction that is still wrong is refused with the field's message
        wrong = http.post(f"/petugas/permohonan/{bad}/perbaiki", data={**fields, "kbli": "99999"})
        assert wrong.status_code == 422 and "99999" in wrong.text
        assert _status(server, bad) == "needs_fix"
        fixed = http.post(f"/petugas/permohonan/{bad}/perbaiki", data={**fields, "kbli": "56102"})
        assert fixed.status_code == 303, fixed.text
        assert fixed.headers["location"] == f"/petugas/permohonan/{bad}"
        wait_for(lambda: _status(server, bad) == "issued", timeout=10, what="the resend")

        history = server.query(
            "SELECT status, actor, reason FROM application_history WHERE application_id = ?"
            " ORDER BY id", app_id)
        assert [h[0] for h in history] == [
            "received", "submitted", "needs_fix", "received", "submitted", "issued"]
        assert history[3][1] == "petugas" and "diubah: KBLI" in history[3][2]
        assert server.query("SELECT kbli_json FROM applications WHERE id = ?", app_id) == [
            ('["56102"]',)]
        # a new attempt under the same reference: OSS knows it by the application's client id
        assert [o for (o,) in server.query(
            "SELECT outcome FROM oss_attempts WHERE application_id = ? ORDER BY id", app_id
        )] == ["rejected", "issued"]
        (nib,), = server.query("SELECT nib FROM applications WHERE id = ?", app_id)
        assert sim.nibs()[bad_key] == nib
        assert sim.counters()["rejected"] == 1
        assert count(server.db_path, "SELECT count(*) FROM oss_attempts") == 3
        http.close()
    finally:
        server.kill()
        sim.kill()
