"""Pieces the transports share: rejections as JSON, body reading, SSE framing."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from passthrough.errors import (
    NotAcceptable,
    RequestRejected,
    RequestTimeout,
    ServerBusy,
    TooLarge,
    UnsupportedMediaType,
)
from passthrough.protocol import INVALID_REQUEST, Refusal, jsonrpc

SSE_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}
KEEPALIVE = b": keepalive\n\n"


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=jsonrpc.encode(payload), status=status, content_type="application/json", headers=headers)


def rejection(exc: RequestRejected) -> web.Response:
    """An HTTP refusal, with a JSON-RPC error body so MCP clients show the reason."""
    headers = {"Retry-After": "1"} if isinstance(exc, ServerBusy) else None
    response = json_response(jsonrpc.error(None, INVALID_REQUEST, exc.message), exc.status, headers)
    if isinstance(exc, (RequestTimeout, TooLarge)):
        response.force_close()  # the rest of that body is not worth waiting for
    return response


def refused(refusal: Refusal) -> web.Response:
    """A body the protocol layer turned away, with the status it gave."""
    return json_response(refusal.error, refusal.status)


def sse_event(event: str, data: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n".encode()


def require_json_body(request: web.Request) -> None:
    ctype = request.headers.get("Content-Type")
    if ctype is not None and request.content_type not in ("application/json", "application/json-rpc"):
        raise UnsupportedMediaType("Content-Type must be application/json")


def wants_sse_only(request: web.Request) -> bool:
    """True when the client accepts an event stream but not JSON; raises NotAcceptable if it accepts neither."""
    accept = request.headers.get("Accept")
    if not accept:
        return False
    ranges = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    json_ok = bool(ranges & {"application/json", "application/*", "*/*"})
    sse_ok = bool(ranges & {"text/event-stream", "text/*", "*/*"})
    if not json_ok and not sse_ok:
        raise NotAcceptable("Accept must allow application/json or text/event-stream")
    return sse_ok and not json_ok


async def read_body(request: web.Request, limit: int, seconds: float) -> bytes:
    """The whole body, at most `limit` bytes, arriving within `seconds` (a trickle holds nothing for long)."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    try:
        async with asyncio.timeout(seconds):
            return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _too_large(limit) from None
    except TimeoutError:
        raise RequestTimeout(
            f"The request body did not arrive within {seconds:g} s (PASSTHROUGH_BODY_TIMEOUT_SECONDS)"
        ) from None


def _too_large(limit: int) -> TooLarge:
    return TooLarge(f"Request body is larger than {limit} bytes (PASSTHROUGH_MAX_BODY_BYTES)")


async def write_event(response: web.StreamResponse, data: bytes, seconds: float) -> None:
    """Write to an event stream; a reader that takes nothing for `seconds` loses its stream (TimeoutError)."""
    async with asyncio.timeout(seconds):
        await response.write(data)
