"""A fake Jira (Server/Data Center or Cloud) REST API for tests: the app, its auth answers and error bodies.

The endpoints live in ``routes/`` (one module a resource); this class installs them under each API
version the deployment serves: v2 on Server/DC, v3 and v2 on Cloud.

Authentication is the Atlassian gate (``_atlassian.AtlassianUpstream``): a live ``JSESSIONID`` cookie
wins, then ``Authorization: Bearer <token>`` or ``Basic base64(name:token)`` (Server) /
``Basic base64(email:token)`` (Cloud); reads may be anonymous with ``allow_anonymous_read``, except
``/myself``.  Every successful authenticated answer sets ``JSESSIONID`` (remembered in ``sessions``) and
``atlassian.xsrf.token`` cookies.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .._atlassian import AtlassianUpstream
from .._base import AuthResult, Handler, Route, StateView, json_response, text_response
from ._call import JiraCall
from ._data import JiraUser, Project
from ._errors import JiraError, error_body
from ._state import JiraState
from .routes import OTHER_APIS, TABLES

__all__ = ["FakeJira", "JiraUser"]

SERVER_UNAUTHORIZED = error_body(["You are not authenticated. Authentication required to perform this operation."])
CLOUD_UNAUTHORIZED = "Client must be authenticated to access this resource."


class FakeJira(AtlassianUpstream[JiraUser]):
    """A fake Jira; ``deployment`` picks Server/DC (API v2 only) or Cloud (v3 and v2) behaviour."""

    rejected_scheme = False

    def init_state(self) -> None:
        self.state = JiraState(self.deployment, self.users)
        self.require_bounded_jql = self.cloud  # Cloud's /search/jql refuses unbounded JQL
        self.page_tokens: dict[str, int] = {}  # Cloud nextPageToken -> offset

    # ------------------------------------------------------------------ state, for tests (views of ``state``)

    issues = StateView[dict[str, dict[str, Any]]]()  # by key ("DEMO-1"); see ``_data.seed`` for the shape
    comments = StateView[dict[str, list[dict[str, Any]]]]()  # by issue key
    transitions = StateView[list[dict[str, Any]]]()  # performed: {"issue", "id", "from", "to", "by"}
    links = StateView[list[dict[str, Any]]]()  # created: {"id", "type", "inward", "outward", "by"}
    projects = StateView[dict[str, Project]]()

    # ------------------------------------------------------------------ routes and answers

    def setup_routes(self, app: web.Application) -> None:
        for version in (3, 2) if self.cloud else (2,):
            self.install(
                app,
                TABLES,
                f"/rest/api/{version}",
                self._caller(version),
                keep=self._on_this_deployment,
                api=f"v{version}",
            )
        for prefix, tables in OTHER_APIS.items():
            version = 3 if self.cloud else 2
            api = prefix.split("/")[2]  # a route name is identifiers: "agile", "servicedeskapi", "dev-status"
            self.install(app, tables, prefix, self._caller(version), keep=self._on_this_deployment, api=api)

    def _caller(self, version: int) -> Callable[[web.Request], JiraCall]:
        return lambda request: JiraCall(self, request, version)

    def _on_this_deployment(self, route: Route[JiraCall]) -> bool:
        return ("server" if self.cloud else "cloud") not in route.tags

    async def answer(self, request: web.Request, handler: Handler, route: Route[Any] | None) -> web.StreamResponse:
        try:
            return await handler(request)
        except JiraError as exc:
            return json_response(exc.body, exc.status)

    def unauthorized(self, request: web.Request, auth: AuthResult) -> web.Response:
        if self.cloud:
            return text_response(CLOUD_UNAUTHORIZED, 401)
        realm = quote(f"{request.scheme}://{request.host}", safe="")
        headers = {"WWW-Authenticate": f'OAuth realm="{realm}"'}
        if auth.rejected:
            headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        return json_response(SERVER_UNAUTHORIZED, 401, headers)

    def set_session_cookies(self, request: web.Request, response: web.StreamResponse) -> None:
        super().set_session_cookies(request, response)
        xsrf = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        response.set_cookie("atlassian.xsrf.token", f"{xsrf}|{secrets.token_hex(20)}|lin", path="/")

    def default_fault_body(self, status: int) -> object:
        if status == 401:
            return CLOUD_UNAUTHORIZED if self.cloud else SERVER_UNAUTHORIZED
        messages = {500: "Internal server error", 429: "Rate limit exceeded.", 503: "Service Unavailable"}
        return error_body([messages.get(status, f"HTTP {status}")])

    def route_error(self, request: web.Request, exc: web.HTTPException) -> web.Response:
        if not request.path.startswith("/rest/"):
            return web.Response(
                status=exc.status,
                text="<html><body><h1>Oops, you've found a dead link.</h1></body></html>",
                content_type="text/html",
            )
        if exc.status == 405:
            return json_response(error_body(["Method Not Allowed"]), 405, {"Allow": exc.headers.get("Allow", "")})
        return json_response(error_body([f"null for uri: {request.url}"]), exc.status)
