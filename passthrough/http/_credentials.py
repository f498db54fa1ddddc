"""Credentials at the HTTP layer: headers validated once per request, resolved in one step every transport takes.

The middleware reads the credential headers of every request. Resolving them
against the settings (API key, fallback policy) waits for the transport: a
session's message runs with the headers of the session that opened it, and
the transport knows when a refusal of the key is the answer it should give.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from passthrough.credentials import Presented, RequestCredentials, extract, resolve
from passthrough.http._keys import BINDING, BINDING_KEY, CLIENT, CREDENTIALS, PRESENTED, SETTINGS

log = logging.getLogger("passthrough.http")


@web.middleware
async def credential_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Validate the credential headers once; handlers read the result, never the raw headers."""
    if request.path != "/healthz":
        presented = extract(request.headers)
        request[PRESENTED] = presented
        binding = presented.binding(request.app[BINDING_KEY])
        request[BINDING] = binding
        # Per-client limits: the same credentials from the same address are one client.
        request[CLIENT] = f"{binding[:32]}@{request.remote or ''}"
        if presented.forwarded:
            _warn_proxied(request)
    return await handler(request)


def credentials(request: web.Request, presented: Presented | None = None) -> RequestCredentials:
    """The credentials `request` runs with, kept under CREDENTIALS; raises InvalidApiKey for a key not held.

    `presented` is what a session lookup settled on (its own headers, or the
    request's merged over them); without it, the request's own headers.
    """
    resolved = resolve(request[PRESENTED] if presented is None else presented, request.app[SETTINGS])
    request[CREDENTIALS] = resolved
    return resolved


_warned: set[int] = set()


def _warn_proxied(request: web.Request) -> None:
    settings = request.app[SETTINGS]
    shared = any(p.fallback for p in settings.providers)
    if settings.fallback == "open" and not settings.fallback_explicit and shared and id(request.app) not in _warned:
        _warned.add(id(request.app))
        log.warning(
            "A request came through a reverse proxy (it carries forwarding headers). The server's shared "
            "credentials are open by default only to clients on this machine, so proxied requests do not get "
            "them. Set PASSTHROUGH_API_KEY_HASHES (recommended) or PASSTHROUGH_FALLBACK=open to decide."
        )
