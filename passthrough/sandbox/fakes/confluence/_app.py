"""A fake Confluence (Server/Data Center or Cloud) REST API for tests: the app, its auth answers and errors.

Server/DC serves REST v1 at the root (``/rest/api/...``); Cloud serves everything under the context path
``/wiki``: REST v1 (``/wiki/rest/api/...``) and REST v2 (``/wiki/api/v2/...``).  ``fake.base_url`` is the
base URL a client is configured with (``fake.url`` on Server, ``f"{fake.url}/wiki"`` on Cloud).  The
endpoints live in ``routes/`` (one module a resource); this class installs them.

Authentication is the Atlassian gate (``_atlassian.AtlassianUpstream``), as in the fake Jira: a live
session cookie wins (``JSESSIONID`` on Server, ``cloud.session.token`` on Cloud), then ``Authorization:
Bearer <token>`` or ``Basic base64(name:token)`` (Server) / ``Basic base64(email:token)`` (Cloud); GETs
may be anonymous with ``allow_anonymous_read``, except ``/user/current``.  Every successful authenticated
answer sets the session cookie (remembered in ``sessions``).

Errors come in the shape of the API asked: v1 ``{"statusCode", "data", "message", "reason"}``, v2
``{"errors": [{"status", "code", "title", "detail"}]}``; 401s are JSON on Server and text/plain on Cloud.
"""

from __future__ import annotations

import contextvars
import secrets
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .._atlassian import AtlassianUpstream
from .._base import AuthResult, Handler, Route, StateView, json_response, text_response
from ._call import ConfluenceCall
from ._data import Comment, ConfluenceUser, Page, Space
from ._errors import ConfluenceError, v1_error_body, v2_error_body
from ._state import Api, ConfluenceState, PageUpdate
from .routes import V1, V2, attachments

__all__ = ["ConfluenceUser", "FakeConfluence", "PageUpdate"]

SERVER_COOKIE = "JSESSIONID"
CLOUD_COOKIE = "cloud.session.token"
SERVER_ANONYMOUS = "Current user not permitted to use Confluence"
SERVER_BAD_BASIC = "Basic Authentication Failure - Reason : AUTHENTICATED_FAILED"
SERVER_BAD_TOKEN = "Authentication failed: the personal access token is invalid or expired"
CLOUD_UNAUTHORIZED = "Unauthorized"
CLOUD_BAD_BASIC = (
    "Basic authentication with passwords is deprecated.  For more information, see: "
    "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/"
)
V1_CONTENT_GONE = (
    "This endpoint has been deprecated and removed. Please migrate to the v2 API: "
    "https://developer.atlassian.com/cloud/confluence/rest/v2/"
)

# Which API the request being handled belongs to; lets default fault bodies take the right shape.
_REQUEST_API: contextvars.ContextVar[Api] = contextvars.ContextVar("fake_confluence_api", default="v1")


class FakeConfluence(AtlassianUpstream[ConfluenceUser]):
    """A fake Confluence; ``deployment`` picks Server/DC (v1 at the root) or Cloud (v1 and v2 under /wiki)."""

    def init_state(self) -> None:
        self.state = ConfluenceState(self.deployment, self.users)
        self.search_highlight = True  # /rest/api/search marks matches with @@@hl@@@...@@@endhl@@@, like Confluence
        self.v1_content_gone = False  # Cloud only: answer the v1 content endpoints with 410, as newer sites do
        self.cursors: dict[str, int] = {}  # cursor -> offset

    # ------------------------------------------------------------------ state, for tests

    @property
    def base_url(self) -> str:
        """The base URL a client is configured with: ``url`` on Server, ``url + "/wiki"`` on Cloud."""
        return f"{self.url}/wiki" if self.cloud else self.url

    @property
    def media_url(self) -> str:
        """Where Cloud's downloads redirect (its media service; ATLASSIAN_MEDIA_URL for a client of the fake)."""
        return f"{self.url}/media"

    @property
    def context_path(self) -> str:
        return "/wiki" if self.cloud else ""

    @property
    def session_cookie(self) -> str:  # type: ignore[override]
        return CLOUD_COOKIE if self.cloud else SERVER_COOKIE

    # views of ``state``
    pages = StateView[dict[str, Page]]()  # by id; see ``_state`` for the shape
    comments = StateView[dict[str, list[Comment]]]()  # by page id
    spaces = StateView[dict[str, Space]]()  # by key
    trash = StateView[dict[str, Page]]()
    updates = StateView[list[PageUpdate]]()  # every attempted page update with the version it sent
    validate_storage = StateView[bool]()  # writes must be well-formed storage XHTML (a 400 otherwise)

    def page_by_title(self, space_key: str, title: str) -> Page:
        found = self.state.find_title(space_key, title)
        if found is None:
            raise KeyError(f"{space_key}/{title}")
        return found

    # ------------------------------------------------------------------ routes and answers

    def setup_routes(self, app: web.Application) -> None:
        self.install(app, V1, f"{self.context_path}/rest/api", lambda r: ConfluenceCall(self, r, "v1"), api="v1")
        downloads = f"{self.context_path}/download/attachments"  # where _links.download points (routes/attachments)
        self.install(app, (attachments.downloads,), downloads, lambda r: ConfluenceCall(self, r, "v1"), api="v1")
        if self.cloud:
            self.install(app, V2, "/wiki/api/v2", lambda r: ConfluenceCall(self, r, "v2"), api="v2")
            self.install(app, (attachments.media,), "/media", lambda r: ConfluenceCall(self, r, "v1"), api="media")

    def identify(self, request: web.Request) -> AuthResult:
        _REQUEST_API.set("v2" if request.path.startswith("/wiki/api/v2/") else "v1")
        return super().identify(request)

    async def answer(self, request: web.Request, handler: Handler, route: Route[Any] | None) -> web.StreamResponse:
        api = (request.match_info.route.name or "v1:").partition(":")[0]
        try:
            if self.cloud and self.v1_content_gone and api == "v1" and route and "v1-content" in route.tags:
                raise ConfluenceError(410, V1_CONTENT_GONE)
            return await handler(request)
        except ConfluenceError as exc:
            return json_response(exc.v2_body() if api == "v2" else exc.v1_body(), exc.status)

    def unauthorized(self, request: web.Request, auth: AuthResult) -> web.Response:
        realm = quote(f"{request.scheme}://{request.host}{self.context_path}", safe="")
        headers = {"WWW-Authenticate": f'OAuth realm="{realm}"'}
        if self.cloud:
            message = CLOUD_BAD_BASIC if auth.rejected and auth.auth_via == "basic" else CLOUD_UNAUTHORIZED
            return text_response(message, 401, headers)
        message = SERVER_ANONYMOUS
        if auth.rejected:
            headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
            message = SERVER_BAD_BASIC if auth.auth_via == "basic" else SERVER_BAD_TOKEN
        return json_response(v1_error_body(401, message), 401, headers)

    def new_session(self) -> str:
        return secrets.token_urlsafe(32) if self.cloud else super().new_session()

    def default_fault_body(self, status: int) -> object:
        if status == 401 and self.cloud:
            return CLOUD_UNAUTHORIZED
        messages = {500: "Internal server error", 429: "Rate limit exceeded", 503: "Service Unavailable"}
        if _REQUEST_API.get() == "v2":
            return v2_error_body(status)
        return v1_error_body(status, messages.get(status, f"HTTP {status}"))

    def route_error(self, request: web.Request, exc: web.HTTPException) -> web.Response:
        path = request.path
        if path.startswith("/wiki/api/v2/") and self.cloud:
            return json_response(v2_error_body(exc.status), exc.status)
        if path.startswith(f"{self.context_path}/rest/"):
            if exc.status == 405:
                body = v1_error_body(405, "Method Not Allowed")
                return json_response(body, 405, {"Allow": exc.headers.get("Allow", "")})
            return json_response(v1_error_body(exc.status, f"null for uri: {request.url}"), exc.status)
        return web.Response(
            status=exc.status,
            text="<html><body><h1>Page Not Found</h1><p>The page you were looking for was not found.</p></body></html>",
            content_type="text/html",
        )
