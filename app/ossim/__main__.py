"""``python -m app.ossim``: the simulator's command line (flags, then uvicorn)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import time
from pathlib import Path

from app.ossim import faults as fault_plan
from app.ossim.asgi import TrackingProtocol
from app.ossim.faults import FaultConfig
from app.ossim.server import SimSettings, Simulator
from app.ossim.store import NibStore
from app.ossim.validation import load_kbli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.ossim",
                                     description="A local OSS for Joss Banget Mas")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, default=Path("var/oss-simulator.sqlite3"),
                        help="SQLite file of issued NIBs (kept across restarts)")
    parser.add_argument("--user-key", default=os.environ.get("JBM_OSS_SIM_USER_KEY"),
                        help="require this user_key header (env JBM_OSS_SIM_USER_KEY)")
    parser.add_argument("--pia-username", default=os.environ.get("JBM_OSS_SIM_PIA_USERNAME"))
    parser.add_argument("--pia-password", default=os.environ.get("JBM_OSS_SIM_PIA_PASSWORD"))
    parser.add_argument("--push-url", help="the app's receiveNIB URL")
    parser.add_argument("--push-on-issue", action="store_true",
                        help="push receiveNIB for every NIB issued, as OSS does")
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--fault-mix", default=",".join(fault_plan.FAULT_KINDS))
    parser.add_argument("--latency-ms", default="0")
    parser.add_argument("--hang-s", type=float, default=3600.0)
    parser.add_argument("--down", action="append", default=[],
                        help="START:END[:MODE] seconds from start (MODE 503, hang, reset)")
    parser.add_argument("--rate-limit", type=float, default=0.0)
    parser.add_argument("--rate-burst", type=int, default=1)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--parent-pid", type=int, help="stop when this parent process is gone")
    parser.add_argument("--log-level", default="warning")
    return parser


def settings_from_args(args: argparse.Namespace, now: float) -> SimSettings:
    faults = FaultConfig(
        error_rate=args.error_rate,
        fault_mix=fault_plan.parse_mix(args.fault_mix),
        latency_ms=fault_plan.parse_latency(args.latency_ms),
        hang_s=args.hang_s,
        rate_limit=args.rate_limit,
        rate_burst=max(1, args.rate_burst),
        down=[fault_plan.parse_window(w, now) for w in args.down],
    )
    if not 0 <= faults.error_rate <= 1:
        raise ValueError("--error-rate must be between 0 and 1")
    return SimSettings(faults=faults, user_key=args.user_key or None,
                       pia_username=args.pia_username, pia_password=args.pia_password,
                       push_url=args.push_url, push_on_issue=args.push_on_issue,
                       parent_pid=args.parent_pid)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s sim %(message)s")
    try:
        settings = settings_from_args(args, time.monotonic())
    except ValueError as exc:
        print(f"simulator: {exc}", flush=True)
        return 2
    rng = random.Random(args.seed)
    simulator = Simulator(settings, NibStore(args.db, rng), load_kbli(), rng)
    config = uvicorn.Config(simulator, host=args.host, port=args.port, http=TrackingProtocol,
                            lifespan="on", log_level=args.log_level, access_log=False,
                            timeout_keep_alive=30)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn already shut down cleanly
        uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
