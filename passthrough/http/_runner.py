"""Listening: the aiohttp runner as passthrough runs it, with its connection-level bounds.

- At most `max_connections` connections at once, and `max_connections_per_address`
  from one address; one more is answered 503 and closed, so a client that opens
  thousands cannot take every descriptor.
- A request aiohttp cannot parse is answered and logged without its header
  lines (they may hold a credential).
- A connection must deliver a complete request head within the idle timeout
  of opening or of its previous answer (aiohttp's keep-alive timer covers idle
  and half-sent heads alike); the body has its own timeout in the handlers,
  and a refused body is drained for at most a second before the close.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import socket
from dataclasses import dataclass
from http import HTTPStatus

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from passthrough.http._keys import CLUSTER
from passthrough.settings import Settings

log = logging.getLogger("passthrough.http")

_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s"
)
_BUSY_BODY = (
    b'{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"The server is at its limit of open '
    b'connections (PASSTHROUGH_MAX_CONNECTIONS); try again shortly"}}'
)
_ADDRESS_BUSY_BODY = (
    b'{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"This address holds as many connections '
    b'as one address may (PASSTHROUGH_MAX_CONNECTIONS_PER_ADDRESS); close some first"}}'
)
_RESERVED_DESCRIPTORS = 256  # upstream connections, log files, the listening socket …


def descriptor_budget(wanted: int) -> int:
    """Raise the open-file limit towards what `wanted` connections need; the connections it allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + _RESERVED_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - _RESERVED_DESCRIPTORS))


class _Handler(RequestHandler):
    """aiohttp's connection handler, except that a malformed request is never echoed back or logged whole.

    aiohttp's parser errors quote the offending header line, credential
    values included; the answer and the log keep only the first line, which
    names the problem, never the header's value.
    """

    __slots__ = ()

    def handle_error(
        self, request: BaseRequest, status: int = 500, exc: BaseException | None = None, message: str | None = None
    ) -> web.StreamResponse:
        if status >= 500:
            return super().handle_error(request, status, exc, message)
        problem = (message or HTTPStatus(status).phrase).strip().split("\n", 1)[0].rstrip(": ") or "malformed request"
        self.logger.info("refused a malformed request from %s: %d %s", request.remote, status, problem)
        if request.writer.output_size > 0:
            raise ConnectionError("Response is sent already, cannot send another response with the error message")
        body = json.dumps(
            {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": f"Bad request: {problem}"}}
        )
        response = web.Response(status=status, text=body, content_type="application/json")
        response.force_close()
        return response


def _busy(transport: asyncio.BaseTransport, body: bytes) -> None:
    assert isinstance(transport, asyncio.Transport)
    transport.write(_BUSY % (len(body), body))
    transport.close()


class _Refuse(asyncio.Protocol):
    """Answers one over-the-limit connection with 503 and closes it, reading nothing."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        _busy(transport, _BUSY_BODY)


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, counted from creation to loss (accepts can come in bursts).

    Per address too: once its peer is known, a connection from an address that
    already holds its share is answered 503 and closed before aiohttp sees it.
    """

    __slots__ = ("_address", "_inner", "_site")

    def __init__(self, inner: asyncio.Protocol, site: _GuardedSite) -> None:
        self._inner = inner
        self._site = site
        self._address: str | None = None
        site.open += 1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if not self._site.admit(address):
            self._inner = _Refuse()
            _busy(transport, _ADDRESS_BUSY_BODY)
            return
        self._address = address
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._site.open -= 1
        if self._address is not None:
            self._site.release(self._address)
        if not isinstance(self._inner, _Refuse):
            self._inner.connection_lost(exc)


class _GuardedSite(web.TCPSite):
    def __init__(
        self,
        runner: web.AppRunner,
        host: str,
        port: int,
        max_connections: int,
        per_address: int,
        reuse_port: bool = False,
    ) -> None:
        super().__init__(runner, host, port, backlog=1024, reuse_port=reuse_port)
        self._max_connections = max_connections
        self._per_address = max(1, per_address)
        self._by_address: dict[str, int] = {}
        self._refused = 0
        self.open = 0

    def _note_refusal(self, why: str) -> None:
        self._refused += 1
        if self._refused == 1 or self._refused % 1000 == 0:
            log.warning("refused a connection: %s (%d refused so far)", why, self._refused)

    def admit(self, address: str) -> bool:
        held = self._by_address.get(address, 0)
        if held >= self._per_address:
            self._note_refusal(f"its address already holds {held}, the limit")
            return False
        self._by_address[address] = held + 1
        return True

    def release(self, address: str) -> None:
        left = self._by_address.get(address, 0) - 1
        if left > 0:
            self._by_address[address] = left
        else:
            self._by_address.pop(address, None)

    def _protocol(self) -> asyncio.Protocol:
        server = self._runner.server
        assert server is not None
        if self.open >= self._max_connections:
            self._note_refusal(f"{self._max_connections} open, the limit")
            return _Refuse()
        return _Counted(_Handler(server, loop=asyncio.get_running_loop(), **server._kwargs), self)

    async def start(self) -> None:
        self._runner._reg_site(self)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol,
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port


@dataclass
class Listening:
    runner: web.AppRunner
    port: int

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def add_peer_site(self, settings: Settings, unix_path: str | None) -> str:
        """Listen for requests the other nodes carry here (passthrough/cluster); the address they use.

        A worker of this host listens on its socket file; a replica on `PASSTHROUGH_PEER_PORT` (0: any free
        one) of the public address, reached at `PASSTHROUGH_ADVERTISE_HOST` (default: that address, or this
        host's name when it binds every interface)."""
        if unix_path is not None:
            site: web.BaseSite = web.UnixSite(self.runner, unix_path)
            await site.start()
            return f"unix:{unix_path}"
        limits = settings.limits
        budget = descriptor_budget(limits.max_connections)
        guarded = _GuardedSite(self.runner, settings.host, settings.peer_port, budget, budget)
        await guarded.start()
        host = settings.advertise_host or advertised_host(settings.host)
        return f"http://{'[' + host + ']' if ':' in host else host}:{guarded.port}"


def advertised_host(bound: str) -> str:
    if bound in ("0.0.0.0", "::", ""):  # noqa: S104 (a comparison: which address was bound)
        return socket.getfqdn()
    return bound


async def listen(
    app: web.Application, settings: Settings, host: str, port: int, shutdown_timeout: float, reuse_port: bool = False
) -> Listening:
    """Serve `app` on host:port (0: any free port) with the server's bounds; raises OSError if it cannot bind.
    `reuse_port`: share the port with the other workers of `serve --workers N` (the kernel spreads connections)."""
    limits = settings.limits
    runner = web.AppRunner(
        app,
        handler_cancellation=True,
        access_log=None,  # passthrough/http/_observe.py writes one access line per request, streams included
        shutdown_timeout=shutdown_timeout,
        keepalive_timeout=limits.idle_timeout_seconds,
        # After refusing a body, read and drop what is still coming for at most this long, then close.
        lingering_time=min(1.0, limits.body_timeout_seconds),
        max_field_size=limits.max_header_bytes,
    )
    await runner.setup()
    site = _GuardedSite(
        runner,
        host,
        port,
        descriptor_budget(limits.max_connections),
        limits.max_connections_per_address,
        reuse_port=reuse_port,
    )
    try:
        await site.start()
        listening = Listening(runner, site.port)
        cluster = app.get(CLUSTER)
        if cluster is not None and cluster.routes:
            # one of several processes: listen for what the others carry here, and tell them where
            sockets = settings.worker_sockets if settings.redis_url is None else None
            unix = os.path.join(sockets, f"{cluster.node}.sock") if sockets is not None else None
            await cluster.start(await listening.add_peer_site(settings, unix))
            log.info("node %s: the other processes reach this one's sessions at %s", cluster.node, cluster.address)
    except BaseException:
        await runner.cleanup()
        raise
    return listening
