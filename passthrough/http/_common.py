"""Pieces the transports share: rejections as JSON, body reading, SSE framing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from passthrough.errors import (
    NotAcceptable,
    RequestRejected,
    RequestTimeout,
    ServerBusy,
    TooLarge,
    UnsupportedMediaType,
)
from passthrough.protocol import INVALID_REQUEST, Notify, Refusal, jsonrpc

T = TypeVar("T")


async def answer_each(replies: list[Awaitable[T]]) -> list[T]:
    """The replies to a body's requests, concurrently; the usual single one awaited in place, without a task of
    its own (as `asyncio.gather` would make)."""
    if len(replies) == 1:
        return [await replies[0]]
    return list(await asyncio.gather(*replies))


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


def accepts_event_stream(request: web.Request) -> bool:
    """True when the client named text/event-stream among what it accepts (a wildcard is not asking for it)."""
    accept = request.headers.get("Accept") or ""
    return "text/event-stream" in {part.split(";")[0].strip().lower() for part in accept.split(",")}


_NOTES_QUEUED = 256  # notifications waiting for the stream; past that, progress is dropped (it is advisory)


async def answer_streaming(
    request: web.Request,
    work: Callable[[Notify], Awaitable[list[dict[str, Any]]]],
    headers: dict[str, str],
    max_reply_bytes: int,
    write_seconds: float,
) -> list[dict[str, Any]] | web.StreamResponse:
    """Run `work`, and if it sends a notification before it is done, answer as an event stream: each
    notification as it comes, then each reply. Work that finishes without one gives back its replies,
    to be answered as JSON like any other. The work is cancelled if the client goes away."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_NOTES_QUEUED)

    def notify(message: dict[str, Any]) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(message)

    task = asyncio.ensure_future(work(notify))
    getter: asyncio.Future[dict[str, Any]] | None = None
    try:
        getter = asyncio.ensure_future(queue.get())
        await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
        if not getter.done():
            getter.cancel()
            return task.result()
        response = web.StreamResponse(headers={**SSE_HEADERS, **headers})
        await response.prepare(request)
        while True:
            if getter.done():
                note = jsonrpc.encode(getter.result()).decode()
                await write_event(response, sse_event("message", note), write_seconds)
                getter = asyncio.ensure_future(queue.get())
            elif task.done():
                break
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
        getter.cancel()
        while not queue.empty():
            note = jsonrpc.encode(queue.get_nowait()).decode()
            await write_event(response, sse_event("message", note), write_seconds)
        for reply in task.result():
            data = jsonrpc.encode_replies([reply], False, max_reply_bytes).decode()
            await write_event(response, sse_event("message", data), write_seconds)
        return response
    finally:
        if getter is not None:
            getter.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


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
