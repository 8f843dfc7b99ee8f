"""The OSS simulator as a real process: one NIB per reference for ever (a restart keeps
them), OSS-like validation, PIA answer shapes, and faults on command."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_oss_support import SimulatorProcess, nik_for

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="the simulator program alone, no app server")

KEY = "kunci-sim"


def registration(reference: str, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "referensi": reference, "jenis_pelaku_usaha": "02", "jenis_identitas": "01",
        "no_identitas": nik_for(0), "nama": "Siti Aminah", "daerah_id": "3505012001",
        "skala_usaha": "01",
        "data_proyek": [{"kbli": "56102", "nama_kegiatan": "Warung Bu Siti"}],
    }
    body.update(changes)
    return {"REGISTRASI": body}


def post(sim: SimulatorProcess, method: str, body: object, **kw: Any) -> httpx.Response:
    headers = kw.pop("headers", {"user_key": KEY})
    timeout = kw.pop("timeout", 5)
    return httpx.post(f"{sim.api_url}/{method}", json=body, headers=headers, timeout=timeout)


@pytest.fixture
def sim(tmp_path: Path):
    process = SimulatorProcess(tmp_path / "sim", "--user-key", KEY).start()
    yield process
    process.kill()


def test_one_nib_per_reference_for_ever_even_across_a_restart(sim: SimulatorProcess) -> None:
    first = post(sim, "registrasiUMK", registration("ref-0000-0001"))
    assert first.status_code == 200
    nib = first.json()["responregistrasiUMK"]["dataNIB"]["nib"]
    assert len(nib) == 13 and nib.isdigit()
    again = post(sim, "registrasiUMK", registration("ref-0000-0001"))
    assert again.json()["responregistrasiUMK"]["dataNIB"]["nib"] == nib
    other = post(sim, "registrasiUMK", registration("ref-0000-0002"))
    assert other.json()["responregistrasiUMK"]["dataNIB"]["nib"] != nib
    counters = sim.counters()
    assert counters["nibs_issued"] == 2 and counters["duplicate_registrations"] == 1
    sim.kill()  # even SIGKILL: the NIBs are in SQLite
    sim.start()
    after = post(sim, "registrasiUMK", registration("ref-0000-0001"))
    assert after.json()["responregistrasiUMK"]["dataNIB"]["nib"] == nib
    assert sim.counters()["nibs_total"] == 2
    found = post(sim, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "ref-0000-0002"}})
    assert found.json()["responcekRegistrasi"]["kode"] == 200
    missing = post(sim, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "ref-9999-9999"}})
    assert missing.status_code == 404
    assert missing.json() == {"responcekRegistrasi": {"kode": 404,
                                                      "keterangan": "Referensi tidak ditemukan"}}


def test_validates_nik_and_kbli_like_oss(sim: SimulatorProcess) -> None:
    child = "3505011501150001"  # born 15-01-2015: too young to own a business
    answer = post(sim, "registrasiUMK", registration(
        "ref-0000-0003", no_identitas=child,
        data_proyek=[{"kbli": "64131"}, {"kbli": "12345"}]))
    assert answer.status_code == 400
    body = answer.json()["responregistrasiUMK"]
    assert body["kode"] == 400
    messages = [e["pesan"] for e in body["kesalahan"]]
    assert any("minimal 17 tahun" in m for m in messages)
    assert any("KBLI 64131" in m and "Jasa Keuangan" in m for m in messages)
    assert any("KBLI 12345 tidak terdaftar" in m for m in messages)
    bad_nik = post(sim, "registrasiUMK", registration("ref-0000-0004",
                                                      no_identitas="9905010101900001"))
    assert "Dukcapil" in bad_nik.json()["responregistrasiUMK"]["kesalahan"][0]["pesan"]
    assert sim.counters()["nibs_total"] == 0


def test_pia_methods_answer_with_oss_shapes_and_need_the_user_key(sim: SimulatorProcess) -> None:
    nib = post(sim, "registrasiUMK", registration("ref-0000-0005")).json()[
        "responregistrasiUMK"]["dataNIB"]["nib"]
    check = post(sim, "checkNIB", {"CHECKNIB": {"nib": nib}}).json()
    assert check == {"responcheckNIB": {"kode": 200, "keterangan": "Sukses", "dataNIB": {
        "nib": nib, "nama_perusahaan": "Warung Bu Siti", "status": "01"}}}
    inquery = post(sim, "inqueryNIB", {"INQUERYNIB": {"nib": nib}}).json()["responinqueryNIB"]
    assert inquery["kode"] == 200
    data = inquery["dataNIB"]
    assert data["nib"] == nib and data["data_proyek"][0]["kbli"] == "56102"
    assert data["penanggung_jwb"][0]["no_identitas_penanggung_jwb"] == nik_for(0)
    unknown = post(sim, "inqueryNIB", {"INQUERYNIB": {"nib": "1234567890123"}}).json()
    assert unknown == {"responinqueryNIB": {"kode": 400,
                                            "keterangan": "Data NIB tidak ditemukan"}}
    no_key = post(sim, "checkNIB", {"CHECKNIB": {"nib": nib}}, headers={})
    assert no_key.status_code == 401


def test_faults_from_command_line_flags(tmp_path: Path) -> None:
    down = SimulatorProcess(tmp_path / "down", "--down", "0:60:503").start()
    try:
        answer = post(down, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "x"}})
        assert answer.status_code == 503 and 50 <= int(answer.headers["retry-after"]) <= 60
        assert down.counters()["down_requests"] == 1
    finally:
        down.kill()
    reset = SimulatorProcess(tmp_path / "reset", "--error-rate", "1", "--fault-mix",
                             "reset").start()
    try:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            post(reset, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "x"}})
    finally:
        reset.kill()
    limited = SimulatorProcess(tmp_path / "limit", "--rate-limit", "0.2", "--rate-burst", "2",
                               "--fault-mix", "malformed", "--latency-ms", "1-2").start()
    try:
        codes = [post(limited, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "x"}})
                 for _ in range(4)]
        assert [r.status_code for r in codes[:2]] == [404, 404]
        assert codes[2].status_code == 429 and int(codes[2].headers["retry-after"]) >= 1
        limited.faults(error_rate=1, rate_limit=0)
        garbled = post(limited, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "x"}})
        assert garbled.status_code == 200
        with pytest.raises(ValueError):
            garbled.json()
    finally:
        limited.kill()


def test_hanging_requests_and_counters_at_the_simulator(sim: SimulatorProcess) -> None:
    sim.faults(error_rate=1, fault_mix={"hang": 1})
    errors: list[str] = []

    def call() -> None:
        try:
            post(sim, "cekRegistrasi", {"CEKREGISTRASI": {"referensi": "x"}}, timeout=0.6)
        except httpx.ReadTimeout:
            errors.append("timeout")

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    assert sim.counters()["in_flight"] == 5
    for thread in threads:
        thread.join()
    assert errors == ["timeout"] * 5
    time.sleep(0.1)
    counters = sim.counters()
    assert counters["max_in_flight"] == 5 and counters["in_flight"] == 0  # disconnects noticed
    assert counters["faults"] == {"hang": 5} and counters["max_per_second"] == 5
    sim.reset_counters()
    assert sim.counters()["requests"] == 0
