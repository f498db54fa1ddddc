"""A request for a session another node owns, carried to that node as the client sent it, its answer carried back.

The owner runs the request exactly as if the client had sent it there: the same method, path, query, body
and headers (credential headers included: they are the client's own, and the owner checks them against the
session's binding as it always does), with `X-Passthrough-Hop` added so that it is never carried further.
The answer comes back as the owner gave it, streamed when it is a stream.

What can go wrong, and what the client sees:
- the owner cannot be reached (its address unknown, or nothing listening there): 404, as for any session
  that has ended, so the client initializes again. Nothing ran.
- the owner stops while answering: 502, saying the call may or may not have run (never 404, which would
  invite the client to send it again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from passthrough.errors import RequestRejected, ServerBusy, SessionNotFound

log = logging.getLogger("passthrough.cluster")

HOP = "X-Passthrough-Hop"
GONE = "Session not found: the replica that held it is gone; initialize again"
CONNECT_SECONDS = 2.0
_PEER_POOLS = 64  # unix-socket pools kept (one per worker of this host)
# hop-by-hop headers (RFC 9110 section 7.6.1) and those aiohttp sets itself
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)


class OwnerStopped(RequestRejected):
    status = 502


class Forwarder:
    """Pooled connections to the other nodes, a bounded number of forwarded requests at once.

    A pooled connection is used again only for `keepalive_seconds` after its last answer: less than the
    other node keeps it open (its idle timeout), so a request is never written to a connection the other
    node has just closed, which would end in a 502 though the owner is well and nothing ran."""

    def __init__(self, max_inflight: int, max_reply_bytes: int, keepalive_seconds: float = 5.0) -> None:
        self._max = max(1, max_inflight)
        self._inflight = 0
        self._max_reply = max_reply_bytes
        self._keepalive = keepalive_seconds
        self._tcp: aiohttp.ClientSession | None = None
        self._unix: OrderedDict[str, aiohttp.ClientSession] = OrderedDict()
        self._streams: set[aiohttp.ClientResponse] = set()  # event streams carried for the other nodes now

    def _session_for(self, address: str) -> tuple[aiohttp.ClientSession, str]:
        """The pool for `address` and the base URL to request under it."""
        timeout = aiohttp.ClientTimeout(total=None, connect=CONNECT_SECONDS, sock_connect=CONNECT_SECONDS)
        common = {"timeout": timeout, "cookie_jar": aiohttp.DummyCookieJar(), "auto_decompress": False}
        if address.startswith("unix:"):
            path = address[len("unix:") :]
            found = self._unix.get(path)
            if found is None or found.closed:
                unix = aiohttp.UnixConnector(path=path, keepalive_timeout=self._keepalive)
                found = aiohttp.ClientSession(connector=unix, **common)  # type: ignore[arg-type]
                self._unix[path] = found
                while len(self._unix) > _PEER_POOLS:
                    _, oldest = self._unix.popitem(last=False)
                    asyncio.get_running_loop().create_task(oldest.close())
            self._unix.move_to_end(path)
            return found, "http://peer"
        if self._tcp is None or self._tcp.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max, limit_per_host=0, ttl_dns_cache=60, keepalive_timeout=self._keepalive
            )
            self._tcp = aiohttp.ClientSession(connector=connector, **common)  # type: ignore[arg-type]
        return self._tcp, address.rstrip("/")

    async def forward(
        self, request: web.Request, read: Callable[[], Awaitable[bytes]], address: str, node: str
    ) -> web.StreamResponse:
        """Carry `request` (its body as `read()` gives it, bounded) to the node at `address`; its answer, or a
        refusal saying what happened."""
        stream = request.method == "GET"
        if not stream and self._inflight >= self._max:
            raise ServerBusy(
                f"Too many requests on their way to other replicas (limit {self._max}, PASSTHROUGH_MAX_INFLIGHT); "
                "try again shortly"
            )
        body = b"" if stream else await read()
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP]
        headers += [("Host", request.headers.get("Host", "")), (HOP, node)]
        session, base = self._session_for(address)
        self._inflight += not stream
        try:
            try:
                upstream = await session.request(
                    request.method, base + request.path_qs, headers=headers, data=body or None, allow_redirects=False
                )
            except (TimeoutError, aiohttp.ClientConnectorError, aiohttp.ClientConnectionResetError):
                # nothing was delivered: the owner is gone (or never was), and so is the session
                raise SessionNotFound(GONE) from None
            except aiohttp.ClientError:
                raise OwnerStopped(_stopped(request)) from None
            async with upstream:
                return await self._relay(request, upstream)
        finally:
            self._inflight -= not stream

    async def _relay(self, request: web.Request, upstream: aiohttp.ClientResponse) -> web.StreamResponse:
        headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP]
        length = upstream.content_length
        if length is not None:
            if length > self._max_reply:
                raise OwnerStopped("The other replica's answer is larger than PASSTHROUGH_MAX_REPLY_BYTES")
            try:
                body = await upstream.read()
            except aiohttp.ClientError:
                raise OwnerStopped(_stopped(request)) from None
            whole = web.Response(status=upstream.status, body=body)
            whole.headers.extend(headers)
            return whole
        response = web.StreamResponse(status=upstream.status)
        response.headers.extend(headers)
        await response.prepare(request)
        endless = request.method == "GET"  # an event stream, not the answer to a call
        if endless:
            self._streams.add(upstream)
        try:
            with contextlib.suppress(aiohttp.ClientError, ConnectionResetError):
                # a stream ends when the owner ends it, or stops, or this node stops; the client then sees its
                # stream end
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
        finally:
            self._streams.discard(upstream)
        return response

    async def aclose(self) -> None:
        """End the event streams carried for the other nodes (they would hold a graceful stop to its timeout;
        closing the pools does not end them), then close the pools. A call's answer on its way is left to
        finish within the stop's grace."""
        for stream in list(self._streams):
            stream.close()
        self._streams.clear()
        pools = [*self._unix.values(), *([self._tcp] if self._tcp is not None else [])]
        self._unix.clear()
        self._tcp = None
        for pool in pools:
            await pool.close()


def _stopped(request: web.Request) -> str:
    what = "message" if request.path.startswith("/messages") else "request"
    return (
        f"The replica that holds this session stopped while taking this {what}: it may or may not have run; "
        "initialize again, and check before repeating a change"
    )
