"""The HTTP+SSE transport of revision 2024-11-05: `GET /sse` opens a stream, `POST /messages` feeds it.

The stream's first event names the endpoint as a path on this server (never a
full URL), so a client cannot be steered to post its messages elsewhere.
A stream whose reader stops reading is ended once its queued events pass
their byte limit or a write stalls past its timeout: the server never buffers
without bound for a client that does not read.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from passthrough.credentials import resolve
from passthrough.errors import ProtocolError, ServerBusy
from passthrough.http._common import (
    KEEPALIVE,
    SSE_HEADERS,
    protocol_failure,
    read_body,
    require_json_body,
    sse_event,
    write_event,
)
from passthrough.http._keys import ADMISSION, CLIENT, DISPATCHER, LEGACY_SESSIONS, PRESENTED, SETTINGS
from passthrough.http._sessions import LegacySession
from passthrough.protocol import Exchange, jsonrpc, negotiate, revision_of
from passthrough.protocol._sdk import INTERNAL_ERROR

log = logging.getLogger("passthrough.http")


async def open_stream(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    limits = settings.limits
    presented = request[PRESENTED]
    resolve(presented, settings)  # refuse a bad API key now rather than on every message
    sessions = request.app[LEGACY_SESSIONS]
    session = sessions.open(presented, request[CLIENT])
    response = web.StreamResponse(headers=SSE_HEADERS)
    if request.transport is not None:
        session.abort = request.transport.abort
    try:
        await response.prepare(request)
        await response.write(sse_event("endpoint", f"/messages?session_id={session.id}"))
        log.debug("legacy session %s… opened (%d open)", session.id[:6], len(sessions))
        while True:
            data = await session.outbox.get(limits.sse_keepalive_seconds)
            await write_event(response, KEEPALIVE if data is None else data, limits.sse_write_timeout_seconds)
    except EOFError:
        pass
    except TimeoutError:
        log.info(
            "legacy session %s… ended: its reader took nothing for %g s",
            session.id[:6],
            limits.sse_write_timeout_seconds,
        )
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
    body = await read_body(request, settings.limits.max_body_bytes, settings.limits.body_timeout_seconds)
    credentials = resolve(presented, settings)
    try:
        messages, batch = jsonrpc.parse(body, session.version, settings.limits.max_batch)
    except ProtocolError as exc:
        return protocol_failure(exc)
    requests: list[jsonrpc.Request] = []
    for msg in messages:
        if isinstance(msg, jsonrpc.Notification):
            _notified(session, msg)
        elif isinstance(msg, jsonrpc.Request):
            if msg.method == "initialize":
                session.version = negotiate((msg.params or {}).get("protocolVersion"))
            requests.append(msg)
    if requests:
        work = _answer(request.app, session, requests, credentials, batch)
        session.work.start(work, key=requests[0].id if not batch else None)
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
    credentials: Any,
    batch: bool,
) -> None:
    dispatcher = app[DISPATCHER]
    limits = app[SETTINGS].limits
    try:
        async with app[ADMISSION].slot(session.client, len(requests)):
            replies: list[dict[str, Any]] = list(
                await asyncio.gather(
                    *(dispatcher.handle(r, Exchange(credentials, revision_of(r, session.version))) for r in requests)
                )
            )
    except ServerBusy as exc:
        replies = [jsonrpc.error(r.id, INTERNAL_ERROR, exc.message) for r in requests]
    body = jsonrpc.encode_replies(replies, batch, limits.max_reply_bytes)
    if not session.outbox.put(sse_event("message", body.decode())):
        if session.outbox.overflowed and session.abort is not None:
            # The reader is not reading: drop the connection, and what its socket buffer already holds.
            log.info(
                "legacy session %s… ended: its reader fell more than %d bytes behind",
                session.id[:6],
                limits.sse_buffer_bytes,
            )
            session.abort()
            session.abort = None
        else:
            log.debug("legacy session %s…: answer dropped, the stream has ended", session.id[:6])
