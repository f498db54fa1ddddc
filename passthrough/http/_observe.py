"""The HTTP side of observability: the access line and HTTP metrics (a middleware), and `GET /metrics`."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from passthrough.credentials import FORWARDING_HEADERS
from passthrough.http._keys import DISPATCHER, LEGACY_SESSIONS, MCP_SESSIONS, METRICS, SETTINGS, UPSTREAMS
from passthrough.observe import CURRENT_REQUEST, Metrics, RequestInfo, metrics_allowed, request_id

access_log = logging.getLogger("passthrough.access")

_STREAMS = frozenset({"/sse", "/mcp"})  # a GET there is an event stream: its duration is a session's lifetime
DISCONNECTED = 499  # what the access line and the metrics say when the client left before its answer


def transport_of(request: web.BaseRequest) -> str:
    """`sse` (legacy HTTP+SSE), `stateless` (2026-07-28 on /mcp), `streamable` (/mcp otherwise) or `http`."""
    path = request.path
    if path in ("/sse", "/messages", "/messages/"):
        return "sse"
    if path == "/mcp":
        version = request.headers.get("MCP-Protocol-Version", "")
        return "stateless" if version >= "2026" else "streamable"
    return "http"


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The outermost middleware: a request id, one access line, the HTTP metrics, quiet client disconnects.

    A client that goes away mid-answer (a reset while writing, a cancelled
    handler) is logged at DEBUG and counted with status 499, never as an error.
    """
    started = time.perf_counter()
    info = RequestInfo(request_id(), transport_of(request))
    token = CURRENT_REQUEST.set(info)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except ConnectionError as exc:
        # The answer could not be written: the client is gone. Nothing to answer, nothing to report as an error.
        status = DISCONNECTED
        access_log.debug("client went away during %s %s (%s)", request.method, request.path, type(exc).__name__)
        gone = web.Response(status=DISCONNECTED)
        gone.force_close()
        return gone
    except asyncio.CancelledError:
        status = DISCONNECTED  # aiohttp cancels the handler of a connection its client closed
        access_log.debug("client went away during %s %s", request.method, request.path)
        raise
    finally:
        CURRENT_REQUEST.reset(token)
        seconds = time.perf_counter() - started
        metrics = request.app.get(METRICS)
        if metrics is not None:
            stream = request.method == "GET" and request.path in _STREAMS
            metrics.http(info.transport, status, None if stream else seconds)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                '%s "%s %s" %d %.1f ms %s',
                request.remote or "-",
                request.method,
                request.path,  # never the query: it may hold a session id
                status,
                seconds * 1000,
                info.transport,
                extra={
                    "request_id": info.id,
                    "transport": info.transport,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )


async def metrics_endpoint(request: web.Request) -> web.Response:
    """`GET /metrics`: Prometheus text format, under the PASSTHROUGH_METRICS policy."""
    policy = request.app[SETTINGS].metrics
    if policy == "off":
        raise web.HTTPNotFound(text="Metrics are off on this server (PASSTHROUGH_METRICS=off)")
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    if not metrics_allowed(policy, request.remote, forwarded):
        raise web.HTTPForbidden(
            text="Metrics are served only to this machine (PASSTHROUGH_METRICS=loopback); "
            "set PASSTHROUGH_METRICS=on to serve them to other addresses"
        )
    return web.Response(body=request.app[METRICS].exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def install_observability(app: web.Application) -> None:
    """Give `app` its own metrics (counted by its dispatcher, upstreams and sessions) and the access middleware."""
    metrics = app[METRICS] = Metrics()
    app[DISPATCHER].metrics = metrics
    for upstream in app[UPSTREAMS].values():
        upstream.metrics = metrics
    legacy, streamable = app[LEGACY_SESSIONS], app[MCP_SESSIONS]
    metrics.sessions("sse", lambda: len(legacy))
    metrics.sessions("streamable", lambda: len(streamable))
    app.middlewares.insert(0, observe)  # outermost: it sees every answer, refusals included
