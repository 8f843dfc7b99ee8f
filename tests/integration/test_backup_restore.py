"""Backups that are proven to restore.

The drill: the real server replicates with Litestream to a directory while an officer's
applications arrive over HTTP; a snapshot is taken mid-stream; then Litestream and the app
are killed with SIGKILL, and the replica and the snapshot are restored into new data
directories. Every application acknowledged more than the sync interval before the kill
is in the restored database, SQLite finds it whole, and a server started on it answers a
citizen's lookup.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.support import (
    ROOT,
    ServerProcess,
    application,
    client,
    csrf_from,
    new_key,
    officer_client,
    post_application,
)

SYNC_S = 1.0  # JBM_BACKUP_SYNC_INTERVAL_S of the drill


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "JBM_DATA_DIR": str(data_dir)}, check=False,
    )


def max_txid(ltx_dir: Path) -> int:
    """The highest Litestream transaction ID among the LTX files under ``ltx_dir``
    (named ``<min txid>-<max txid>.ltx``, hexadecimal, one directory per level)."""
    ids = [int(f.name.split("-")[1][:16], 16) for f in ltx_dir.glob("*/*.ltx")]
    return max(ids, default=0)


def litestream_pid(server: ServerProcess) -> int:
    assert server.proc is not None
    tasks = Path(f"/proc/{server.proc.pid}/task")
    children = [pid for task in tasks.iterdir()
                for pid in (task / "children").read_text().split()]
    found = [int(pid) for pid in children
             if Path(f"/proc/{pid}/comm").read_text().strip() == "litestream"]
    assert len(found) == 1, children
    return found[0]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Officer(threading.Thread):
    """Posts applications one after another, noting when each was acknowledged."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.http = officer_client(base_url)
        self.acked: list[tuple[float, str, str]] = []  # (monotonic time, key, tracking code)
        self.names: dict[str, str] = {}  # key -> business name
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        while not self.done.is_set():
            key = new_key()
            name = f"Warung Drill {len(self.names) + 1:05d}"
            self.names[key] = name
            try:
                response = post_application(self.http, key, application(business_name=name))
            except httpx.TransportError:
                return  # the server was killed
            if response.status_code not in (200, 201):
                self.error = response.text
                return
            with self.lock:
                self.acked.append((time.monotonic(), key, response.json()["tracking_code"]))

    def acked_before(self, moment: float) -> dict[str, str]:
        assert self.error is None, self.error
        with self.lock:
            return {key: code for at, key, code in self.acked if at < moment}


def stored(db_path: Path) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    try:
        return dict(conn.execute("SELECT client_id, tracking_code FROM applications"))
    finally:
        conn.close()


def test_restore_drill_after_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data, JBM_BACKUP="on", JBM_BACKUP_SYNC_INTERVAL_S=str(SYNC_S))
    server.seed()
    server.start()
    local_ltx = data / ".jbm.sqlite3-litestream" / "ltx"  # Litestream's own position
    replica_ltx = data / "replica" / "ltx"
    officer = Officer(server.url)
    try:
        wait_for(lambda: max_txid(replica_ltx) >= 1, 15, "the replica's first snapshot")
        officer.start()
        wait_for(lambda: len(officer.acked_before(time.monotonic())) >= 20, 15,
                 "the first applications")

        # A snapshot while the officer keeps writing.
        before_snapshot = time.monotonic()
        snap = cli("backup", "--to", str(tmp_path / "snap"), data_dir=data)
        assert snap.returncode == 0, snap.stderr
        assert "integrity_check: ok" in snap.stdout
        in_snapshot = officer.acked_before(before_snapshot)

        # Kill at a moment K when the replica provably holds everything acknowledged before
        # K - SYNC_S. Litestream turns the WAL into numbered transactions: seen locally at
        # position L at time t, a commit acknowledged before t is at most in L + 2 (L + 1
        # may have read the WAL just before t). So the replica reaching L + 2 covers t.
        seen: list[tuple[float, int]] = []  # (time, local position)

        def replica_covers_sync_interval() -> bool:
            now = time.monotonic()
            seen.append((now, max_txid(local_ltx)))
            replica = max_txid(replica_ltx)
            covered = [t for t, position in seen if position and replica >= position + 2]
            return (len(officer.acked_before(now - SYNC_S)) >= 40
                    and bool(covered) and max(covered) >= now - SYNC_S)

        wait_for(replica_covers_sync_interval, 30, "the replica to catch up")
        kill_at = seen[-1][0]
        os.kill(litestream_pid(server), signal.SIGKILL)
        server.kill()
    finally:
        officer.done.set()
        officer.join(15)
        officer.http.close()
        server.kill()

    promised = officer.acked_before(kill_at - SYNC_S)
    sent_later = officer.acked_before(float("inf"))
    assert len(promised) >= 40

    restored_dir = tmp_path / "restored"
    result = cli("restore", "--from", str(data / "replica"), "--to", str(restored_dir),
                 data_dir=tmp_path / "unused")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "integrity_check: ok" in result.stdout
    restored = stored(restored_dir / "jbm.sqlite3")
    missing = sorted(set(promised) - set(restored))
    assert not missing, f"{len(missing)} of {len(promised)} acknowledged applications lost"
    assert all(restored[key] == code for key, code in promised.items())
    # Nothing in it that the officer was not told about, bar those in flight at the kill.
    assert len(set(restored) - set(sent_later)) <= 1

    snapshot_dir = tmp_path / "from-snapshot"
    from_snap = cli("restore", "--from", str(tmp_path / "snap"), "--to", str(snapshot_dir),
                    data_dir=tmp_path / "unused")
    assert from_snap.returncode == 0, from_snap.stdout + from_snap.stderr
    assert "integrity_check: ok" in from_snap.stdout
    assert set(in_snapshot) <= set(stored(snapshot_dir / "jbm.sqlite3"))
    # The snapshot carries the keys: sessions and citizens' push subscriptions survive.
    assert (snapshot_dir / "vapid_private.pem").read_bytes() == (
        data / "vapid_private.pem").read_bytes()

    # The restored data directory serves: a citizen looks up an acknowledged application.
    revived = ServerProcess(restored_dir).start()
    try:
        key = next(reversed(promised))  # the last one promised
        with client(revived.url) as citizen:
            token = csrf_from(citizen.get("/cek").text)
            page = citizen.post("/cek", data={"_csrf_token": token, "kode": promised[key],
                                              "digits": "7890"})
        assert page.status_code == 200
        assert officer.names[key] in page.text
    finally:
        revived.stop()


def test_restore_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("migrate", data_dir=data).returncode == 0
    target = tmp_path / "target"
    target.mkdir()
    (target / "jbm.sqlite3").write_text("data someone still needs")
    result = cli("restore", "--from", str(data / "jbm.sqlite3"), "--to", str(target),
                 data_dir=data)
    assert result.returncode == 2
    assert "kosong" in result.stderr
    assert (target / "jbm.sqlite3").read_text() == "data someone still needs"


def test_snapshot_restores_with_integrity_check_and_private_modes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("migrate", data_dir=data).returncode == 0
    backup = cli("backup", data_dir=data)
    assert backup.returncode == 0, backup.stderr
    [snapshot] = (data / "backups").iterdir()
    assert oct(snapshot.stat().st_mode)[-3:] == "700"
    assert oct((snapshot / "jbm.sqlite3").stat().st_mode)[-3:] == "600"

    target = tmp_path / "restored"
    result = cli("restore", "--from", str(snapshot), "--to", str(target), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "integrity_check: ok" in result.stdout
    assert oct(target.stat().st_mode)[-3:] == "700"
    assert oct((target / "jbm.sqlite3").stat().st_mode)[-3:] == "600"
    def migrations(db: Path) -> list[tuple[int, str]]:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        finally:
            conn.close()

    assert migrations(target / "jbm.sqlite3") == migrations(data / "jbm.sqlite3") != []


def test_restore_reports_a_damaged_snapshot(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("migrate", data_dir=data).returncode == 0
    snapshot = tmp_path / "snap"
    assert cli("backup", "--to", str(snapshot), data_dir=data).returncode == 0
    # Overwrite a page in the middle of the file: b-tree pages no longer make sense.
    db = snapshot / "jbm.sqlite3"
    raw = bytearray(db.read_bytes())
    page = 4096
    raw[page * 3: page * 6] = b"\xff" * (page * 3)
    db.write_bytes(bytes(raw))
    result = cli("restore", "--from", str(snapshot), "--to", str(tmp_path / "r"),
                 data_dir=data)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "integrity_check: ok" not in result.stdout
    assert "RUSAK" in result.stderr
