"""Who is asking, what they may do, and the headers every answer carries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.db.audit import Actor
from app.domain.access import ADMIN, OFFICER, OSS_OPERATOR
from app.domain.forwarded import client_host, forwarded_chain, networks
from app.domain.users import ROLE_LABELS
from app.http_errors import user_error

if TYPE_CHECKING:
    from app.db.users import User
    from app.services.container import Services

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Paths whose pages may show personal data: never stored by any cache, the phone's included.
PRIVATE_PREFIXES = ("/petugas", "/admin", "/api", "/cek", "/masuk", "/undang", "/survei",
                    "/saran", "/mitra", "/daftar-mandiri")


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    return connection.scope.get("state", {}).get("user")


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: the connecting peer, or behind a trusted reverse proxy
    (``JBM_TRUSTED_PROXIES``) the right-most untrusted address of its forwarding header
    (app/domain/forwarded.py). Every per-client limit and the audit log use this."""
    peer = connection.client.host if connection.client else "unknown"
    settings = connection.app.state.services.settings
    if not settings.trusted_proxies:
        return peer
    header = settings.forwarded_header
    chain = forwarded_chain(header, connection.headers.getall(header, []))
    return client_host(peer, chain, networks(settings.trusted_proxies))


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """Who is asking and from where, for the audit log (app/services/audit.py)."""
    user = current_user(connection)
    return Actor(user.id if user else None, user.username if user else None,
                 f"{connection.scope.get('method', '')} {connection.url.path}".strip(),
                 client_address(connection))


def session_token(scope: Scope, cookie_name: str) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is an anonymous visitor
                return None
            if cookie_name in jar:
                return jar[cookie_name].value
    return None


class SessionMiddleware(ASGIMiddleware):
    """Puts the logged-in user (or None) in ``scope["state"]["user"]``."""

    exclude_path_pattern = ("^/static/", "^/sw.js$", "^/healthz$")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        services: Services = scope["litestar_app"].state.services
        token = session_token(scope, services.settings.session_cookie)
        user = await services.accounts.user_for(token) if token else None
        scope.setdefault("state", {})["user"] = user
        scope["state"]["session_token"] = token if user else None
        await next_app(scope, receive, send)


# Guards are coroutines: Litestar runs a plain function guard in a thread pool, which
# cost ~130 µs a request in bench/intake.py.
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


async def require_login(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Any logged-in user, whatever their role."""
    if current_user(connection) is None:
        raise user_error(401, "unauthenticated", "Silakan masuk terlebih dahulu.")


def _roles_text(roles: list[str]) -> str:
    labels = [ROLE_LABELS[role] for role in roles]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " dan " + labels[-1]


def require_roles(*roles: str) -> Guard:
    """A guard: a logged-in user whose role is one of ``roles``. Admins pass every role
    guard. Others get 403 with a page saying whom it is for (app/domain/access.py)."""
    allowed = [*dict.fromkeys((*roles, ADMIN))]

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise user_error(401, "unauthenticated", "Silakan masuk terlebih dahulu.")
        if user.role not in allowed:
            raise user_error(
                403, "forbidden",
                f"Halaman ini hanya untuk {_roles_text(allowed)}. Akun Anda berperan "
                f"{ROLE_LABELS.get(user.role, user.role)}. Bila pekerjaan Anda memerlukannya, "
                "hubungi admin kantor.")

    return guard


require_officer = require_roles(OFFICER)  # field officers (and admins)
require_operator = require_roles(OSS_OPERATOR)  # OSS operators (and admins)
require_admin = require_roles()  # admins only


async def same_origin_json(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """CSRF defence for the JSON API (cookie-authenticated, called by the service worker).

    A cross-site page cannot send ``application/json`` without a CORS preflight we never
    grant, and the browser marks its requests ``Sec-Fetch-Site: cross-site``.
    """
    if connection.scope.get("method") not in {"POST", "PUT", "PATCH", "DELETE"}:
        return
    headers = connection.headers
    if headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        raise user_error(403, "cross_site", "Permintaan lintas situs ditolak.")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise user_error(415, "unsupported_media_type", "Kirim data sebagai application/json.")


async def officer_json_api(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The JSON intake API's one guard: an officer (or admin), same-origin JSON."""
    await require_officer(connection, handler)
    await same_origin_json(connection, handler)


DEVICE_SCHEME = "device "


async def intake_json_api(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """The intake API's guard: a session, or else a phone's device credential
    (``Authorization: Device <token>``), which is accepted here and nowhere else."""
    if current_user(connection) is None:
        header = connection.headers.get("authorization", "")
        if header[: len(DEVICE_SCHEME)].lower() == DEVICE_SCHEME:
            services: Services = connection.app.state.services
            user = await services.accounts.device_user(header[len(DEVICE_SCHEME):].strip())
            if user is not None:
                connection.scope["state"]["user"] = user
    await officer_json_api(connection, handler)


class HeadersMiddleware(ASGIMiddleware):
    """Security headers and cache rules on every answer, errors and static files included."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, https: bool) -> None:
        base = {
            "content-security-policy": CSP,
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
            "x-frame-options": "DENY",
            "cross-origin-opener-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if https:
            base["strict-transport-security"] = "max-age=31536000"
        self._base = [(k.encode(), v.encode()) for k, v in base.items()]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        private = scope["path"].startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self._base if h[0] not in present)
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store" if private else b"no-cache"))
                message["headers"] = headers
            await send(message)

        await next_app(scope, receive, send_with_headers)
