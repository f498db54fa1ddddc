"""A fake Jira (Server/Data Center or Cloud) REST API for tests: routing, authentication, sessions.

Authentication, per request:

* a ``JSESSIONID`` cookie naming a live session wins over everything else, even over an Authorization
  header for another user (what a careless real server could do; it lets tests catch cookies leaking
  between users);
* otherwise ``Authorization: Bearer <token>`` or ``Basic base64(name:token)`` (Server) /
  ``Basic base64(email:token)`` (Cloud);
* an Authorization header that is present but wrong is always a 401; no credentials is a 401 too, except
  for reads when ``allow_anonymous_read`` is set (``/myself`` never allows anonymous access).

Every successful authenticated answer sets ``JSESSIONID`` (remembered in ``sessions``) and
``atlassian.xsrf.token`` cookies.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

from aiohttp import web

from ._atlassian import atlassian_login
from ._base import (
    ANONYMOUS,
    AUTH_KEY,
    AuthResult,
    FakeUpstream,
    Handler,
    Middleware,
    json_response,
    text_response,
)
from ._jira_data import JiraUser, Project
from ._jira_errors import JiraError, bad_request, error_body, project_not_found
from ._jira_render import FieldSelection, JiraRenderer
from ._jira_search import search
from ._jira_state import Issue, JiraState

__all__ = ["FakeJira", "JiraUser"]

SERVER_UNAUTHORIZED = error_body(["You are not authenticated. Authentication required to perform this operation."])
CLOUD_UNAUTHORIZED = "Client must be authenticated to access this resource."
SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
INVALID_PAGE_TOKEN = "The provided next page token is invalid or expired."

# Route policies (the part of a route name after "v2:" / "v3:")
_PUBLIC = frozenset({"serverInfo", "searchRemoved"})  # answer without credentials
_NEVER_ANONYMOUS = frozenset({"myself"})
_ANONYMOUS_POSTS = frozenset({"search", "searchJql"})  # reads sent as POST


class FakeJira(FakeUpstream):
    """A fake Jira; ``deployment`` picks Server/DC (API v2 only) or Cloud (v3 and v2) behaviour."""

    def __init__(
        self,
        deployment: Literal["server", "cloud"] = "server",
        users: Sequence[JiraUser] = (),
        *,
        allow_anonymous_read: bool = False,
    ) -> None:
        if deployment not in ("server", "cloud"):
            raise ValueError(f"deployment must be 'server' or 'cloud', not {deployment!r}")
        self.deployment: Literal["server", "cloud"] = deployment
        self.users: tuple[JiraUser, ...] = tuple(users)
        self.allow_anonymous_read = allow_anonymous_read
        self.state = JiraState(deployment, self.users)
        self.sessions: dict[str, str] = {}  # JSESSIONID -> user name
        self.require_bounded_jql = deployment == "cloud"  # Cloud's /search/jql refuses unbounded JQL
        self._page_tokens: dict[str, int] = {}  # Cloud nextPageToken -> offset
        super().__init__()

    # ------------------------------------------------------------------ state, for tests

    @property
    def cloud(self) -> bool:
        return self.deployment == "cloud"

    @property
    def issues(self) -> dict[str, dict[str, Any]]:
        """Stored issues by key (``"DEMO-1"``); see ``_jira_data.seed`` for the shape."""
        return self.state.issues

    @property
    def comments(self) -> dict[str, list[dict[str, Any]]]:
        """Stored comments by issue key."""
        return self.state.comments

    @property
    def transitions(self) -> list[dict[str, Any]]:
        """Log of performed transitions: ``{"issue", "id", "from", "to", "by"}``."""
        return self.state.transitions

    @property
    def links(self) -> list[dict[str, Any]]:
        """Created issue links: ``{"id", "type", "inward", "outward", "by"}``."""
        return self.state.links

    @property
    def projects(self) -> dict[str, Project]:
        return self.state.projects

    def user(self, name: str) -> JiraUser:
        found = self.state.user(name)
        if found is None:
            raise KeyError(name)
        return found

    # ------------------------------------------------------------------ authentication

    def identify(self, request: web.Request) -> AuthResult:
        session = request.cookies.get("JSESSIONID")
        cookie_user = self.sessions.get(session) if session else None
        if cookie_user is not None:
            return AuthResult(identity=cookie_user, auth_via="cookie", cookie_identity=cookie_user)
        header = request.headers.get("Authorization")
        if header is None:
            return ANONYMOUS
        user, via = atlassian_login(self.users, header, cloud=self.cloud)
        if user is None:
            return AuthResult(rejected=True)
        return AuthResult(identity=user.name, auth_via=via)

    def _unauthorized(self, request: web.Request, auth: AuthResult) -> web.Response:
        if self.cloud:
            return text_response(CLOUD_UNAUTHORIZED, 401)
        realm = quote(f"{request.scheme}://{request.host}", safe="")
        headers = {"WWW-Authenticate": f'OAuth realm="{realm}"'}
        if auth.rejected:
            headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        return json_response(SERVER_UNAUTHORIZED, 401, headers)

    def _set_session_cookies(self, request: web.Request, response: web.StreamResponse, auth: AuthResult) -> None:
        assert auth.identity is not None
        session = request.cookies.get("JSESSIONID", "") if auth.auth_via == "cookie" else ""
        if not session:
            session = secrets.token_hex(16).upper()
            self.sessions[session] = auth.identity
        response.set_cookie("JSESSIONID", session, path="/", httponly=True)
        xsrf = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        response.set_cookie("atlassian.xsrf.token", f"{xsrf}|{secrets.token_hex(20)}|lin", path="/")

    def default_fault_body(self, status: int) -> object:
        if status == 401:
            return CLOUD_UNAUTHORIZED if self.cloud else SERVER_UNAUTHORIZED
        messages = {500: "Internal server error", 429: "Rate limit exceeded.", 503: "Service Unavailable"}
        return error_body([messages.get(status, f"HTTP {status}")])

    # ------------------------------------------------------------------ middleware

    def extra_middlewares(self) -> list[Middleware]:
        return [self._jira_middleware]

    async def _jira_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        match_info = request.match_info
        if match_info.http_exception is not None:
            return self._route_error(request, match_info.http_exception)
        name = (match_info.route.name or ":").split(":", 1)[1]
        auth = request[AUTH_KEY]
        if auth.rejected or (auth.identity is None and not self._anonymous_allowed(request.method, name)):
            return self._unauthorized(request, auth)
        try:
            response = await handler(request)
        except JiraError as exc:
            response = json_response(exc.body, exc.status)
        if auth.identity is not None and response.status < 400:
            self._set_session_cookies(request, response, auth)
        return response

    def _anonymous_allowed(self, method: str, route: str) -> bool:
        if route in _PUBLIC:
            return True
        if not self.allow_anonymous_read or route in _NEVER_ANONYMOUS:
            return False
        return method in ("GET", "HEAD") or (method == "POST" and route in _ANONYMOUS_POSTS)

    def _route_error(self, request: web.Request, exc: web.HTTPException) -> web.Response:
        if not request.path.startswith("/rest/"):
            return web.Response(
                status=exc.status,
                text="<html><body><h1>Oops, you've found a dead link.</h1></body></html>",
                content_type="text/html",
            )
        if exc.status == 405:
            return json_response(error_body(["Method Not Allowed"]), 405, {"Allow": exc.headers.get("Allow", "")})
        return json_response(error_body([f"null for uri: {request.url}"]), exc.status)

    # ------------------------------------------------------------------ routes

    def setup_routes(self, app: web.Application) -> None:
        for version in (3, 2) if self.cloud else (2,):
            self._add_routes(app, version)

    def _add_routes(self, app: web.Application, version: int) -> None:
        prefix = f"/rest/api/{version}"

        def route(method: str, path: str, handler: Handler, name: str) -> None:
            app.router.add_route(method, prefix + path, handler, name=f"v{version}:{name}")

        route("GET", "/myself", self._myself, "myself")
        route("GET", "/serverInfo", self._server_info, "serverInfo")
        route("POST", "/issue", self._create_issue, "createIssue")
        route("GET", "/issue/createmeta/{project}/issuetypes", self._createmeta_types, "createmetaTypes")
        route(
            "GET",
            "/issue/createmeta/{project}/issuetypes/{type}",
            self._createmeta_fields,
            "createmetaFields",
        )
        route("GET", "/issue/{key}", self._get_issue, "getIssue")
        route("PUT", "/issue/{key}", self._edit_issue, "editIssue")
        route("GET", "/issue/{key}/comment", self._get_comments, "getComments")
        route("POST", "/issue/{key}/comment", self._add_comment, "addComment")
        route("GET", "/issue/{key}/comment/{comment}", self._get_comment, "getComment")
        route("GET", "/issue/{key}/transitions", self._get_transitions, "getTransitions")
        route("POST", "/issue/{key}/transitions", self._do_transition, "doTransition")
        route("PUT", "/issue/{key}/assignee", self._assign, "assign")
        route("POST", "/issueLink", self._create_link, "createLink")
        route("GET", "/issueLinkType", self._link_types, "linkTypes")
        route("GET", "/priority", self._priorities, "priorities")
        route("GET", "/issuetype", self._issue_types, "issueTypes")
        route("GET", "/project", self._projects, "projects")
        if self.cloud:
            route("GET", "/project/search", self._project_search, "projectSearch")
        route("GET", "/project/{project}", self._project, "project")
        if self.cloud:
            route("GET", "/search/jql", self._search_jql, "searchJql")
            route("POST", "/search/jql", self._search_jql, "searchJql")
            route("GET", "/search", self._search_removed, "searchRemoved")
            route("POST", "/search", self._search_removed, "searchRemoved")
        else:
            route("GET", "/search", self._search, "search")
            route("POST", "/search", self._search, "search")

    # ------------------------------------------------------------------ request helpers

    def _renderer(self, request: web.Request) -> JiraRenderer:
        version = int((request.match_info.route.name or "v2:").split(":", 1)[0][1:])
        return JiraRenderer(self.state, version, f"{request.scheme}://{request.host}")

    @staticmethod
    def _adf(request: web.Request) -> bool:
        """Whether rich text in this request's bodies is ADF (Cloud API v3)."""
        return (request.match_info.route.name or "").startswith("v3:")

    def _current(self, request: web.Request) -> str | None:
        return request[AUTH_KEY].identity

    def _issue(self, request: web.Request) -> Issue:
        return self.state.get_issue(request.match_info["key"])

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        if not raw.strip():
            raise bad_request("No content to map to Object due to end of input")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"Unexpected character in the JSON body: {exc}") from None
        if not isinstance(data, dict):
            raise bad_request("Can not deserialize instance of the request bean out of a non-object token")
        return data

    @staticmethod
    def _int(source: Mapping[str, Any], name: str, default: int) -> int:
        raw = source.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise bad_request(f"The value '{raw}' is not a valid integer for the parameter '{name}'.") from None

    def _page_bounds(self, source: Mapping[str, Any], default_max: int, cap: int) -> tuple[int, int]:
        start_at = max(0, self._int(source, "startAt", 0))
        max_results = self._int(source, "maxResults", default_max)
        return start_at, default_max if max_results < 0 else min(max_results, cap)

    # ------------------------------------------------------------------ handlers: identity and meta

    async def _myself(self, request: web.Request) -> web.Response:
        name = self._current(request)
        assert name is not None
        return json_response(self._renderer(request).myself(self.user(name)))

    async def _server_info(self, request: web.Request) -> web.Response:
        base = f"{request.scheme}://{request.host}"
        if self.cloud:
            info: dict[str, Any] = {
                "baseUrl": base,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100290,
                "buildDate": "2026-01-10T00:00:00.000+0000",
                "serverTime": "2026-01-15T10:20:30.000+0000",
                "scmInfo": "0" * 40,
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "en_US"},
                "serverTimeZone": "Etc/UTC",
            }
        else:
            info = {
                "baseUrl": base,
                "version": "9.12.15",
                "versionNumbers": [9, 12, 15],
                "deploymentType": "Server",
                "buildNumber": 9120015,
                "buildDate": "2024-10-01T00:00:00.000+0000",
                "serverTime": "2026-01-15T10:20:30.000+0000",
                "scmInfo": "0" * 40,
                "serverTitle": "Jira",
            }
        return json_response(info)

    async def _priorities(self, request: web.Request) -> web.Response:
        return json_response(self._renderer(request).priorities())

    async def _issue_types(self, request: web.Request) -> web.Response:
        return json_response(self._renderer(request).issue_types())

    async def _link_types(self, request: web.Request) -> web.Response:
        return json_response({"issueLinkTypes": self._renderer(request).link_types()})

    # ------------------------------------------------------------------ handlers: projects

    def _project_or_404(self, ref: str) -> Project:
        project = self.state.find_project(ref)
        if project is None:
            raise project_not_found(ref)
        return project

    async def _projects(self, request: web.Request) -> web.Response:
        renderer = self._renderer(request)
        return json_response([renderer.project(p) for p in self.state.projects.values()])

    async def _project(self, request: web.Request) -> web.Response:
        project = self._project_or_404(request.match_info["project"])
        return json_response(self._renderer(request).project(project, detailed=True))

    async def _project_search(self, request: web.Request) -> web.Response:
        renderer = self._renderer(request)
        start_at, max_results = self._page_bounds(request.query, 50, 100)
        needle = request.query.get("query", "").lower()
        projects = [p for p in self.state.projects.values() if needle in p.key.lower() or needle in p.name.lower()]
        page = projects[start_at : start_at + max_results]
        is_last = start_at + max_results >= len(projects)
        body: dict[str, Any] = {
            "self": str(request.url),
            "maxResults": max_results,
            "startAt": start_at,
            "total": len(projects),
            "isLast": is_last,
            "values": [renderer.project(p) for p in page],
        }
        if not is_last:
            body["nextPage"] = str(request.url.update_query(startAt=start_at + max_results))
        return json_response(body)

    async def _createmeta_types(self, request: web.Request) -> web.Response:
        self._project_or_404(request.match_info["project"])
        renderer = self._renderer(request)
        start_at, max_results = self._page_bounds(request.query, 50, 200)
        types = renderer.issue_types()
        page = types[start_at : start_at + max_results]
        if self.cloud:
            return json_response(
                {"issueTypes": page, "maxResults": max_results, "startAt": start_at, "total": len(types)}
            )
        return json_response(
            {
                "maxResults": max_results,
                "startAt": start_at,
                "total": len(types),
                "isLast": start_at + max_results >= len(types),
                "values": page,
            }
        )

    async def _createmeta_fields(self, request: web.Request) -> web.Response:
        project = self._project_or_404(request.match_info["project"])
        issue_type = self.state.issue_type(request.match_info["type"])
        if issue_type is None:
            raise JiraError(404, [f"Issue type with id '{request.match_info['type']}' does not exist."])
        fields = self._renderer(request).create_fields(project, issue_type.name)
        start_at, max_results = self._page_bounds(request.query, 50, 200)
        page = fields[start_at : start_at + max_results]
        if self.cloud:
            return json_response({"fields": page, "maxResults": max_results, "startAt": start_at, "total": len(fields)})
        return json_response(
            {
                "maxResults": max_results,
                "startAt": start_at,
                "total": len(fields),
                "isLast": start_at + max_results >= len(fields),
                "values": page,
            }
        )

    # ------------------------------------------------------------------ handlers: issues

    async def _get_issue(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        fields = FieldSelection.parse(request.query.get("fields"), "*all")
        expand = request.query.get("expand", "").split(",")
        return json_response(self._renderer(request).issue(issue, fields, expand))

    async def _create_issue(self, request: web.Request) -> web.Response:
        payload = await self._json(request)
        fields = payload.get("fields")
        if not isinstance(fields, dict):
            fields = {}
        issue = self.state.create_issue(fields, adf=self._adf(request), reporter=self._current(request))
        renderer = self._renderer(request)
        return json_response({"id": issue["id"], "key": issue["key"], "self": renderer.issue_self(issue)}, 201)

    async def _edit_issue(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        payload = await self._json(request)
        fields = payload.get("fields") or {}
        update = payload.get("update") or {}
        if not isinstance(fields, dict) or not isinstance(update, dict):
            raise bad_request("'fields' and 'update' must be objects")
        self.state.edit_issue(issue, fields, update, adf=self._adf(request), actor=self._current(request))
        return web.Response(status=204)

    async def _assign(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        self.state.assign(issue, await self._json(request))
        return web.Response(status=204)

    async def _get_comments(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        start_at, max_results = self._page_bounds(request.query, 5000, 5000)
        return json_response(self._renderer(request).comment_page(issue, start_at, max_results))

    async def _get_comment(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        wanted = request.match_info["comment"]
        comment = next((c for c in self.state.comments.get(issue["key"], []) if c["id"] == wanted), None)
        if comment is None:
            raise JiraError(404, [f"Can not find a comment for the id: {wanted}."])
        return json_response(self._renderer(request).comment(issue, comment))

    async def _add_comment(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        payload = await self._json(request)
        comment = self.state.add_comment(
            issue, payload.get("body"), adf=self._adf(request), author=self._current(request)
        )
        return json_response(self._renderer(request).comment(issue, comment), 201)

    async def _get_transitions(self, request: web.Request) -> web.Response:
        self._issue(request)
        transitions = self._renderer(request).transitions()
        wanted = request.query.get("transitionId")
        if wanted:
            transitions = [t for t in transitions if t["id"] == wanted]
        return json_response({"expand": "transitions", "transitions": transitions})

    async def _do_transition(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        payload = await self._json(request)
        self.state.transition(issue, payload, adf=self._adf(request), actor=self._current(request))
        return web.Response(status=204)

    async def _create_link(self, request: web.Request) -> web.Response:
        payload = await self._json(request)
        self.state.add_link(payload, adf=self._adf(request), actor=self._current(request))
        return web.Response(status=201)

    # ------------------------------------------------------------------ handlers: search

    async def _search_params(self, request: web.Request) -> dict[str, Any]:
        if request.method == "POST":
            return await self._json(request)
        return dict(request.query)

    async def _search(self, request: web.Request) -> web.Response:
        """Server/DC: offset pagination with a total."""
        params = await self._search_params(request)
        start_at, max_results = self._page_bounds(params, 50, 100)
        found = search(self.state, str(params.get("jql") or ""), self._current(request))
        fields = FieldSelection.parse(params.get("fields"), "*navigable")
        renderer = self._renderer(request)
        expand = str(params.get("expand") or "").split(",")
        return json_response(
            {
                "expand": "schema,names",
                "startAt": start_at,
                "maxResults": max_results,
                "total": len(found),
                "issues": [renderer.issue(i, fields, expand) for i in found[start_at : start_at + max_results]],
            }
        )

    async def _search_jql(self, request: web.Request) -> web.Response:
        """Cloud enhanced search: opaque nextPageToken, isLast, no total; only ids unless fields are asked."""
        params = await self._search_params(request)
        token = params.get("nextPageToken")
        offset = 0
        if token:
            if token not in self._page_tokens:
                raise bad_request(INVALID_PAGE_TOKEN)
            offset = self._page_tokens[token]
        fields = FieldSelection.parse(params.get("fields"), "id")
        _, max_results = self._page_bounds(params, 50, 5000 if fields.keys_only else 100)
        max_results = max(1, max_results)
        found = search(
            self.state,
            str(params.get("jql") or ""),
            self._current(request),
            require_bounded=self.require_bounded_jql,
        )
        renderer = self._renderer(request)
        expand = str(params.get("expand") or "").split(",")
        page = found[offset : offset + max_results]
        body: dict[str, Any] = {"issues": [renderer.issue(i, fields, expand) for i in page]}
        if offset + max_results < len(found):
            next_token = secrets.token_urlsafe(24)
            self._page_tokens[next_token] = offset + max_results
            body["nextPageToken"] = next_token
            body["isLast"] = False
        else:
            body["isLast"] = True
        return json_response(body)

    async def _search_removed(self, request: web.Request) -> web.Response:
        return json_response(error_body([SEARCH_REMOVED]), 410)
