"""The aiohttp application: routes, middlewares, and the resources opened and closed with it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Mapping

from aiohttp import web

from passthrough import markup
from passthrough.cluster import Cluster
from passthrough.http import _legacy, _streamable
from passthrough.http._admission import Admission
from passthrough.http._credentials import credential_headers
from passthrough.http._front import index, not_found
from passthrough.http._keys import (
    ADMISSION,
    BINDING_KEY,
    CLUSTER,
    DISPATCHER,
    LEGACY_SESSIONS,
    MCP_SESSIONS,
    SETTINGS,
    UPSTREAMS,
)
from passthrough.http._middlewares import host_guard, origin_guard, refusals, route_sessions
from passthrough.http._observe import install_observability, metrics_endpoint
from passthrough.http._sessions import LegacySessions, McpSessions
from passthrough.protocol import Dispatcher
from passthrough.providers import SessionFactory, Upstream
from passthrough.settings import Provider, Settings
from passthrough.tools import build_registry

log = logging.getLogger(__name__)


async def _start_markup_pool() -> None:
    try:
        await asyncio.to_thread(markup.start_pool)
    except Exception as exc:  # said once here; a conversion that needs the pool says it again
        log.warning("The markup workers did not start (%s); large conversions will try again.", exc)


async def _healthz(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    return web.json_response(
        {
            "status": "ok",
            "providers": [p.name for p in settings.providers],
            "shared_credentials": [p.name for p in settings.providers if p.fallback is not None],
            "fallback": settings.fallback,
            "read_only": settings.read_only,
            "tools": len(request.app[DISPATCHER].registry),
            "cluster": request.app[CLUSTER].health(),
        }
    )


def build_app(
    settings: Settings,
    *,
    upstream_sessions: Mapping[Provider, SessionFactory] | None = None,
    cluster: Cluster | None = None,
) -> web.Application:
    """The whole server; `upstream_sessions` lets tests make a provider's aiohttp ClientSession themselves;
    `cluster` is this process's place among others (passthrough/cluster), by default as the settings say."""
    app = web.Application(
        middlewares=[refusals, host_guard, origin_guard, route_sessions, not_found, credential_headers],
        client_max_size=settings.limits.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[CLUSTER] = node = cluster or Cluster.of(settings.redis_url, settings.worker_sockets, settings.limits)
    app[BINDING_KEY] = secrets.token_bytes(32)
    upstreams: dict[Provider, Upstream] = {
        p.name: Upstream(p, settings.limits, session_factory=(upstream_sessions or {}).get(p.name))
        for p in settings.providers
    }
    app[UPSTREAMS] = upstreams
    app[DISPATCHER] = Dispatcher(build_registry(settings), upstreams, settings)
    limits = settings.limits
    app[ADMISSION] = Admission(limits.max_inflight, limits.max_inflight_per_client)
    app[LEGACY_SESSIONS] = LegacySessions(
        limits.max_sessions,
        limits.max_sessions_per_client,
        limits.max_inflight_per_session,
        limits.sse_buffer_bytes,
        node=node.node,
    )
    app[MCP_SESSIONS] = McpSessions(
        limits.max_sessions,
        limits.max_sessions_per_client,
        limits.session_idle_seconds,
        limits.max_inflight_per_session,
        node=node.node,
    )
    install_observability(app)

    async def end_sessions(app: web.Application) -> None:
        # Before aiohttp's graceful wait, so open event streams end now rather than at its timeout; and
        # the cluster's directory first, so the other nodes answer this one's sessions 404 at once.
        await app[CLUSTER].stop()
        app[LEGACY_SESSIONS].close_all()
        app[MCP_SESSIONS].close_all()

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        # The markup workers start in the background: /healthz and small conversions do not wait for them;
        # a large conversion that comes first waits for the same start (the pool's lock), not a second one.
        # So do the tools' argument validators and schemas, a tool per turn of the loop.
        warming = [asyncio.create_task(_start_markup_pool()), asyncio.create_task(app[DISPATCHER].warm())]
        yield
        for task in warming:
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for upstream in app[UPSTREAMS].values():
            await upstream.aclose()

    app.on_shutdown.append(end_sessions)
    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", metrics_endpoint)
    app.router.add_get("/sse", _legacy.open_stream)
    app.router.add_post("/messages", _legacy.post_message)
    app.router.add_post("/messages/", _legacy.post_message)
    app.router.add_post("/mcp", _streamable.post)
    app.router.add_get("/mcp", _streamable.get)
    app.router.add_delete("/mcp", _streamable.delete)
    return app
