"""Streamable HTTP on `/mcp`: the handshake revisions (2025-03-26 … 2025-11-25) and the stateless 2026-07-28.

The server is stateless at heart: a request without a session is answered on
its own, which is what lets a bare JSON-RPC post work. `initialize` still
issues an `Mcp-Session-Id`, which buys clients cancellation, a GET stream and
a binding: a session answers only to the credential that opened it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from passthrough.credentials import Presented
from passthrough.errors import ProtocolError, SessionNotFound
from passthrough.http._common import (
    KEEPALIVE,
    SSE_HEADERS,
    accepts_event_stream,
    answer_each,
    answer_streaming,
    read_body,
    refused,
    require_json_body,
    sse_event,
    wants_sse_only,
    write_event,
)
from passthrough.http._credentials import credentials
from passthrough.http._keys import ADMISSION, BINDING, CLIENT, DISPATCHER, MCP_SESSIONS, PRESENTED, SETTINGS
from passthrough.http._sessions import McpSession
from passthrough.protocol import (
    HANDSHAKE_PROTOCOL_VERSIONS,
    LATEST_HANDSHAKE_VERSION,
    MCP_PROTOCOL_VERSION_HEADER,
    MODERN_PROTOCOL_VERSIONS,
    Exchange,
    Notify,
    Refusal,
    admit,
    jsonrpc,
    progress_token,
    read_batch,
    reply_status,
    unsupported_version,
)

log = logging.getLogger("passthrough.http")

SESSION_HEADER = "Mcp-Session-Id"
REQUEST_CANCELLED = -32800


def _session(request: web.Request) -> tuple[McpSession | None, Presented]:
    """The request's session (if it names one) and the credential headers its messages run with."""
    sid = request.headers.get(SESSION_HEADER)
    if sid is None:
        return None, request[PRESENTED]
    return request.app[MCP_SESSIONS].find(sid, request[PRESENTED], request[BINDING])


async def post(request: web.Request) -> web.StreamResponse:
    limits = request.app[SETTINGS].limits
    require_json_body(request)
    sse_only = wants_sse_only(request)
    body = await read_body(request, limits.max_body_bytes, limits.body_timeout_seconds)
    version = request.headers.get(MCP_PROTOCOL_VERSION_HEADER)
    if version in MODERN_PROTOCOL_VERSIONS:
        return await _post_modern(request, body, version)
    if version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS:
        return refused(unsupported_version(version))
    session, presented = _session(request)
    creds = credentials(request, presented)
    revision = version or (session.version if session else None)
    try:
        batch = read_batch(body, revision, limits.max_batch, initialize_alone=True)
    except ProtocolError as exc:
        return refused(Refusal.of(exc))

    headers: dict[str, str] = {}
    if session is not None:
        for rid in batch.cancelled:
            session.work.cancel(rid)
    if batch.agreed is not None:
        session = request.app[MCP_SESSIONS].open(request[PRESENTED], request[BINDING], request[CLIENT], batch.agreed)
        headers[SESSION_HEADER] = session.id
        revision = batch.agreed
    requests = batch.requests
    if not requests:
        return web.Response(status=202)

    client = session.client if session is not None else request[CLIENT]
    if session is not None:
        session.work.check(len(requests))
    default = revision or LATEST_HANDSHAKE_VERSION

    async def work(notify: Notify | None) -> list[dict[str, Any]]:
        async with request.app[ADMISSION].slot(client, len(requests)):
            exchanges = batch.exchanges(creds, default, notify)
            return await answer_each([_answer(request, session, r, exchange) for r, exchange in exchanges])

    if batch.wants_progress and accepts_event_stream(request):
        # Progress travels as events in this POST's own stream, ahead of the answers.
        outcome = await answer_streaming(
            request, work, headers, limits.max_reply_bytes, limits.sse_write_timeout_seconds
        )
        if isinstance(outcome, web.StreamResponse):
            return outcome
        replies = outcome
    else:
        replies = await work(None)
    payload = jsonrpc.encode_replies(replies, batch.batch, limits.max_reply_bytes)
    if sse_only:
        return web.Response(body=sse_event("message", payload.decode()), headers={**SSE_HEADERS, **headers})
    return web.Response(body=payload, content_type="application/json", headers=headers)


async def _answer(
    request: web.Request, session: McpSession | None, msg: jsonrpc.Request, exchange: Exchange
) -> dict[str, Any]:
    dispatcher = request.app[DISPATCHER]
    if session is None:
        return await dispatcher.handle(msg, exchange)
    task = session.work.start(dispatcher.handle(msg, exchange), key=msg.id)
    try:
        reply: dict[str, Any] = await task
        return reply
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        return jsonrpc.error(msg.id, REQUEST_CANCELLED, "Request cancelled")


async def _post_modern(request: web.Request, body: bytes, version: str) -> web.StreamResponse:
    """One self-contained request of revision 2026-07-28: no session, the envelope in `_meta`."""
    creds = credentials(request)
    verdict = admit(body, version, request.headers.items())
    if verdict is None:
        return web.Response(status=202)
    if isinstance(verdict, Refusal):
        return refused(verdict)
    limits = request.app[SETTINGS].limits

    async def work(notify: Notify | None) -> list[dict[str, Any]]:
        async with request.app[ADMISSION].slot(request[CLIENT]):
            return [await request.app[DISPATCHER].handle(verdict.request, Exchange(creds, verdict.version, notify))]

    if progress_token(verdict.request) is not None and accepts_event_stream(request):
        # The revision's one stream for a request is its response: progress goes there, before the result;
        # closing it is the client's cancel (the handler, and with it the call, is cancelled).
        outcome = await answer_streaming(request, work, {}, limits.max_reply_bytes, limits.sse_write_timeout_seconds)
        if isinstance(outcome, web.StreamResponse):
            return outcome
        (reply,) = outcome
    else:
        (reply,) = await work(None)
    payload = jsonrpc.encode_replies([reply], False, limits.max_reply_bytes)
    return web.Response(body=payload, status=reply_status(reply), content_type="application/json")


async def get(request: web.Request) -> web.StreamResponse:
    """An idle stream for server-initiated messages; passthrough sends none, only keepalives."""
    if request.headers.get(MCP_PROTOCOL_VERSION_HEADER) in MODERN_PROTOCOL_VERSIONS:
        return web.Response(status=405, headers={"Allow": "POST"})
    session, _ = _session(request)
    if session is None:
        return web.Response(status=405, headers={"Allow": "POST, DELETE"}, text="GET needs an Mcp-Session-Id")
    sessions = request.app[MCP_SESSIONS]
    limits = request.app[SETTINGS].limits
    response = web.StreamResponse(headers=SSE_HEADERS)
    await response.prepare(request)
    try:
        while sessions.alive(session):
            try:
                await asyncio.wait_for(session.ended.wait(), limits.sse_keepalive_seconds)
            except TimeoutError:
                session.used = time.monotonic()  # an open stream keeps its session from expiring
                await write_event(response, KEEPALIVE, limits.sse_write_timeout_seconds)
    except (ConnectionResetError, TimeoutError):
        pass
    return response


async def delete(request: web.Request) -> web.StreamResponse:
    session, _ = _session(request)
    if session is None:
        raise SessionNotFound("DELETE needs the Mcp-Session-Id of a session to end")
    request.app[MCP_SESSIONS].close(session)
    return web.Response(status=204)
