"""The HTTP gateway against the real simulator process: each kind of answer becomes the
right outcome, and after an ambiguous failure it asks for the reference before sending."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.oss.gateway import Issued, Registration, Rejected, Unavailable
from app.oss.http_gateway import HttpGateway, PiaClient
from app.oss.pacing import Pacer
from tests.integration.test_oss_support import SimulatorProcess, nik_for
from tests.support import free_port

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="the http gateway against a simulator, no app server")


def reg(reference: str, kbli: str = "56102") -> Registration:
    return Registration(reference, {
        "referensi": reference, "jenis_pelaku_usaha": "02", "jenis_identitas": "01",
        "no_identitas": nik_for(3), "nama": "Siti Aminah", "daerah_id": "3505012001",
        "skala_usaha": "01", "data_proyek": [{"kbli": kbli, "nama_kegiatan": "Warung"}],
    })


def test_gateway_outcomes_against_the_simulator(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim", "--user-key", "k").start()

    async def scenario() -> None:
        gateway = HttpGateway(sim.api_url, user_key="k", connect_timeout_s=0.5,
                              read_timeout_s=0.4, pacer=Pacer(0))
        try:
            issued = await gateway.submit(reg("gw-0000-0001"), in_doubt=False)
            assert isinstance(issued, Issued) and len(issued.nib) == 13
            assert issued.permit["nib"] == issued.nib and issued.elapsed_s > 0

            rejected = await gateway.submit(reg("gw-0000-0002", "64131"), in_doubt=False)
            assert isinstance(rejected, Rejected)
            assert "KBLI 64131" in rejected.reasons[0]

            expected = {"503": ("http_503", False), "500": ("http_500", True),
                        "504": ("http_504", True), "hang": ("timeout", True),
                        "reset": ("reset", True), "malformed": ("malformed", True)}
            for index, (kind, (reason, ambiguous)) in enumerate(expected.items()):
                sim.faults(error_rate=1, fault_mix={kind: 1})
                outcome = await gateway.submit(reg(f"gw-1000-{index:04d}"), in_doubt=False)
                assert isinstance(outcome, Unavailable), (kind, outcome)
                assert (outcome.reason, outcome.ambiguous) == (reason, ambiguous), kind
            sim.faults(error_rate=0)

            # 504, hang, reset and malformed acted before failing: each reference has its NIB,
            # and the retry in doubt finds it by lookup without registering it again
            before = sim.counters()
            for index, kind in enumerate(expected):
                again = await gateway.submit(reg(f"gw-1000-{index:04d}"), in_doubt=True)
                assert isinstance(again, Issued)
                assert again.found_by_lookup == (kind not in ("503", "500")), kind
            after = sim.counters()
            assert after["duplicate_registrations"] == before["duplicate_registrations"] == 0
            assert after["lookups"] - before["lookups"] == 6

            sim.faults(rate_limit=1, rate_burst=1)
            await gateway.submit(reg("gw-2000-0001"), in_doubt=False)
            limited = await gateway.submit(reg("gw-2000-0002"), in_doubt=False)
            assert isinstance(limited, Unavailable) and limited.reason == "rate_limited"
            assert limited.retry_after is not None and limited.retry_after >= 1
            sim.faults(rate_limit=0)

            wrong_key = HttpGateway(sim.api_url, user_key="wrong", pacer=Pacer(0))
            unauthorized = await wrong_key.submit(reg("gw-3000-0001"), in_doubt=False)
            await wrong_key.aclose()
            assert isinstance(unauthorized, Unavailable) and unauthorized.reason == "unauthorized"

            checker = PiaClient(sim.api_url, user_key="k")
            assert (await checker.check_nib(issued.nib)).state == "valid"
            assert (await checker.check_nib("1234567890123")).state == "unknown"
            await checker.aclose()
        finally:
            await gateway.aclose()

        refused = HttpGateway(f"http://127.0.0.1:{free_port()}/v1/kl/rba",
                              connect_timeout_s=0.5, pacer=Pacer(0))
        outcome = await refused.submit(reg("gw-4000-0001"), in_doubt=True)
        await refused.aclose()
        assert isinstance(outcome, Unavailable) and outcome.reason == "connect"
        assert not outcome.ambiguous
        down = PiaClient(f"http://127.0.0.1:{free_port()}/v1/kl/rba", user_key="k")
        assert (await down.check_nib("1234567890123")).state == "unreachable"
        await down.aclose()

    try:
        asyncio.run(scenario())
    finally:
        sim.kill()
