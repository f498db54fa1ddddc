"""Typed keys for state on the application and on each request."""

from __future__ import annotations

from aiohttp import web

from passthrough.cluster import Cluster
from passthrough.credentials import Presented, RequestCredentials
from passthrough.http._admission import Admission
from passthrough.http._sessions import LegacySessions, McpSessions
from passthrough.observe import Metrics
from passthrough.protocol import Dispatcher
from passthrough.providers import Upstream
from passthrough.settings import Provider, Settings

SETTINGS = web.AppKey("settings", Settings)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
UPSTREAMS = web.AppKey("upstreams", dict[Provider, Upstream])
LEGACY_SESSIONS = web.AppKey("legacy_sessions", LegacySessions)
MCP_SESSIONS = web.AppKey("mcp_sessions", McpSessions)
BINDING_KEY = web.AppKey("binding_key", bytes)
ADMISSION = web.AppKey("admission", Admission)
CLUSTER = web.AppKey("cluster", Cluster)
METRICS = web.AppKey("metrics", Metrics)
PRESENTED = web.RequestKey("presented", Presented)
CREDENTIALS = web.RequestKey("credentials", RequestCredentials)  # resolved by `_credentials.credentials`
BINDING = web.RequestKey("binding", str)  # keyed digest of the credential headers presented
CLIENT = web.RequestKey("client", str)  # who the request is from, for per-client limits
