"""The simulator's fault plan: down windows first, then the error rate and the mix."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from app.ossim.faults import (
    FaultConfig,
    decide,
    in_down_window,
    latency_s,
    parse_latency,
    parse_mix,
    parse_window,
    update_faults,
)


def test_error_rate_and_mix() -> None:
    config = FaultConfig(error_rate=0.5, fault_mix=parse_mix("503=1,hang=1"))
    rng = random.Random(5)
    kinds = Counter((f.kind if f else None) for f in (decide(config, 0.0, rng)
                                                       for _ in range(10000)))
    assert 4700 < kinds[None] < 5300
    assert set(kinds) == {None, "503", "hang"}
    assert abs(kinds["503"] - kinds["hang"]) < 400


def test_which_faults_act_before_failing() -> None:
    rng = random.Random(1)
    config = FaultConfig(error_rate=1.0)
    acted = {f.kind: f.acts_first for f in (decide(config, 0.0, rng) for _ in range(200)) if f}
    assert acted == {"503": False, "500": False, "504": True, "hang": True, "reset": True,
                     "malformed": True}


def test_down_windows_fail_everything_and_act_on_nothing() -> None:
    config = FaultConfig(down=[parse_window("10:20:hang", now=100.0)])
    rng = random.Random(2)
    assert decide(config, 105.0, rng) is None
    fault = decide(config, 115.0, rng)
    assert fault is not None and fault.kind == "hang" and fault.down and not fault.acts_first
    assert in_down_window(config, 120.0) is None


def test_parsing_flags() -> None:
    assert parse_mix("503,reset=2") == {"503": 1.0, "reset": 2.0}
    assert parse_latency("20") == (20.0, 20.0) and parse_latency("5-50") == (5.0, 50.0)
    for bad in ("teapot=1", "503=-1", "", "503=0"):
        with pytest.raises(ValueError):
            parse_mix(bad)
    for bad in ("10", "5:1", "1:2:boom"):
        with pytest.raises(ValueError):
            parse_window(bad, 0.0)
    with pytest.raises(ValueError):
        parse_latency("9-3")
    assert latency_s(FaultConfig(latency_ms=(10, 10)), random.Random(0)) == 0.01


def test_the_admin_endpoint_changes_only_what_it_names() -> None:
    config = FaultConfig(error_rate=0.2, hang_s=9.0, down=[parse_window("0:5", now=0.0)])
    update_faults(config, {"fault_mix": {"503": 1, "reset": 3}, "latency_ms": "5-50",
                           "rate_burst": 0, "down": [{"start_s": 10, "end_s": 40,
                                                      "mode": "reset"}]}, now=100.0)
    assert config.error_rate == 0.2 and config.hang_s == 9.0
    assert config.fault_mix == {"503": 1.0, "reset": 3.0}
    assert config.latency_ms == (5.0, 50.0) and config.rate_burst == 1
    assert [(w.start, w.end, w.mode) for w in config.down] == [(0.0, 5.0, "503"),
                                                                 (110.0, 140.0, "reset")]
    update_faults(config, {"clear_down": True, "error_rate": 1}, now=200.0)
    assert config.down == [] and config.error_rate == 1.0
    with pytest.raises(ValueError):
        update_faults(config, {"error_rate": 1.5}, now=0.0)
    assert config.error_rate == 1.0
