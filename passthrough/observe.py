"""Observability: one access line per HTTP request, an audit record per tool call, and Prometheus metrics.

Nothing here ever sees a secret it could leak: the audit record names the
credential's source (a header name, or "shared") and a keyed fingerprint of it
(an HMAC under a key made at start-up and never shown, so it cannot be reversed
or brute-forced from the log); metric labels are closed sets (transports,
statuses, tool names this server registered, providers), never a path with an
id in it, an identity or anything a client wrote.

Each application has its own `CollectorRegistry`, so several apps in one process
(the tests run many) keep their counters apart.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics import MetricWrapperBase

from passthrough.settings import MetricsPolicy, is_loopback

Outcome = Literal["ok", "tool_error", "protocol_error"]


@dataclass(slots=True)
class RequestInfo:
    """What the logs of one HTTP request share: its id and the transport it came in on."""

    id: str
    transport: str


@dataclass(slots=True)
class CallTrace:
    """The upstream requests one tool call made: their statuses, in order (None: no answer)."""

    statuses: list[int | None] = field(default_factory=list)


CURRENT_REQUEST: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "passthrough_request", default=None
)
CURRENT_CALL: contextvars.ContextVar[CallTrace | None] = contextvars.ContextVar("passthrough_call", default=None)


def metrics_allowed(policy: MetricsPolicy, peer: str | None, forwarded: bool) -> bool:
    """Whether `/metrics` is served to this peer: `on` to anyone, `off` to nobody, `loopback` to this machine.

    A request that came through a reverse proxy (forwarding headers) is not from
    this machine even when its socket is.
    """
    if policy == "on":
        return True
    if policy == "off":
        return False
    return peer is not None and is_loopback(peer) and not forwarded


class Metrics:
    """The server's Prometheus metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "passthrough_http_requests",
            "HTTP requests answered, by transport and status",
            ["transport", "status"],
            registry=r,
        )
        self.http_duration = Histogram(
            "passthrough_http_request_duration_seconds",
            "Time to answer an HTTP request (event streams left out), by transport",
            ["transport"],
            registry=r,
        )
        self.tool_calls = Counter(
            "passthrough_tool_calls", "tools/call requests, by tool and outcome", ["tool", "outcome"], registry=r
        )
        self.tool_duration = Histogram(
            "passthrough_tool_call_duration_seconds", "Time a tool call took, by tool", ["tool"], registry=r
        )
        self.upstream_requests = Counter(
            "passthrough_upstream_requests",
            "Requests sent to an upstream, by provider and status (error: no answer)",
            ["provider", "status"],
            registry=r,
        )
        self.upstream_duration = Histogram(
            "passthrough_upstream_request_duration_seconds",
            "Time an upstream took to answer one request, by provider",
            ["provider"],
            registry=r,
        )
        self.open_sessions = Gauge(
            "passthrough_open_sessions", "Sessions open now, by transport", ["transport"], registry=r
        )

        # Each metric's children by label values, as `labels()` finds them (under a lock, after checking and
        # stringifying every value: a tenth of the metrics' cost per call). It holds what the registry holds,
        # the same closed sets of label values, so it is bounded as the registry is.
        self._children: dict[tuple[object, ...], Any] = {}

    def _child(self, metric: MetricWrapperBase, *values: str) -> Any:
        key = (metric, *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def sessions(self, transport: str, count: Callable[[], int]) -> None:
        self.open_sessions.labels(transport=transport).set_function(lambda: float(count()))

    def http(self, transport: str, status: int, seconds: float | None) -> None:
        self._child(self.http_requests, transport, str(status)).inc()
        if seconds is not None:
            self._child(self.http_duration, transport).observe(seconds)

    def tool(self, tool: str, outcome: Outcome, seconds: float | None) -> None:
        self._child(self.tool_calls, tool, outcome).inc()
        if seconds is not None:
            self._child(self.tool_duration, tool).observe(seconds)

    def upstream(self, provider: str, status: int | None, seconds: float) -> None:
        self._child(self.upstream_requests, provider, "error" if status is None else str(status)).inc()
        self._child(self.upstream_duration, provider).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def request_id() -> str:
    """16 random hex digits (as uuid4's first 16 were, without building a UUID on every request)."""
    return os.urandom(8).hex()


def upstream_done(metrics: Metrics | None, provider: str, status: int | None, seconds: float) -> None:
    """One upstream request finished (`status` None: no answer): counted, and noted on the tool call it served."""
    if metrics is not None:
        metrics.upstream(provider, status, seconds)
    trace = CURRENT_CALL.get()
    if trace is not None:
        trace.statuses.append(status)
