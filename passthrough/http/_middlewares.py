"""Middlewares, one concern each: turn refusals into responses, check Origin, read credential headers."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from passthrough.credentials import extract
from passthrough.errors import OriginForbidden, RequestRejected
from passthrough.http._common import rejection
from passthrough.http._keys import PRESENTED, SETTINGS

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


@web.middleware
async def origin_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse browsers on other sites (DNS rebinding, CSRF); requests without Origin are not browsers."""
    origin = request.headers.get("Origin")
    if origin is not None:
        allowed = request.app[SETTINGS].allowed_origins
        if not (_loopback_origin(origin) or origin.rstrip("/") in allowed):
            raise OriginForbidden("Origin not allowed; add it to PASSTHROUGH_ALLOWED_ORIGINS")
    return await handler(request)


@web.middleware
async def credential_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Validate the credential headers once; handlers read the result, never the raw headers."""
    if request.path != "/healthz":
        request[PRESENTED] = extract(request.headers)
    return await handler(request)
