"""What a person (or a client that took a wrong turn) finds at `/` and at unknown paths: where to go instead."""

from __future__ import annotations

import html

from aiohttp import web
from aiohttp.typedefs import Handler

from passthrough import __version__
from passthrough.http._keys import DISPATCHER, SETTINGS

ENDPOINTS = {
    "/mcp": "Streamable HTTP (POST, GET, DELETE), or a bare JSON-RPC POST",
    "/sse": "legacy HTTP+SSE (GET /sse, then POST /messages?session_id=…)",
    "/healthz": "health check",
}
HEADERS = {
    "X-Jira-Token": "Jira",
    "X-Confluence-Token": "Confluence",
    "X-OpenProject-Key": "OpenProject",
    "X-ClickUp-Token": "ClickUp (a personal pk_ token or an OAuth access token)",
    "Authorization: Bearer": "Jira and Confluence, for whichever has no product header",
    "X-Jira-Email / X-Confluence-Email": "with an Atlassian Cloud API token",
}
CONNECT = "Run `passthrough client-config claude|cursor|vscode|inspector` for a ready-to-paste client config."
NOT_FOUND_HINT = "MCP clients connect to /mcp (Streamable HTTP) or /sse (legacy SSE); see / for more."
WHAT = "An MCP server: each request brings its own upstream credentials in headers; none are stored."


def _wants_html(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept.lower()


async def index(request: web.Request) -> web.Response:
    providers = {p.name: p.deployment for p in request.app[SETTINGS].providers}
    tools = len(request.app[DISPATCHER].registry)
    if not _wants_html(request):
        return web.json_response(
            {
                "name": "passthrough",
                "version": __version__,
                "what": WHAT,
                "endpoints": ENDPOINTS,
                "providers": providers,
                "tools": tools,
                "credential_headers": HEADERS,
                "connect": CONNECT,
            }
        )
    esc = html.escape
    rows = "".join(f"<li><code>{esc(path)}</code>: {esc(what)}</li>" for path, what in ENDPOINTS.items())
    configured = ", ".join(f"{esc(name)} ({esc(kind)})" for name, kind in providers.items()) or "none configured"
    headers = "".join(f"<li><code>{esc(name)}</code>: {esc(what)}</li>" for name, what in HEADERS.items())
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>passthrough</title></head><body>"
        f"<h1>passthrough {esc(__version__)}</h1><p>{esc(WHAT)}</p>"
        f"<h2>Endpoints</h2><ul>{rows}</ul>"
        f"<h2>Providers</h2><p>{configured}; {tools} tools.</p>"
        f"<h2>Credential headers</h2><ul>{headers}</ul>"
        f"<h2>Connect a client</h2><p>{esc(CONNECT)}</p>"
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html")


@web.middleware
async def not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A 404 that says where the MCP endpoints are (the path is not echoed: it may carry user text)."""
    try:
        return await handler(request)
    except web.HTTPNotFound as exc:
        if exc.text not in (None, "", "404: Not Found"):
            raise  # a handler's own 404, with its own message
        return web.json_response({"error": "not found", "hint": NOT_FOUND_HINT}, status=404)
