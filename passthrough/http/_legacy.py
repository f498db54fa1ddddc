"""The HTTP+SSE transport of revision 2024-11-05: `GET /sse` opens a stream, `POST /messages` feeds it.

The stream's first event names the endpoint as a path on this server (never a
full URL), so a client cannot be steered to post its messages elsewhere.
A stream whose reader stops reading is ended once its queued events pass
their byte limit or a write stalls past its timeout: the server never buffers
without bound for a client that does not read.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from passthrough.credentials import RequestCredentials
from passthrough.errors import ProtocolError, ServerBusy
from passthrough.http._common import (
    KEEPALIVE,
    SSE_HEADERS,
    answer_each,
    read_body,
    refused,
    require_json_body,
    sse_event,
    write_event,
)
from passthrough.http._credentials import credentials
from passthrough.http._keys import ADMISSION, CLIENT, DISPATCHER, LEGACY_SESSIONS, PRESENTED, SETTINGS
from passthrough.http._sessions import LegacySession
from passthrough.protocol import INTERNAL_ERROR, Batch, Refusal, jsonrpc, read_batch

log = logging.getLogger("passthrough.http")


async def open_stream(request: web.Request) -> web.StreamResponse:
    limits = request.app[SETTINGS].limits
    credentials(request)  # refuse a bad API key now rather than on every message
    sessions = request.app[LEGACY_SESSIONS]
    session = sessions.open(request[PRESENTED], request[CLIENT])
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
    limits = request.app[SETTINGS].limits
    session, presented = request.app[LEGACY_SESSIONS].find(request.query.get("session_id"), request[PRESENTED])
    require_json_body(request)
    body = await read_body(request, limits.max_body_bytes, limits.body_timeout_seconds)
    creds = credentials(request, presented)
    try:
        batch = read_batch(body, session.version, limits.max_batch)
    except ProtocolError as exc:
        return refused(Refusal.of(exc))
    for rid in batch.cancelled:
        if session.work.cancel(rid):
            log.debug("cancelled request on legacy session %s…", session.id[:6])
    if batch.agreed is not None:
        session.version = batch.agreed
    if batch.requests:
        first = batch.requests[0].id if not batch.batch else None
        session.work.start(_answer(request.app, session, batch, creds), key=first)
    return web.Response(status=202, text="Accepted")


async def _answer(
    app: web.Application,
    session: LegacySession,
    batch: Batch,
    creds: RequestCredentials,
) -> None:
    dispatcher = app[DISPATCHER]
    limits = app[SETTINGS].limits
    requests = batch.requests

    def notify(message: dict[str, Any]) -> None:
        # Progress goes on the session's stream, ahead of the answer; a stream past its limit ends as for answers.
        session.outbox.put(sse_event("message", jsonrpc.encode(message).decode()))

    exchanges = batch.exchanges(creds, session.version, notify if batch.wants_progress else None)
    try:
        async with app[ADMISSION].slot(session.client, len(requests)):
            replies = await answer_each([dispatcher.handle(r, exchange) for r, exchange in exchanges])
    except ServerBusy as exc:
        replies = [jsonrpc.error(r.id, INTERNAL_ERROR, exc.message) for r in requests]
    body = jsonrpc.encode_replies(replies, batch.batch, limits.max_reply_bytes)
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
