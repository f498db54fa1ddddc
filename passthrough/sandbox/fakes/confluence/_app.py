"""A fake Confluence (Server/Data Center or Cloud) REST API for tests: routing, authentication, sessions.

Server/DC serves REST v1 at the root (``/rest/api/...``); Cloud serves everything under the context path
``/wiki``: REST v1 (``/wiki/rest/api/...``) and REST v2 (``/wiki/api/v2/...``).  ``fake.base_url`` is the
base URL a client is configured with (``fake.url`` on Server, ``f"{fake.url}/wiki"`` on Cloud).

Authentication, per request (as in the fake Jira):

* a session cookie naming a live session wins over everything else, even over an Authorization header for
  another user (what a careless real server could do; it lets tests catch cookies leaking between users).
  The cookie is ``JSESSIONID`` on Server and ``cloud.session.token`` on Cloud;
* otherwise ``Authorization: Bearer <token>`` or ``Basic base64(name:token)`` (Server) /
  ``Basic base64(email:token)`` (Cloud);
* an Authorization header that is present but wrong is always a 401; no credentials is a 401 too, except for
  GETs when ``allow_anonymous_read`` is set (``/user/current`` never allows anonymous access).

Every successful authenticated answer sets the session cookie (remembered in ``sessions``).

Errors come in the shape of the API asked: v1 ``{"statusCode", "data", "message", "reason"}``, v2
``{"errors": [{"status", "code", "title", "detail"}]}``; 401s are JSON on Server and text/plain on Cloud.
"""

from __future__ import annotations

import base64
import contextvars
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlencode

from aiohttp import web

from .._atlassian import atlassian_login
from .._base import (
    ANONYMOUS,
    AUTH_KEY,
    AuthResult,
    FakeUpstream,
    Handler,
    Middleware,
    json_response,
    text_response,
)
from ._cql import search
from ._data import Comment, ConfluenceUser, Page, Space
from ._errors import ConfluenceError, bad_request, v1_error_body, v2_error_body
from ._render import Expand, Renderer
from ._state import Api, ConfluenceState, PageUpdate

__all__ = ["ConfluenceUser", "FakeConfluence", "PageUpdate"]

T = TypeVar("T")
JSON = dict[str, Any]

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
DEFAULT_EXPAND = "space,history,version"
WRITE_EXPAND = "space,history,version,ancestors,container,body.storage"

_NEVER_ANONYMOUS = frozenset({"currentUser"})
_V1_CONTENT_ROUTES = frozenset(
    {"contentList", "createContent", "getContent", "updateContent", "deleteContent", "childPages", "childComments"}
)
_BODY_FORMATS = frozenset({"storage", "view", "export_view", "anonymous_export_view", "styled_view", "editor"})
_V2_SORTS = {
    "id": ("id", False),
    "-id": ("id", True),
    "title": ("title", False),
    "-title": ("title", True),
    "created-date": ("created", False),
    "-created-date": ("created", True),
    "modified-date": ("updated", False),
    "-modified-date": ("updated", True),
}

# Which API the request being handled belongs to; lets default fault bodies take the right shape.
_REQUEST_API: contextvars.ContextVar[Api] = contextvars.ContextVar("fake_confluence_api", default="v1")


class FakeConfluence(FakeUpstream):
    """A fake Confluence; ``deployment`` picks Server/DC (v1 at the root) or Cloud (v1 and v2 under /wiki)."""

    def __init__(
        self,
        deployment: Literal["server", "cloud"] = "server",
        users: Sequence[ConfluenceUser] = (),
        *,
        allow_anonymous_read: bool = False,
    ) -> None:
        if deployment not in ("server", "cloud"):
            raise ValueError(f"deployment must be 'server' or 'cloud', not {deployment!r}")
        self.deployment: Literal["server", "cloud"] = deployment
        self.users: tuple[ConfluenceUser, ...] = tuple(users)
        self.allow_anonymous_read = allow_anonymous_read
        self.state = ConfluenceState(deployment, self.users)
        self.sessions: dict[str, str] = {}  # session cookie value -> user name
        self.search_highlight = True  # /rest/api/search marks matches with @@@hl@@@...@@@endhl@@@, like Confluence
        self.v1_content_gone = False  # Cloud only: answer the v1 content endpoints with 410, as newer sites do
        self._cursors: dict[str, int] = {}  # cursor -> offset
        super().__init__()

    # ------------------------------------------------------------------ state, for tests

    @property
    def cloud(self) -> bool:
        return self.deployment == "cloud"

    @property
    def base_url(self) -> str:
        """The base URL a client is configured with: ``url`` on Server, ``url + "/wiki"`` on Cloud."""
        return f"{self.url}/wiki" if self.cloud else self.url

    @property
    def context_path(self) -> str:
        return "/wiki" if self.cloud else ""

    @property
    def session_cookie(self) -> str:
        return CLOUD_COOKIE if self.cloud else SERVER_COOKIE

    @property
    def pages(self) -> dict[str, Page]:
        """Stored pages by id; see ``_confluence_state`` for the shape."""
        return self.state.pages

    @property
    def comments(self) -> dict[str, list[Comment]]:
        """Stored comments by page id."""
        return self.state.comments

    @property
    def spaces(self) -> dict[str, Space]:
        """Spaces by key."""
        return self.state.spaces

    @property
    def trash(self) -> dict[str, Page]:
        return self.state.trash

    @property
    def updates(self) -> list[PageUpdate]:
        """Every attempted page update with the ``version.number`` it sent (accepted or not)."""
        return self.state.updates

    @property
    def validate_storage(self) -> bool:
        """Whether writes must be well-formed storage XHTML (a 400 otherwise, as in Confluence)."""
        return self.state.validate_storage

    @validate_storage.setter
    def validate_storage(self, value: bool) -> None:
        self.state.validate_storage = value

    def user(self, name: str) -> ConfluenceUser:
        found = self.state.user(name)
        if found is None:
            raise KeyError(name)
        return found

    def page_by_title(self, space_key: str, title: str) -> Page:
        found = self.state.find_title(space_key, title)
        if found is None:
            raise KeyError(f"{space_key}/{title}")
        return found

    # ------------------------------------------------------------------ authentication

    def identify(self, request: web.Request) -> AuthResult:
        _REQUEST_API.set("v2" if request.path.startswith("/wiki/api/v2/") else "v1")
        session = request.cookies.get(self.session_cookie)
        cookie_user = self.sessions.get(session) if session else None
        if cookie_user is not None:
            return AuthResult(identity=cookie_user, auth_via="cookie", cookie_identity=cookie_user)
        header = request.headers.get("Authorization")
        if header is None:
            return ANONYMOUS
        user, via = atlassian_login(self.users, header, cloud=self.cloud)
        if user is None:
            return AuthResult(rejected=True, auth_via=via)
        return AuthResult(identity=user.name, auth_via=via)

    def _unauthorized(self, request: web.Request, auth: AuthResult) -> web.Response:
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

    def _set_session_cookie(self, request: web.Request, response: web.StreamResponse, auth: AuthResult) -> None:
        assert auth.identity is not None
        name = self.session_cookie
        session = request.cookies.get(name, "") if auth.auth_via == "cookie" else ""
        if not session:
            session = secrets.token_urlsafe(32) if self.cloud else secrets.token_hex(16).upper()
            self.sessions[session] = auth.identity
        response.set_cookie(name, session, path="/", httponly=True)

    def default_fault_body(self, status: int) -> object:
        if status == 401 and self.cloud:
            return CLOUD_UNAUTHORIZED
        messages = {500: "Internal server error", 429: "Rate limit exceeded", 503: "Service Unavailable"}
        if _REQUEST_API.get() == "v2":
            return v2_error_body(status)
        return v1_error_body(status, messages.get(status, f"HTTP {status}"))

    # ------------------------------------------------------------------ middleware

    def extra_middlewares(self) -> list[Middleware]:
        return [self._confluence_middleware]

    async def _confluence_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        match_info = request.match_info
        if match_info.http_exception is not None:
            return self._route_error(request, match_info.http_exception)
        api, _, name = (match_info.route.name or "v1:").partition(":")
        auth = request[AUTH_KEY]
        if auth.rejected or (auth.identity is None and not self._anonymous_allowed(request.method, name)):
            return self._unauthorized(request, auth)
        try:
            if self.cloud and self.v1_content_gone and api == "v1" and name in _V1_CONTENT_ROUTES:
                raise ConfluenceError(410, V1_CONTENT_GONE)
            response = await handler(request)
        except ConfluenceError as exc:
            response = json_response(exc.v2_body() if api == "v2" else exc.v1_body(), exc.status)
        if auth.identity is not None and response.status < 400:
            self._set_session_cookie(request, response, auth)
        return response

    def _anonymous_allowed(self, method: str, route: str) -> bool:
        if not self.allow_anonymous_read or route in _NEVER_ANONYMOUS:
            return False
        return method in ("GET", "HEAD")

    def _route_error(self, request: web.Request, exc: web.HTTPException) -> web.Response:
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

    # ------------------------------------------------------------------ routes

    def setup_routes(self, app: web.Application) -> None:
        v1 = f"{self.context_path}/rest/api"

        def route(api: Api, method: str, path: str, handler: Handler, name: str) -> None:
            prefix = v1 if api == "v1" else "/wiki/api/v2"
            app.router.add_route(method, prefix + path, handler, name=f"{api}:{name}")

        route("v1", "GET", "/user/current", self._current_user, "currentUser")
        route("v1", "GET", "/space", self._spaces, "spaces")
        route("v1", "GET", "/space/{key}", self._space, "space")
        route("v1", "GET", "/search", self._search, "search")
        route("v1", "GET", "/content/search", self._content_search, "contentSearch")
        route("v1", "GET", "/content", self._content_list, "contentList")
        route("v1", "POST", "/content", self._create_content, "createContent")
        route("v1", "GET", "/content/{id}", self._get_content, "getContent")
        route("v1", "PUT", "/content/{id}", self._update_content, "updateContent")
        route("v1", "DELETE", "/content/{id}", self._delete_content, "deleteContent")
        route("v1", "GET", "/content/{id}/child/page", self._child_pages, "childPages")
        route("v1", "GET", "/content/{id}/child/comment", self._child_comments, "childComments")
        route("v1", "GET", "/content/{id}/label", self._labels, "labels")
        route("v1", "POST", "/content/{id}/label", self._add_labels, "addLabels")
        route("v1", "DELETE", "/content/{id}/label", self._remove_label, "removeLabelByName")
        route("v1", "DELETE", "/content/{id}/label/{label}", self._remove_label, "removeLabel")
        if not self.cloud:
            return
        route("v2", "GET", "/pages", self._v2_pages, "pages")
        route("v2", "POST", "/pages", self._v2_create_page, "createPage")
        route("v2", "GET", "/pages/{id}", self._v2_get_page, "getPage")
        route("v2", "PUT", "/pages/{id}", self._v2_update_page, "updatePage")
        route("v2", "DELETE", "/pages/{id}", self._v2_delete_page, "deletePage")
        route("v2", "GET", "/pages/{id}/children", self._v2_children, "children")
        route("v2", "GET", "/pages/{id}/direct-children", self._v2_children, "directChildren")
        route("v2", "GET", "/pages/{id}/ancestors", self._v2_ancestors, "ancestors")
        route("v2", "GET", "/pages/{id}/footer-comments", self._v2_page_comments, "pageFooterComments")
        route("v2", "GET", "/pages/{id}/labels", self._v2_labels, "pageLabels")
        route("v2", "POST", "/footer-comments", self._v2_create_comment, "createFooterComment")
        route("v2", "GET", "/footer-comments/{id}", self._v2_get_comment, "getFooterComment")
        route("v2", "GET", "/spaces", self._v2_spaces, "spaces")
        route("v2", "GET", "/spaces/{id}", self._v2_space, "space")
        route("v2", "GET", "/spaces/{id}/pages", self._v2_space_pages, "spacePages")

    # ------------------------------------------------------------------ request helpers

    def _renderer(self, request: web.Request) -> Renderer:
        return Renderer(self.state, f"{request.scheme}://{request.host}")

    @staticmethod
    def _current(request: web.Request) -> str | None:
        return request[AUTH_KEY].identity

    @staticmethod
    async def _json(request: web.Request) -> Any:
        raw = await request.read()
        if not raw.strip():
            raise bad_request("No content to map due to end-of-input", v2_title="Request body is missing")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"Unexpected character in the JSON body: {exc}", v2_title="Invalid JSON") from None

    async def _object(self, request: web.Request) -> dict[str, Any]:
        data = await self._json(request)
        if not isinstance(data, dict):
            raise bad_request("Cannot deserialize the request body: expected a JSON object")
        return data

    @staticmethod
    def _int(query: Mapping[str, str], name: str, default: int) -> int:
        raw = query.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise bad_request(
                f"Invalid value '{raw}' for parameter '{name}'",
                v2_title=f"Provided value {{{raw}}} for '{name}' is not the correct type. Expected type is Integer",
            ) from None

    def _path_id(self, request: web.Request, name: str = "id") -> str:
        value = request.match_info[name]
        if not value.isdigit():
            raise ConfluenceError(
                400 if self._api(request) == "v2" else 404,
                f"No content found with id: ContentId{{id={value}}}",
                v2_title=f"Provided value {{{value}}} for '{name}' is not the correct type. Expected type is long",
            )
        return value

    @staticmethod
    def _api(request: web.Request) -> Api:
        return "v2" if (request.match_info.route.name or "").startswith("v2:") else "v1"

    def _relative(self, request: web.Request) -> str:
        """The request path relative to the base URL (v1 links are written that way)."""
        return request.path.removeprefix(self.context_path)

    def _new_cursor(self, offset: int) -> str:
        token = base64.b64encode(
            json.dumps({"offset": offset, "seq": len(self._cursors)}, separators=(",", ":")).encode()
        ).decode()
        self._cursors[token] = offset
        return token

    def _cursor_offset(self, cursor: str | None) -> int | None:
        if not cursor:
            return None
        if cursor not in self._cursors:
            raise bad_request("Invalid cursor", v2_title="Invalid cursor")
        return self._cursors[cursor]

    # ------------------------------------------------------------------ v1 pagination

    def _v1_window(self, request: web.Request, default_limit: int, max_limit: int) -> tuple[int, int, bool]:
        """(start, limit, via_cursor) from ``start``/``limit``/``cursor``."""
        limit = self._int(request.query, "limit", default_limit)
        if limit < 0:
            raise bad_request("The limit must be a positive number")
        limit = min(limit, max_limit)
        offset = self._cursor_offset(request.query.get("cursor"))
        if offset is not None:
            return offset, limit, True
        return max(0, self._int(request.query, "start", 0)), limit, False

    def _v1_page(
        self,
        request: web.Request,
        items: list[T],
        render: Callable[[T], JSON],
        *,
        default_limit: int = 25,
        max_limit: int = 200,
        cursor_links: bool = False,
        extra: JSON | None = None,
    ) -> JSON:
        start, limit, _ = self._v1_window(request, default_limit, max_limit)
        window = items[start : start + limit]
        rel = self._relative(request)
        base = self._renderer(request).base
        kept = [(k, v) for k, v in request.query.items() if k not in ("start", "limit", "cursor", "next", "prev")]
        links: JSON = {"base": base, "context": self.context_path}
        if limit > 0 and start + limit < len(items):
            if cursor_links:
                params = [("next", "true"), ("cursor", self._new_cursor(start + limit)), ("limit", str(limit))]
                params += [("start", str(start + limit)), *kept]
            else:
                params = [*kept, ("limit", str(limit)), ("start", str(start + limit))]
            links["next"] = f"{rel}?{urlencode(params, quote_via=quote)}"
        if start > 0 and limit > 0 and not cursor_links:
            params = [*kept, ("limit", str(limit)), ("start", str(max(0, start - limit)))]
            links["prev"] = f"{rel}?{urlencode(params, quote_via=quote)}"
        links["self"] = f"{base}{rel}" + (f"?{urlencode(kept, quote_via=quote)}" if kept else "")
        body: JSON = {"results": [render(i) for i in window], "start": start, "limit": limit, "size": len(window)}
        body.update(extra or {})
        body["_links"] = links
        return body

    # ------------------------------------------------------------------ v2 pagination

    def _v2_limit(self, request: web.Request) -> int:
        limit = self._int(request.query, "limit", 25)
        if not 1 <= limit <= 250:
            raise bad_request("limit must be between 1 and 250", v2_title="Limit must be between 1 and 250")
        return limit

    def _v2_page(self, request: web.Request, items: list[T], render: Callable[[T], JSON]) -> web.Response:
        limit = self._v2_limit(request)
        offset = self._cursor_offset(request.query.get("cursor")) or 0
        window = items[offset : offset + limit]
        links: JSON = {}
        base = self._renderer(request).base
        headers: dict[str, str] = {}
        if offset + limit < len(items):
            kept = [(k, v) for k, v in request.query.items() if k != "cursor"]
            params = [*kept, ("cursor", self._new_cursor(offset + limit))]
            links["next"] = f"{request.path}?{urlencode(params, quote_via=quote)}"
            headers["Link"] = f'<{links["next"]}>; rel="next", <{base}>; rel="base"'
        links["base"] = base
        return json_response({"results": [render(i) for i in window], "_links": links}, headers=headers)

    def _body_format(self, request: web.Request) -> str | None:
        value = request.query.get("body-format")
        if not value:
            return None
        if value == "atlas_doc_format":
            raise bad_request("atlas_doc_format is not supported by the fake Confluence; use body-format=storage")
        if value not in _BODY_FORMATS:
            raise bad_request(f"Invalid value for body-format: {value}")
        return value

    @staticmethod
    def _storage_value(body: object, *, v2: bool) -> str | None:
        """The storage XHTML of a write payload's ``body`` (None when no body was sent)."""
        if body is None:
            return None
        if not isinstance(body, dict):
            raise bad_request("body must be an object")
        if not v2:
            body = body.get("storage", body.get("editor", body.get("wiki")))
            if body is None:
                raise bad_request("Only the storage representation can be written (body.storage)")
            if not isinstance(body, dict):
                raise bad_request("body.storage must be an object")
        representation = body.get("representation", "storage")
        if representation != "storage":
            raise bad_request(f"The fake Confluence only accepts the storage representation, not {representation!r}")
        value = body.get("value", "")
        if not isinstance(value, str):
            raise bad_request("body value must be a string")
        return value

    # ------------------------------------------------------------------ v1 handlers: user, spaces

    async def _current_user(self, request: web.Request) -> web.Response:
        name = self._current(request)
        assert name is not None
        return json_response(self._renderer(request).current_user(name))

    def _space_or_404(self, key: str) -> Space:
        space = self.state.space_by_key(key)
        if space is None:
            raise ConfluenceError(404, f"No space with key : {key}")
        return space

    async def _spaces(self, request: web.Request) -> web.Response:
        renderer = self._renderer(request)
        wanted = {k.upper() for k in request.query.getall("spaceKey", [])}
        space_type = request.query.get("type")
        spaces = sorted(self.state.spaces.values(), key=lambda s: s.key)
        spaces = [s for s in spaces if (not wanted or s.key in wanted) and (not space_type or s.type == space_type)]
        expand = Expand.parse(request.query.get("expand"))
        return json_response(self._v1_page(request, spaces, lambda s: renderer.space(s, expand), max_limit=500))

    async def _space(self, request: web.Request) -> web.Response:
        space = self._space_or_404(request.match_info["key"])
        expand = Expand.parse(request.query.get("expand"))
        return json_response(self._renderer(request).space(space, expand, top_links=True))

    # ------------------------------------------------------------------ v1 handlers: content

    async def _content_list(self, request: web.Request) -> web.Response:
        query = request.query
        content_type = query.get("type", "page")
        items: list[Page | Comment]
        if content_type == "page":
            items = sorted(self.state.pages.values(), key=lambda p: int(p["id"]))
        elif content_type == "comment":
            items = list(self.state.all_comments())
        else:
            items = []
        space_key = query.get("spaceKey")
        if space_key:
            items = [i for i in items if self.state.space_of(i).key.lower() == space_key.lower()]
        title = query.get("title")
        if title:
            items = [i for i in items if i["type"] == "page" and i["title"].casefold() == title.casefold()]
        renderer = self._renderer(request)
        expand = Expand.parse(query.get("expand"))
        return json_response(self._v1_page(request, items, lambda i: renderer.content(i, expand)))

    async def _get_content(self, request: web.Request) -> web.Response:
        content_id = self._path_id(request)
        status = request.query.get("status", "current")
        item: Page | Comment | None = self.state.pages.get(content_id) or self.state.comment(content_id)
        if item is None and content_id in self.state.trash and ("trashed" in status or status == "any"):
            item = self.state.trash[content_id]
        if item is None:
            item = self.state.content(content_id)  # raises the 404
        expand = Expand.parse(request.query.get("expand", DEFAULT_EXPAND))
        return json_response(self._renderer(request).content(item, expand, top_links=True))

    async def _create_content(self, request: web.Request) -> web.Response:
        payload = await self._object(request)
        content_type = payload.get("type")
        actor = self._current(request)
        renderer = self._renderer(request)
        if content_type == "comment":
            container = payload.get("container")
            container_id = self.state.payload_id(container.get("id")) if isinstance(container, dict) else None
            if container_id is None:
                raise bad_request("A comment must have a container (container.id)")
            page = self.state.page(container_id)
            value = self._storage_value(payload.get("body"), v2=False)
            comment = self.state.add_comment(page, value or "", actor)
            return json_response(renderer.comment(comment, Expand.parse(WRITE_EXPAND), top_links=True))
        if content_type != "page":
            raise bad_request(f"Content type {content_type!r} is not supported; use 'page' or 'comment'")
        space_ref = payload.get("space")
        key = space_ref.get("key") if isinstance(space_ref, dict) else None
        if not isinstance(key, str) or not key:
            raise bad_request("Space key is required to create content (space.key)")
        space = self.state.space_by_key(key)
        if space is None:
            raise bad_request(f"No space with key : {key}")
        parent_id = self._v1_parent(payload.get("ancestors"))
        value = self._storage_value(payload.get("body"), v2=False)
        page = self.state.create_page(space, payload.get("title"), value or "", parent_id, actor, "v1")
        return json_response(renderer.page(page, Expand.parse(WRITE_EXPAND), top_links=True))

    def _v1_parent(self, ancestors: object) -> str | None:
        if ancestors is None or ancestors == []:
            return None
        if not isinstance(ancestors, list) or not all(isinstance(a, dict) for a in ancestors):
            raise bad_request("ancestors must be a list of objects with an id")
        parent = self.state.payload_id(ancestors[-1].get("id"))
        if parent is None:
            raise bad_request("ancestors must be a list of objects with an id")
        return parent

    async def _update_content(self, request: web.Request) -> web.Response:
        item = self.state.content(self._path_id(request))
        payload = await self._object(request)
        version = payload.get("version")
        number = version.get("number") if isinstance(version, dict) else None
        message = version.get("message", "") if isinstance(version, dict) else ""
        actor = self._current(request)
        renderer = self._renderer(request)
        content_type = payload.get("type", item["type"])
        if content_type != item["type"]:
            raise bad_request(f"Cannot change the type of content {item['id']} from {item['type']} to {content_type}")
        value = self._storage_value(payload.get("body"), v2=False)
        if item["type"] == "comment":
            if value is None:
                raise bad_request("A comment update needs a body")
            self.state.update_comment(item, version=number, body=value, actor=actor, api="v1")
            return json_response(renderer.comment(item, Expand.parse(WRITE_EXPAND), top_links=True))
        ancestors = payload.get("ancestors")
        move = isinstance(ancestors, list) and len(ancestors) > 0
        self.state.update_page(
            item,
            version=number,
            title=payload.get("title"),
            body=value,
            parent_id=self._v1_parent(ancestors) if move else None,
            move=move,
            message=message if isinstance(message, str) else "",
            actor=actor,
            api="v1",
        )
        return json_response(renderer.page(item, Expand.parse(WRITE_EXPAND), top_links=True))

    async def _delete_content(self, request: web.Request) -> web.Response:
        self.state.delete(self.state.content(self._path_id(request)))
        return web.Response(status=204)

    async def _child_pages(self, request: web.Request) -> web.Response:
        page = self.state.page(self._path_id(request))
        renderer = self._renderer(request)
        expand = Expand.parse(request.query.get("expand"))
        children = self.state.children(page["id"])
        return json_response(self._v1_page(request, children, lambda p: renderer.page(p, expand)))

    async def _child_comments(self, request: web.Request) -> web.Response:
        page = self.state.page(self._path_id(request))
        renderer = self._renderer(request)
        expand = Expand.parse(request.query.get("expand"))
        locations = request.query.getall("location", [])
        comments = self.state.comments.get(page["id"], []) if not locations or "footer" in locations else []
        return json_response(self._v1_page(request, list(comments), lambda c: renderer.comment(c, expand)))

    # ------------------------------------------------------------------ v1 handlers: labels

    def _label_page(self, request: web.Request, item: Page | Comment) -> JSON:
        renderer = self._renderer(request)
        prefix = request.query.get("prefix")
        names = list(item.get("labels", [])) if prefix in (None, "", "global") else []
        return self._v1_page(request, names, renderer.label, default_limit=200)

    async def _labels(self, request: web.Request) -> web.Response:
        item = self.state.content(self._path_id(request))
        return json_response(self._label_page(request, item))

    async def _add_labels(self, request: web.Request) -> web.Response:
        item = self.state.content(self._path_id(request))
        payload = await self._json(request)
        entries = payload if isinstance(payload, list) else [payload]
        names: list[object] = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise bad_request("Each label must be an object with a prefix and a name")
            if entry.get("prefix", "global") not in ("global", "my", "team"):
                raise bad_request(f"Invalid label prefix: {entry.get('prefix')}")
            names.append(entry.get("name"))
        self.state.add_labels(item, names)
        return json_response(self._label_page(request, item))

    async def _remove_label(self, request: web.Request) -> web.Response:
        item = self.state.content(self._path_id(request))
        name = request.match_info.get("label") or request.query.get("name")
        if not name:
            raise bad_request("The label name is required")
        self.state.remove_label(item, name)
        return web.Response(status=204)

    # ------------------------------------------------------------------ v1 handlers: search

    def _run_search(self, request: web.Request) -> tuple[list[dict[str, Any]], tuple[str, ...], str]:
        cql = request.query.get("cql", "")
        found = search(self.state, cql, self._current(request))
        return found.items, found.terms, cql

    async def _content_search(self, request: web.Request) -> web.Response:
        items, _, cql = self._run_search(request)
        renderer = self._renderer(request)
        expand = Expand.parse(request.query.get("expand"))
        body = self._v1_page(
            request,
            items,
            lambda i: renderer.content(i, expand),
            max_limit=100,
            cursor_links=self.cloud,
            extra={"cqlQuery": cql, "searchDuration": 7},
        )
        return json_response(body)

    async def _search(self, request: web.Request) -> web.Response:
        items, terms, cql = self._run_search(request)
        renderer = self._renderer(request)
        expand = Expand.parse(request.query.get("expand"))
        hl = self.search_highlight and request.query.get("excerpt", "highlight") in ("highlight", "highlight_unescaped")
        body = self._v1_page(
            request,
            items,
            lambda i: renderer.search_result(i, expand, terms, hl),
            max_limit=100,
            cursor_links=self.cloud,
            extra={"totalSize": len(items), "cqlQuery": cql, "searchDuration": 12},
        )
        return json_response(body)

    # ------------------------------------------------------------------ v2 handlers: pages

    @staticmethod
    def _v2_ids(value: str | None, name: str) -> list[str]:
        ids = [v.strip() for v in (value or "").split(",") if v.strip()]
        for v in ids:
            if not v.isdigit():
                raise bad_request(
                    f"Invalid {name}: {v}",
                    v2_title=f"Provided value {{{v}}} for '{name}' is not the correct type. Expected type is long",
                )
        return ids

    def _v2_sorted(self, request: web.Request, pages: list[Page]) -> list[Page]:
        sort = request.query.get("sort") or "id"
        if sort not in _V2_SORTS:
            raise bad_request(f"Invalid sort: {sort}")
        field, descending = _V2_SORTS[sort]
        if field == "id":
            return sorted(pages, key=lambda p: int(p["id"]), reverse=descending)
        if field == "title":
            return sorted(pages, key=lambda p: p["title"].casefold(), reverse=descending)
        return sorted(pages, key=lambda p: p[field], reverse=descending)

    def _v2_filtered_pages(self, request: web.Request, space_ids: list[str]) -> list[Page]:
        ids = self._v2_ids(request.query.get("id"), "id")
        title = request.query.get("title")
        statuses = [s for s in (request.query.get("status") or "current,archived").split(",") if s]
        pages = [
            p
            for p in self.state.pages.values()
            if (not ids or p["id"] in ids)
            and (not space_ids or self.state.spaces[p["space_key"]].id in space_ids)
            and (not title or p["title"] == title)
            and p["status"] in statuses
        ]
        return self._v2_sorted(request, pages)

    async def _v2_pages(self, request: web.Request) -> web.Response:
        space_ids = self._v2_ids(request.query.get("space-id"), "space-id")
        body_format = self._body_format(request)
        renderer = self._renderer(request)
        pages = self._v2_filtered_pages(request, space_ids)
        return self._v2_page(request, pages, lambda p: renderer.v2_page(p, body_format))

    async def _v2_space_pages(self, request: web.Request) -> web.Response:
        space = self._v2_space_or_404(request)
        body_format = self._body_format(request)
        renderer = self._renderer(request)
        pages = self._v2_filtered_pages(request, [space.id])
        if request.query.get("depth") == "root":
            pages = [p for p in pages if p["parent_id"] is None]
        return self._v2_page(request, pages, lambda p: renderer.v2_page(p, body_format))

    def _v2_page_or_404(self, request: web.Request) -> Page:
        page = self.state.pages.get(self._path_id(request))
        if page is None:
            raise ConfluenceError(404, "Not Found")
        return page

    async def _v2_get_page(self, request: web.Request) -> web.Response:
        page = self._v2_page_or_404(request)
        renderer = self._renderer(request)
        data = renderer.v2_page(page, self._body_format(request), single=True)
        if request.query.get("include-labels") == "true":
            data["labels"] = {
                "results": [renderer.v2_label(n) for n in page["labels"]],
                "meta": {"hasMore": False, "cursor": None},
                "_links": {},
            }
        return json_response(data)

    def _v2_space_id(self, value: object) -> Space:
        if isinstance(value, bool) or value is None or value == "":
            raise bad_request("spaceId is required", v2_title="A spaceId must be provided")
        text = str(value).strip()
        if not text.isdigit():
            raise bad_request(
                f"Invalid spaceId: {text}",
                v2_title=f"Provided value {{{text}}} for 'spaceId' is not the correct type. Expected type is long",
            )
        space = self.state.space_by_id(text)
        if space is None:
            raise ConfluenceError(404, f"No space with id : {text}", v2_title="Space not found")
        return space

    def _v2_body(self, payload: Mapping[str, Any], *, required: bool) -> str | None:
        value = self._storage_value(payload.get("body"), v2=True)
        if value is None and required:
            raise bad_request("body is required", v2_title="A body must be provided")
        return value

    async def _v2_create_page(self, request: web.Request) -> web.Response:
        payload = await self._object(request)
        space = self._v2_space_id(payload.get("spaceId"))
        status = payload.get("status", "current")
        if status != "current":
            raise bad_request(
                f"Unsupported status: {status}",
                v2_title=f"Creating pages with status {status!r} is not supported by the fake Confluence",
            )
        parent_id = self.state.payload_id(payload.get("parentId"))
        if parent_id is None and request.query.get("root-level") != "true":
            parent_id = space.homepage_id if space.homepage_id in self.state.pages else None
        value = self._v2_body(payload, required=False)
        page = self.state.create_page(space, payload.get("title"), value or "", parent_id, self._current(request), "v2")
        return json_response(self._renderer(request).v2_page(page, "storage", single=True))

    async def _v2_update_page(self, request: web.Request) -> web.Response:
        page = self._v2_page_or_404(request)
        payload = await self._object(request)
        if self.state.payload_id(payload.get("id")) != page["id"]:
            raise bad_request("The id in the body must match the page id in the path")
        if payload.get("status") != "current":
            raise bad_request("status is required and must be 'current'", v2_title="Status must be 'current'")
        if "spaceId" in payload and str(payload["spaceId"]) != self.state.spaces[page["space_key"]].id:
            raise bad_request("Moving a page to another space is not supported by the fake Confluence")
        version = payload.get("version")
        number = version.get("number") if isinstance(version, dict) else None
        message = version.get("message", "") if isinstance(version, dict) else ""
        value = self._v2_body(payload, required=True)
        move = payload.get("parentId") is not None
        self.state.update_page(
            page,
            version=number,
            title=payload.get("title"),
            body=value,
            parent_id=self.state.payload_id(payload.get("parentId")),
            move=move,
            message=message if isinstance(message, str) else "",
            actor=self._current(request),
            api="v2",
        )
        return json_response(self._renderer(request).v2_page(page, "storage", single=True))

    async def _v2_delete_page(self, request: web.Request) -> web.Response:
        self.state.delete(self._v2_page_or_404(request))
        return web.Response(status=204)

    async def _v2_children(self, request: web.Request) -> web.Response:
        page = self._v2_page_or_404(request)
        renderer = self._renderer(request)
        return self._v2_page(request, self.state.children(page["id"]), renderer.v2_child)

    async def _v2_ancestors(self, request: web.Request) -> web.Response:
        page = self._v2_page_or_404(request)
        limit = self._v2_limit(request)
        ancestors = self.state.ancestors(page)[-limit:]
        results = [{"id": a["id"], "type": "page"} for a in ancestors]
        return json_response({"results": results, "_links": {"base": self._renderer(request).base}})

    async def _v2_labels(self, request: web.Request) -> web.Response:
        page = self._v2_page_or_404(request)
        renderer = self._renderer(request)
        prefix = request.query.get("prefix")
        names = list(page["labels"]) if prefix in (None, "", "global") else []
        return self._v2_page(request, names, renderer.v2_label)

    # ------------------------------------------------------------------ v2 handlers: comments, spaces

    async def _v2_page_comments(self, request: web.Request) -> web.Response:
        page = self._v2_page_or_404(request)
        body_format = self._body_format(request)
        renderer = self._renderer(request)
        comments = list(self.state.comments.get(page["id"], []))
        if request.query.get("sort") in ("-created-date", "-modified-date"):
            comments.reverse()
        return self._v2_page(request, comments, lambda c: renderer.v2_comment(c, body_format))

    async def _v2_create_comment(self, request: web.Request) -> web.Response:
        payload = await self._object(request)
        if payload.get("pageId") is None:
            if any(payload.get(k) is not None for k in ("blogPostId", "parentCommentId", "attachmentId")):
                raise bad_request("The fake Confluence only supports top-level footer comments on pages (pageId)")
            raise bad_request("pageId is required", v2_title="A pageId must be provided")
        page_id = self.state.payload_id(payload.get("pageId"))
        page = self.state.pages.get(page_id or "")
        if page is None:
            raise ConfluenceError(404, "Not Found")
        value = self._v2_body(payload, required=True)
        comment = self.state.add_comment(page, value or "", self._current(request))
        return json_response(self._renderer(request).v2_comment(comment, "storage", single=True), 201)

    async def _v2_get_comment(self, request: web.Request) -> web.Response:
        comment = self.state.comment(self._path_id(request))
        if comment is None:
            raise ConfluenceError(404, "Not Found")
        body_format = self._body_format(request)
        return json_response(self._renderer(request).v2_comment(comment, body_format, single=True))

    def _v2_space_or_404(self, request: web.Request) -> Space:
        space = self.state.space_by_id(self._path_id(request))
        if space is None:
            raise ConfluenceError(404, "Not Found")
        return space

    async def _v2_spaces(self, request: web.Request) -> web.Response:
        keys = {k.strip().upper() for k in (request.query.get("keys") or "").split(",") if k.strip()}
        ids = set(self._v2_ids(request.query.get("ids"), "ids"))
        space_type = request.query.get("type")
        spaces = [
            s
            for s in sorted(self.state.spaces.values(), key=lambda s: int(s.id))
            if (not keys or s.key.upper() in keys)
            and (not ids or s.id in ids)
            and (not space_type or s.type == space_type)
        ]
        renderer = self._renderer(request)
        return self._v2_page(request, spaces, renderer.v2_space)

    async def _v2_space(self, request: web.Request) -> web.Response:
        return json_response(self._renderer(request).v2_space(self._v2_space_or_404(request), single=True))
