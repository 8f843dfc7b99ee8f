"""One settings object, built from ``JBM_*`` environment variables with safe defaults.

Nothing here is read at import time: ``Settings.from_env()`` is called by the CLI, and tests
build ``Settings(...)`` directly with a temporary data directory.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"JBM_{name}", default)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / "var"
    database_path: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = None
    # sessions: idle and absolute lifetime in seconds
    session_idle_s: int = 8 * 3600
    session_absolute_s: int = 7 * 24 * 3600
    # largest accepted request body (bytes) and items per batch
    max_body_bytes: int = 256 * 1024
    max_batch_items: int = 200
    # group-commit writer: most applications committed in one transaction
    writer_max_batch: int = 256
    templates_dir: Path = PROJECT_ROOT / "web"
    static_dir: Path = PROJECT_ROOT / "static"
    sw_dir: Path = PROJECT_ROOT / "sw"
    debug: bool = False
    # changes the service-worker version without changing files (tests of app updates)
    shell_salt: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(_env("DATA_DIR", str(PROJECT_ROOT / "var")))
        db = os.environ.get("JBM_DATABASE_PATH")
        port = int(_env("PORT", "8000"))
        host = _env("HOST", "127.0.0.1")
        return cls(
            data_dir=data_dir,
            database_path=Path(db) if db else None,
            host=host,
            port=port,
            base_url=_env("BASE_URL", f"http://{host}:{port}").rstrip("/"),
            secret_key=os.environ.get("JBM_SECRET_KEY") or None,
            session_idle_s=int(_env("SESSION_IDLE_S", str(8 * 3600))),
            session_absolute_s=int(_env("SESSION_ABSOLUTE_S", str(7 * 24 * 3600))),
            max_body_bytes=int(_env("MAX_BODY_BYTES", str(256 * 1024))),
            debug=_env("DEBUG", "0") == "1",
            shell_salt=_env("SHELL_SALT", ""),
        )

    @property
    def db_path(self) -> Path:
        return self.database_path or self.data_dir / "jbm.sqlite3"

    @property
    def https(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix demands Secure, Path=/ and no Domain: only possible over TLS.
        return "__Host-jbm_session" if self.https else "jbm_session"

    def resolved_secret_key(self) -> str:
        """The secret key from settings, or one generated on first run and kept on disk."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
