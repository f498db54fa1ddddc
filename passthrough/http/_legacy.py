"""The HTTP+SSE transport of revision 2024-11-05: `GET /sse` opens a stream, `POST /messages` feeds it.

The stream's first event names the endpoint as a path on this server (never a
full URL), so a client cannot be steered to post its messages elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from passthrough.credentials import resolve
from passthrough.errors import ProtocolError
from passthrough.http._common import (
    KEEPALIVE,
    SSE_HEADERS,
    protocol_failure,
    read_body,
    require_json_body,
    sse_event,
)
from passthrough.http._keys import DISPATCHER, LEGACY_SESSIONS, PRESENTED, SETTINGS
from passthrough.http._sessions import END_OF_STREAM, LegacySession
from passthrough.protocol import Exchange, jsonrpc, negotiate
from passthrough.protocol._sdk import BATCHING_VERSIONS, INVALID_REQUEST

log = logging.getLogger("passthrough.http")


async def open_stream(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    presented = request[PRESENTED]
    resolve(presented, settings)  # refuse a bad API key now rather than on every message
    sessions = request.app[LEGACY_SESSIONS]
    session = sessions.open(presented)
    response = web.StreamResponse(headers=SSE_HEADERS)
    try:
        await response.prepare(request)
        await response.write(sse_event("endpoint", f"/messages?session_id={session.id}"))
        log.debug("legacy session %s… opened (%d open)", session.id[:6], len(sessions))
        keepalive = settings.limits.sse_keepalive_seconds
        while True:
            try:
                data = await asyncio.wait_for(session.outbox.get(), keepalive)
            except TimeoutError:
                data = KEEPALIVE
            if data == END_OF_STREAM:
                break
            await response.write(data)
    except ConnectionResetError:
        pass
    finally:
        sessions.close(session)
        log.debug("legacy session %s… closed (%d open)", session.id[:6], len(sessions))
    return response


async def post_message(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    session, presented = request.app[LEGACY_SESSIONS].find(request.query.get("session_id"), request[PRESENTED])
    require_json_body(request)
    body = await read_body(request, settings.limits.max_body_bytes)
    credentials = resolve(presented, settings)
    value: Any = None
    try:
        value = jsonrpc.decode(body)
        batch = isinstance(value, list)
        if batch and (not value or session.version not in BATCHING_VERSIONS):
            raise ProtocolError(INVALID_REQUEST, f"Batches are not allowed in revision {session.version}")
        messages = [jsonrpc.message(item) for item in (value if batch else [value])]
    except ProtocolError as exc:
        return protocol_failure(exc, rid=jsonrpc.request_id_of(value))
    requests: list[jsonrpc.Request] = []
    for msg in messages:
        if isinstance(msg, jsonrpc.Notification):
            _notified(session, msg)
        elif isinstance(msg, jsonrpc.Request):
            if msg.method == "initialize":
                session.version = negotiate((msg.params or {}).get("protocolVersion"))
            requests.append(msg)
    if requests:
        exchange = Exchange(credentials, session.version)
        key = requests[0].id if not batch else None
        session.work.start(_answer(request.app, session, requests, exchange, batch), key=key)
    return web.Response(status=202, text="Accepted")


def _notified(session: LegacySession, note: jsonrpc.Notification) -> None:
    if note.method == "notifications/cancelled":
        rid = (note.params or {}).get("requestId")
        if rid is not None and session.work.cancel(rid):
            log.debug("cancelled request on legacy session %s…", session.id[:6])


async def _answer(
    app: web.Application,
    session: LegacySession,
    requests: list[jsonrpc.Request],
    exchange: Exchange,
    batch: bool,
) -> None:
    dispatcher = app[DISPATCHER]
    replies: list[dict[str, Any]] = list(await asyncio.gather(*(dispatcher.handle(r, exchange) for r in requests)))
    payload: Any = replies if batch else replies[0]
    await session.outbox.put(sse_event("message", jsonrpc.encode(payload).decode()))
