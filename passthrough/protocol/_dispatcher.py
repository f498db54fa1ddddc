"""MCP method dispatch: one JSON-RPC request in, one JSON-RPC reply out, for every transport."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from passthrough import __version__
from passthrough.credentials import Credential, RequestCredentials, credential_source
from passthrough.errors import InvalidArguments, MissingCredential, ProtocolError, ToolError, UpstreamError
from passthrough.observe import CURRENT_CALL, CURRENT_REQUEST, CallTrace, Metrics, Outcome
from passthrough.protocol import _jsonrpc as jsonrpc
from passthrough.protocol._sdk import (
    HANDSHAKE_PROTOCOL_VERSIONS,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    LATEST_HANDSHAKE_VERSION,
    METHOD_NOT_FOUND,
    MODERN_PROTOCOL_VERSIONS,
    PROTOCOL_VERSION_META_KEY,
    SERVER_INFO_META_KEY,
    params_problem,
    shape_result,
)
from passthrough.providers import LABELS, Upstream
from passthrough.resources import ResourceNotFound, Resources
from passthrough.settings import Provider, Settings
from passthrough.tools import Progress, ToolContext, ToolRegistry, ToolSpec
from passthrough.toolsets import offers

log = logging.getLogger("passthrough.protocol")
audit = logging.getLogger("passthrough.audit")
CREDENTIAL_META_KEY = "passthrough/credential"  # which source served a tool call: a header name, or "shared"
PROVIDER_META_KEY = "passthrough/provider"

SERVER_INFO = {"name": "passthrough", "title": "passthrough", "version": __version__}
SUPPORTED_VERSIONS = (*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS)
_TOOLS_TTL_MS = 300_000
_EMPTY_LISTS = {"prompts/list": "prompts"}
RESOURCE_NOT_FOUND = -32002  # the handshake revisions' code; 2026-07-28 retired it for INVALID_PARAMS
_MAX_PROGRESS = 1000  # progress notifications one call may send

Notify = Callable[[dict[str, Any]], None]
"""Sends one JSON-RPC notification to the client of a request, on whatever stream its answer travels."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """What the transport knows about one message: whose it is and which revision governs it."""

    credentials: RequestCredentials
    version: str = LATEST_HANDSHAKE_VERSION
    notify: Notify | None = None
    """Where the request's notifications go (progress); None where the transport has no stream for them."""

    @property
    def modern(self) -> bool:
        return self.version in MODERN_PROTOCOL_VERSIONS


def progress_token(request: jsonrpc.Request) -> str | int | None:
    """The `_meta.progressToken` a request carries, if it is one (a string or an integer)."""
    meta = (request.params or {}).get("_meta")
    token = meta.get("progressToken") if isinstance(meta, dict) else None
    if isinstance(token, bool) or not isinstance(token, (str, int)):
        return None
    return token


def _reporter(token: str | int, notify: Notify, version: str) -> Progress:
    """Progress for one call: increasing values only (the specification's rule), a bounded number of them."""
    sent = [0, float("-inf")]  # count, last progress

    def report(done: float, total: float | None, message: str | None) -> None:
        if done <= sent[1] or sent[0] >= _MAX_PROGRESS:
            return
        sent[0] += 1
        sent[1] = done
        params: dict[str, Any] = {"progressToken": token, "progress": done}
        if total is not None:
            params["total"] = total
        if message and version != "2024-11-05":  # message came with 2025-03-26
            params["message"] = message[:500]
        notify({"jsonrpc": "2.0", "method": "notifications/progress", "params": params})

    return report


def negotiate(requested: Any) -> str:
    """The handshake revision to answer an initialize with: the client's if we speak it, else our latest."""
    return requested if requested in HANDSHAKE_PROTOCOL_VERSIONS else LATEST_HANDSHAKE_VERSION


def revision_of(request: jsonrpc.Request, default: str) -> str:
    """The revision one message is governed by: a 2026-07-28 envelope in its `_meta` wins over the session's.

    Clients that discover the stateless revision (server/discover) may go on
    using it over a session's transport; their results must then be shaped for it.
    """
    meta = (request.params or {}).get("_meta")
    if isinstance(meta, dict):
        version = meta.get(PROTOCOL_VERSION_META_KEY)
        if isinstance(version, str) and version in MODERN_PROTOCOL_VERSIONS:
            return version
    return default


def _validation_text(tool: str, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:8]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        if err.get("type") == "extra_forbidden":
            problems.append(f"unknown argument '{where}'")
        else:
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return f"Invalid arguments for {tool}: " + "; ".join(problems) + "."


class Dispatcher:
    def __init__(self, registry: ToolRegistry, upstreams: Mapping[Provider, Upstream], settings: Settings) -> None:
        self._registry = registry
        self._upstreams = upstreams
        self._settings = settings
        # The full listing is built on first use, or by `warm` in the background after start-up: the
        # argument models and their JSON Schemas are most of what start-up would otherwise spend
        self._tool_list: list[dict[str, Any]] | None = None
        # Narrowed listings by the selectors a request sent (X-MCP-Toolsets): few distinct ones, each built once
        self._narrowed: dict[frozenset[str], list[dict[str, Any]]] = {}
        self._instructions = self._make_instructions()
        self._resources = Resources(registry)
        self.metrics: Metrics | None = None  # the app's, once it has them

    @property
    def registry(self) -> ToolRegistry:
        return self._registry

    def _describe(self, tool: ToolSpec) -> dict[str, Any]:
        return {
            "name": tool.name,
            "title": tool.title,
            "description": tool.description,
            "inputSchema": tool.input_schema,
            "annotations": tool.annotations,
        }

    @property
    def tool_list(self) -> list[dict[str, Any]]:
        """Every offered tool as `tools/list` describes it."""
        if self._tool_list is None:
            self._tool_list = [self._describe(tool) for tool in self._registry]
        return self._tool_list

    async def warm(self) -> None:
        """Build each tool's argument validator and schema, one tool per turn of the loop, so that the
        first `tools/list` and each tool's first call find them ready and nobody waits meanwhile."""
        described = []
        for tool in self._registry:
            described.append(self._describe(tool))
            await asyncio.sleep(0)
        if self._tool_list is None:
            self._tool_list = described

    def _listing(self, selectors: frozenset[str]) -> list[dict[str, Any]]:
        found = self._narrowed.get(selectors)
        if found is None:
            found = [self._describe(t) for t in self._registry if offers(selectors, t.name, t.toolset)]
            if len(self._narrowed) < 256:  # selectors are a subset of a fixed catalog; bounded all the same
                self._narrowed[selectors] = found
        return found

    def _make_instructions(self) -> str:
        configured = self._settings.providers
        if not configured:
            return "passthrough has no provider configured on this server, so it offers no tools."
        names = ", ".join(f"{LABELS[p.name]} ({p.deployment})" for p in configured)
        text = (
            f"Tools for {names}. Each request acts as the user whose credentials the client sends "
            "(X-Jira-Token, X-Confluence-Token, X-OpenProject-Key, X-ClickUp-Token, or Authorization: Bearer for "
            "Jira and Confluence). "
            "Text you write is Markdown; results are Markdown text plus structured content."
        )
        if self._settings.read_only:
            text += " This server is read-only: write tools are not available."
        return text

    def capabilities(self, version: str = LATEST_HANDSHAKE_VERSION) -> dict[str, Any]:
        """What this server does, as `version` can say it: resources and completions when it has templates."""
        found: dict[str, Any] = {"tools": {"listChanged": False}}
        if len(self._resources):
            found["resources"] = {"subscribe": False, "listChanged": False}
            if version != "2024-11-05":  # the completions capability came with 2025-03-26
                found["completions"] = {}
        return found

    async def handle(self, request: jsonrpc.Request, exchange: Exchange) -> dict[str, Any]:
        """The JSON-RPC reply to `request`; never raises for anything a client can send."""
        try:
            body = await self._route(request, exchange)
        except ProtocolError as exc:
            return jsonrpc.error(request.id, exc.code, exc.message, exc.data)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("internal error handling %s (ref %s)", request.method, ref)
            return jsonrpc.error(request.id, INTERNAL_ERROR, f"Internal error (reference {ref})")
        if exchange.modern:
            body.setdefault("resultType", "complete")
        return jsonrpc.result(request.id, shape_result(request.method, exchange.version, body))

    async def _route(self, request: jsonrpc.Request, exchange: Exchange) -> dict[str, Any]:
        method, params = request.method, request.params or {}
        problem = params_problem(method, exchange.version, request.params)
        if problem is not None:
            if method == "tools/call":
                self._count_protocol_error()
            raise ProtocolError(INVALID_PARAMS, f"Invalid params for {method}: {problem}")
        if method == "tools/call":
            return await self._call_tool(params, exchange)
        if method == "tools/list":
            narrowed = exchange.credentials.toolsets
            listing: dict[str, Any] = {"tools": self.tool_list if narrowed is None else self._listing(narrowed)}
            if exchange.modern:
                listing.update(ttlMs=_TOOLS_TTL_MS, cacheScope="public" if narrowed is None else "private")
            return listing
        if method.startswith(("resources/", "completion/")):
            return await self._resource_method(method, params, exchange)
        if method == "initialize" and not exchange.modern:
            agreed = negotiate(params.get("protocolVersion"))
            return {
                "protocolVersion": agreed,
                "capabilities": self.capabilities(agreed),
                "serverInfo": SERVER_INFO,
                "instructions": self._instructions,
            }
        if method == "server/discover":
            return {
                "supportedVersions": list(SUPPORTED_VERSIONS),
                "capabilities": self.capabilities(exchange.version),
                "instructions": self._instructions,
                "ttlMs": _TOOLS_TTL_MS,
                "cacheScope": "public",
                "_meta": {SERVER_INFO_META_KEY: SERVER_INFO},
            }
        if method in ("ping", "logging/setLevel") and not exchange.modern:
            return {}
        if method in _EMPTY_LISTS:
            return {_EMPTY_LISTS[method]: []}
        raise ProtocolError(METHOD_NOT_FOUND, f"Method not found: {method}")

    async def _resource_method(self, method: str, params: dict[str, Any], exchange: Exchange) -> dict[str, Any]:
        """resources/templates/list, resources/list, resources/read and completion/complete."""
        ctx = ToolContext(exchange.credentials, self._upstreams)
        narrowed = exchange.credentials.toolsets
        private = {"ttlMs": 0, "cacheScope": "private"} if exchange.modern else {}
        if method == "resources/templates/list":
            listing: dict[str, Any] = {"resourceTemplates": self._resources.listing(narrowed)}
            if exchange.modern:
                listing.update(ttlMs=_TOOLS_TTL_MS, cacheScope="public" if narrowed is None else "private")
            return listing
        try:
            if method == "resources/list":
                cursor = params.get("cursor")
                return {**await self._resources.recent(ctx, cursor if isinstance(cursor, str) else None), **private}
            if method == "resources/read":
                return {**await self._resources.read(str(params.get("uri", "")), ctx), **private}
            if method == "completion/complete":
                ref, argument = params.get("ref"), params.get("argument")
                if not isinstance(ref, dict) or not isinstance(argument, dict):
                    raise ProtocolError(INVALID_PARAMS, "Invalid params for completion/complete: ref and argument")
                return await self._resources.complete(ctx, ref, argument)
        except ResourceNotFound as exc:
            raise ProtocolError(
                INVALID_PARAMS if exchange.modern else RESOURCE_NOT_FOUND, exc.message, {"uri": params.get("uri")}
            ) from None
        except UpstreamError as exc:
            if exc.status == 404:
                code = INVALID_PARAMS if exchange.modern else RESOURCE_NOT_FOUND
                raise ProtocolError(code, exc.message, {"uri": params.get("uri")}) from None
            raise ProtocolError(INTERNAL_ERROR, exc.message) from None
        except (InvalidArguments, ValidationError) as exc:
            text = exc.message if isinstance(exc, InvalidArguments) else _validation_text(method, exc)
            raise ProtocolError(INVALID_PARAMS, text) from None
        except MissingCredential as exc:
            raise ProtocolError(INVALID_REQUEST, exc.message) from None
        except ToolError as exc:
            raise ProtocolError(INTERNAL_ERROR, exc.message) from None
        raise ProtocolError(METHOD_NOT_FOUND, f"Method not found: {method}")

    async def _call_tool(self, params: dict[str, Any], exchange: Exchange) -> dict[str, Any]:
        name = params.get("name")
        tool = self._registry.get(name) if isinstance(name, str) else None
        if tool is None:
            self._count_protocol_error()
            hint = " (this server is read-only, so write tools are off)" if self._registry.withheld(str(name)) else ""
            raise ProtocolError(INVALID_PARAMS, f"Unknown tool: {name}{hint}")
        narrowed = exchange.credentials.toolsets
        if narrowed is not None and not offers(narrowed, tool.name, tool.toolset):
            self._count_protocol_error()
            raise ProtocolError(
                INVALID_PARAMS, f"Tool {name} is not among the toolsets this client chose (X-MCP-Toolsets)"
            )
        started = time.perf_counter()
        outcome: Outcome | str = "ok"
        error = ""
        credential = exchange.credentials.get(tool.provider)
        meta = {CREDENTIAL_META_KEY: credential_source(tool.provider, credential), PROVIDER_META_KEY: tool.provider}
        trace = CallTrace()
        trace_token = CURRENT_CALL.set(trace)
        try:
            arguments = tool.arguments.model_validate(params.get("arguments") or {})
            token = progress_token(jsonrpc.Request(0, "tools/call", params))
            notify = exchange.notify
            reporter = _reporter(token, notify, exchange.version) if token is not None and notify else None
            result = await tool.handler(ToolContext(exchange.credentials, self._upstreams, reporter), arguments)
        except ValidationError as exc:
            outcome, error = "tool_error", "invalid-arguments"
            return _tool_error(_validation_text(tool.name, exc), meta)
        except ToolError as exc:
            outcome, error = "tool_error", type(exc).__name__
            return _tool_error(exc.message, meta)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            ref = uuid.uuid4().hex[:8]
            outcome, error = "tool_error", "internal-error"
            log.exception("tool %s failed (ref %s)", tool.name, ref)
            return _tool_error(
                f"{tool.name} failed inside passthrough (reference {ref}); the request may be retried.", meta
            )
        finally:
            CURRENT_CALL.reset(trace_token)
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.tool(tool.name, outcome, seconds)  # type: ignore[arg-type]
            if audit.isEnabledFor(logging.INFO):
                self._audit(tool, outcome, error, meta[CREDENTIAL_META_KEY], credential, trace, seconds)
        content: list[dict[str, Any]] = [{"type": "text", "text": result.text}, *result.content]
        out: dict[str, Any] = {"content": content, "isError": False, "_meta": meta}
        if result.structured is not None:
            out["structuredContent"] = result.structured
        return out

    def _count_protocol_error(self) -> None:
        if self.metrics is not None:
            self.metrics.tool("unknown", "protocol_error", None)  # never the name asked for: it is client text

    @staticmethod
    def _audit(
        tool: ToolSpec,
        outcome: str,
        error: str,
        source: str,
        credential: Credential | None,
        trace: CallTrace,
        seconds: float,
    ) -> None:
        """The audit record of one tool call: who (by fingerprint), what, how it went; no secret, no user text."""
        request = CURRENT_REQUEST.get()
        fingerprint = credential.fingerprint if credential is not None else None
        upstream = trace.statuses[-1] if trace.statuses else None
        audit.info(
            "tool %s %s%s in %.1f ms (credential %s from %s; upstream %s)",
            tool.name,
            outcome,
            f" ({error})" if error else "",
            seconds * 1000,
            fingerprint or "none",
            source,
            "no request" if not trace.statuses else (upstream if upstream is not None else "no answer"),
            extra={
                "audit": {
                    "event": "tool_call",
                    "request_id": request.id if request else None,
                    "transport": request.transport if request else None,
                    "tool": tool.name,
                    "provider": tool.provider,
                    "credential_source": source,
                    "credential_fingerprint": fingerprint,
                    "outcome": outcome,
                    "error": error or None,
                    "upstream_status": upstream,
                    "upstream_requests": len(trace.statuses),
                    "duration_ms": round(seconds * 1000, 1),
                }
            },
        )


def _tool_error(text: str, meta: dict[str, str]) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "isError": True, "_meta": meta}
