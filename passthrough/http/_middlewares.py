"""Middlewares, one concern each: turn refusals into responses, check Host and Origin (credentials: `_credentials`)."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from passthrough.errors import HostForbidden, OriginForbidden, RequestRejected
from passthrough.http._common import read_body, rejection
from passthrough.http._keys import CLUSTER, SETTINGS
from passthrough.protocol import MCP_PROTOCOL_VERSION_HEADER, MODERN_PROTOCOL_VERSIONS
from passthrough.settings import is_loopback

log = logging.getLogger("passthrough.http")


@web.middleware
async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RequestRejected as exc:
        log.info("refused %s %s: %d %s", request.method, request.path, exc.status, exc.message)
        return rejection(exc)


def _loopback_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """`Host` without its port, lower-cased; `[::1]:8000` → `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


@web.middleware
async def host_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a Host this server is not known by: a DNS-rebinding page names its own host, not ours.

    `PASSTHROUGH_ALLOWED_HOSTS` lists the names it answers to (`*` for any).
    Unset, a server on a loopback address answers only to loopback names,
    and one bound elsewhere to any name.
    """
    settings = request.app[SETTINGS]
    allowed = settings.allowed_hosts
    if request.path != "/healthz" and "*" not in allowed and (allowed or is_loopback(settings.host)):
        name = _host_name(request.headers.get("Host", ""))
        if not (name in allowed or is_loopback(name) or name == settings.host.strip("[]").lower()):
            raise HostForbidden("Host not allowed; add the name clients use to PASSTHROUGH_ALLOWED_HOSTS")
    return await handler(request)


@web.middleware
async def origin_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse browsers on other sites (DNS rebinding, CSRF); requests without Origin are not browsers."""
    origin = request.headers.get("Origin")
    if origin is not None:
        allowed = request.app[SETTINGS].allowed_origins
        if not (_loopback_origin(origin) or origin.rstrip("/") in allowed):
            raise OriginForbidden("Origin not allowed; add it to PASSTHROUGH_ALLOWED_ORIGINS")
    return await handler(request)


def _session_named(request: web.Request) -> str | None:
    """The session a request is for, when it is for one (the stateless revision never is)."""
    if request.path in ("/messages", "/messages/"):
        return request.query.get("session_id")
    if request.path == "/mcp" and request.headers.get(MCP_PROTOCOL_VERSION_HEADER) not in MODERN_PROTOCOL_VERSIONS:
        return request.headers.get("Mcp-Session-Id")
    return None


@web.middleware
async def route_sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request for a session another process owns goes to that process (passthrough/cluster)."""
    cluster = request.app[CLUSTER]
    if cluster.routes:
        session = _session_named(request)
        if session:
            limits = request.app[SETTINGS].limits
            carried = await cluster.carry(
                request, session, lambda: read_body(request, limits.max_body_bytes, limits.body_timeout_seconds)
            )
            if carried is not None:
                return carried
    return await handler(request)
