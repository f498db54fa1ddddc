"""A fake OpenProject API v3 (HAL+JSON) for tests: routing, authentication, sessions, content types.

Authentication, per request:

* an ``_open_project_session`` cookie naming a live session wins over everything else, even over an
  Authorization header for another user (what a careless server could do; it lets tests catch cookies
  leaking between users);
* otherwise ``Authorization: Basic base64("apikey:" + api_key)`` or ``Authorization: Bearer <api_key>``;
* credentials that are present but wrong are a 401 ("You did not provide the correct credentials."),
  also when anonymous access is allowed, unless ``bad_key_falls_back_to_anonymous`` models an instance that
  silently serves a bad key as the Anonymous user;
* no credentials is a 401 ("You need to be authenticated to access this resource."), or, with
  ``allow_anonymous``, the request is served as the Anonymous user, who may read but not write (403).

Every successful authenticated answer sets the ``_open_project_session`` cookie (remembered in
``sessions``).  Requests other than GET must send ``Content-Type: application/json`` (or
``application/hal+json``): a missing header is a 406 with a text body, another type a 415
``TypeNotSupported``; both are checked after authentication, as OpenProject does.

Collections use OpenProject's paging: ``offset`` is the 1-based *page number*, ``pageSize`` its size.
Without a ``filters`` parameter a work package list shows open work packages only (OpenProject's default
filter); send ``filters=[]`` for all of them.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from .._base import (
    ANONYMOUS,
    AUTH_KEY,
    JSON_CONTENT_TYPE,
    AuthResult,
    FakeUpstream,
    Fault,
    Handler,
    Middleware,
)
from ._data import OpenProjectUser, Priority, Status, WpType
from ._errors import (
    ALLOWED_CONTENT_TYPES,
    NOT_JSON,
    UNAUTHENTICATED,
    WRONG_CREDENTIALS,
    OpenProjectError,
    bad_body,
    error_body,
    fault_body,
    forbidden,
    not_found,
)
from ._query import (
    PROJECT_FILTERS,
    PROJECT_SORTS,
    WORK_PACKAGE_FILTERS,
    WORK_PACKAGE_SORTS,
    Filter,
    page_params,
    parse_filters,
    parse_sort,
    project_matcher,
    sort_rows,
    work_package_matcher,
    work_package_sort_key,
)
from ._render import API, HalRenderer, collection, link, paginated, user_href
from ._state import Activity, OpenProjectState, Principal, WorkPackage, require_object

__all__ = ["FakeOpenProject", "OpenProjectUser"]

HAL_CONTENT_TYPE = "application/hal+json; charset=utf-8"
SESSION_COOKIE = "_open_project_session"
CORE_VERSION = "16.6.1"
_OPEN = (Filter("status", "o", ()),)


def hal_response(data: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        headers={"Content-Type": HAL_CONTENT_TYPE, **(headers or {})},
    )


class FakeOpenProject(FakeUpstream):
    """A fake OpenProject; see the module docstring for authentication and content-type rules."""

    def __init__(
        self,
        users: Sequence[OpenProjectUser] = (),
        *,
        allow_anonymous: bool = False,
        bad_key_falls_back_to_anonymous: bool = False,
    ) -> None:
        self.users: tuple[OpenProjectUser, ...] = tuple(users)
        if len({u.id for u in self.users}) != len(self.users) or len({u.login for u in self.users}) != len(self.users):
            raise ValueError("user ids and logins must be unique")
        self.allow_anonymous = allow_anonymous
        self.bad_key_falls_back_to_anonymous = bad_key_falls_back_to_anonymous
        self.state = OpenProjectState(self.users)
        self.sessions: dict[str, str] = {}  # session cookie value -> login
        super().__init__()

    # ------------------------------------------------------------------ state, for tests

    @property
    def work_packages(self) -> dict[int, dict[str, Any]]:
        """Stored work packages by id; see ``_openproject_data`` for the keys."""
        return self.state.work_packages

    @property
    def activities(self) -> dict[int, list[dict[str, Any]]]:
        """Activities (journals) by work package id, oldest first."""
        return self.state.activities

    @property
    def projects(self) -> dict[int, dict[str, Any]]:
        return self.state.projects

    @property
    def statuses(self) -> dict[int, Status]:
        return self.state.statuses

    @property
    def types(self) -> dict[int, WpType]:
        return self.state.types

    @property
    def priorities(self) -> dict[int, Priority]:
        return self.state.priorities

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every PATCH of a work package: ``{"work_package", "lockVersion" (as sent, None when missing),
        "current" (the stored one), "by", "status" (200 / 409 / 422), "payload"}``."""
        return self.state.updates

    @property
    def anonymous_user_id(self) -> int:
        return self.state.anonymous.id

    def user(self, login: str) -> OpenProjectUser:
        found = self.state.user_by_login(login)
        if found is None:
            raise KeyError(login)
        return found

    def touch(self, work_package_id: int, *, by: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change a work package as someone else would, so that a client's ``lockVersion`` goes stale.

        Always bumps ``lockVersion`` and ``updatedAt`` and journals the change (as user ``by``, default the
        built-in System user).  ``changes`` use the stored keys (``subject``, ``description``, ``status``,
        ``type``, ``priority``, ``assignee``, ``project``, ``startDate``, ``dueDate``, ``percentageDone``)
        plus ``comment``; catalog values may be given by id or by name (assignee also by login).
        """
        if work_package_id not in self.state.work_packages:
            raise KeyError(work_package_id)
        by_id = self.user(by).id if by is not None else None
        return self.state.touch(work_package_id, by_id, changes)

    # ------------------------------------------------------------------ authentication

    def identify(self, request: web.Request) -> AuthResult:
        session = request.cookies.get(SESSION_COOKIE)
        cookie_user = self.sessions.get(session) if session else None
        if cookie_user is not None:
            return AuthResult(identity=cookie_user, auth_via="cookie", cookie_identity=cookie_user)
        header = request.headers.get("Authorization", "").strip()
        if not header:
            return ANONYMOUS
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        user: OpenProjectUser | None = None
        via = scheme.lower()
        if via == "bearer" and credentials:
            user = next((u for u in self.users if secrets.compare_digest(u.api_key, credentials)), None)
        elif via == "basic" and credentials:
            user = self._basic_user(credentials)
        if user is not None:
            return AuthResult(identity=user.login, auth_via=via)
        if self.bad_key_falls_back_to_anonymous:
            return AuthResult(auth_via="anonymous_fallback")
        return AuthResult(rejected=True)

    def _basic_user(self, credentials: str) -> OpenProjectUser | None:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        login, sep, secret = decoded.partition(":")
        if not sep or login != "apikey":  # API v3 takes the API key with the fixed user name "apikey"
            return None
        return next((u for u in self.users if secrets.compare_digest(u.api_key, secret)), None)

    def _unauthorized(self, request: web.Request, message: str) -> web.Response:
        scheme = request.headers.get("Authorization", "").strip().partition(" ")[0].lower()
        if scheme == "basic":
            challenge = 'Basic realm="OpenProject API"'
        elif scheme == "bearer":
            challenge = 'Bearer realm="OpenProject API", scope="api_v3", error="invalid_token"'
        else:
            challenge = 'Bearer realm="OpenProject API", scope="api_v3"'
        return hal_response(error_body("Unauthenticated", message), 401, {"WWW-Authenticate": challenge})

    def _set_session_cookie(self, request: web.Request, response: web.StreamResponse, auth: AuthResult) -> None:
        assert auth.identity is not None
        session = request.cookies.get(SESSION_COOKIE, "") if auth.auth_via == "cookie" else ""
        if not session:
            session = secrets.token_hex(32)
            self.sessions[session] = auth.identity
        response.set_cookie(SESSION_COOKIE, session, path="/", httponly=True, samesite="Lax")

    # ------------------------------------------------------------------ faults

    def default_fault_body(self, status: int) -> object:
        return fault_body(status)

    def _fault_response(self, fault: Fault) -> web.Response:
        response = super()._fault_response(fault)
        explicit = any(name.lower() == "content-type" for name in fault.headers)
        if not explicit and response.headers.get("Content-Type") == JSON_CONTENT_TYPE:
            response.headers["Content-Type"] = HAL_CONTENT_TYPE
        return response

    # ------------------------------------------------------------------ middleware

    def extra_middlewares(self) -> list[Middleware]:
        return [self._openproject_middleware]

    async def _openproject_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != API and not request.path.startswith(API + "/"):
            return web.Response(
                status=404, text="<html><body><h1>Not found</h1></body></html>", content_type="text/html"
            )
        auth = request[AUTH_KEY]
        if auth.rejected:
            return self._unauthorized(request, WRONG_CREDENTIALS)
        if auth.identity is None and not self.allow_anonymous:
            return self._unauthorized(request, UNAUTHENTICATED)
        exc = request.match_info.http_exception
        if exc is not None:
            if exc.status == 405:
                return web.Response(status=405, text="405 Not Allowed", headers={"Allow": exc.headers.get("Allow", "")})
            return hal_response(not_found().body, 404)
        if request.method != "GET":
            problem = self._content_type_problem(request)
            if problem is not None:
                return problem
        try:
            if auth.identity is None and request.method != "GET":
                raise forbidden()
            response = await handler(request)
        except OpenProjectError as error:
            response = hal_response(error.body, error.status)
        if auth.identity is not None and response.status < 400:
            self._set_session_cookie(request, response, auth)
        return response

    @staticmethod
    def _content_type_problem(request: web.Request) -> web.Response | None:
        content_type = request.headers.get("Content-Type", "").strip()
        if not content_type:
            return web.Response(status=406, text="Missing content-type header", content_type="text/plain")
        if content_type.startswith(ALLOWED_CONTENT_TYPES):
            return None
        message = f"Expected CONTENT-TYPE to be '{' '.join(ALLOWED_CONTENT_TYPES)}' but got '{content_type}'."
        return hal_response(error_body("TypeNotSupported", message), 415)

    # ------------------------------------------------------------------ routes

    def setup_routes(self, app: web.Application) -> None:
        def route(method: str, path: str, handler: Handler) -> None:
            app.router.add_route(method, API + path, handler)

        route("GET", "", self._root)
        route("GET", "/", self._root)
        route("GET", "/users/{id}", self._user)
        route("GET", "/projects", self._projects)
        route("GET", "/projects/{project}", self._project)
        route("GET", "/projects/{project}/types", self._project_types)
        route("GET", "/projects/{project}/work_packages", self._list_work_packages)
        route("POST", "/projects/{project}/work_packages", self._create_work_package)
        route("GET", "/statuses", self._statuses)
        route("GET", "/statuses/{id}", self._status)
        route("GET", "/types", self._types)
        route("GET", "/types/{id}", self._type)
        route("GET", "/priorities", self._priorities)
        route("GET", "/priorities/{id}", self._priority)
        route("GET", "/work_packages", self._list_work_packages)
        route("POST", "/work_packages", self._create_work_package)
        route("GET", "/work_packages/{id}", self._get_work_package)
        route("PATCH", "/work_packages/{id}", self._update_work_package)
        route("GET", "/work_packages/{id}/activities", self._list_activities)
        route("POST", "/work_packages/{id}/activities", self._add_comment)
        route("GET", "/activities/{id}", self._activity)

    # ------------------------------------------------------------------ request helpers

    @property
    def _render(self) -> HalRenderer:
        return HalRenderer(self.state)

    def _me(self, request: web.Request) -> int | None:
        """The requesting user's id; None when anonymous."""
        login = request[AUTH_KEY].identity
        user = self.state.user_by_login(login) if login is not None else None
        return user.id if user is not None else None

    def _actor(self, request: web.Request) -> int:
        me = self._me(request)
        return me if me is not None else self.state.anonymous.id

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise bad_body(NOT_JSON) from None
        return require_object(data)

    def _project_or_404(self, request: web.Request) -> dict[str, Any]:
        project = self.state.find_project(request.match_info["project"])
        if project is None:
            raise not_found()
        return project

    @staticmethod
    def _query(request: web.Request) -> dict[str, str]:
        result: dict[str, str] = {}
        for name, value in request.query.items():
            result.setdefault(name, value)
        return result

    # ------------------------------------------------------------------ handlers: root, users, catalogs

    async def _root(self, request: web.Request) -> web.Response:
        me = self.state.principal(self._me(request)) or self.state.anonymous
        return hal_response(
            {
                "_type": "Root",
                "instanceName": "OpenProject",
                "coreVersion": CORE_VERSION,
                "_links": {
                    "self": link(API),
                    "configuration": link(f"{API}/configuration"),
                    "user": link(user_href(me.id), me.name),
                    "priorities": link(f"{API}/priorities"),
                    "statuses": link(f"{API}/statuses"),
                    "types": link(f"{API}/types"),
                    "workPackages": link(f"{API}/work_packages"),
                    "projects": link(f"{API}/projects"),
                },
            }
        )

    async def _user(self, request: web.Request) -> web.Response:
        ref = request.match_info["id"]
        me = self._me(request)
        principal: Principal | None
        if ref == "me":
            principal = self.state.principal(me) or self.state.anonymous
        else:
            principal = self.state.principal(int(ref)) if ref.isdigit() else None
        if principal is None:
            raise not_found()
        viewer = me if me is not None else self.state.anonymous.id
        return hal_response(self._render.user(principal, viewer))

    async def _statuses(self, request: web.Request) -> web.Response:
        statuses = sorted(self.state.statuses.values(), key=lambda s: s.position)
        return hal_response(collection([self._render.status(s) for s in statuses], f"{API}/statuses"))

    async def _status(self, request: web.Request) -> web.Response:
        status = self.state.statuses.get(int(request.match_info["id"])) if request.match_info["id"].isdigit() else None
        if status is None:
            raise not_found()
        return hal_response(self._render.status(status))

    async def _types(self, request: web.Request) -> web.Response:
        types = sorted(self.state.types.values(), key=lambda t: t.position)
        return hal_response(collection([self._render.type(t) for t in types], f"{API}/types"))

    async def _type(self, request: web.Request) -> web.Response:
        wp_type = self.state.types.get(int(request.match_info["id"])) if request.match_info["id"].isdigit() else None
        if wp_type is None:
            raise not_found()
        return hal_response(self._render.type(wp_type))

    async def _priorities(self, request: web.Request) -> web.Response:
        priorities = sorted(self.state.priorities.values(), key=lambda p: p.position)
        return hal_response(collection([self._render.priority(p) for p in priorities], f"{API}/priorities"))

    async def _priority(self, request: web.Request) -> web.Response:
        ref = request.match_info["id"]
        priority = self.state.priorities.get(int(ref)) if ref.isdigit() else None
        if priority is None:
            raise not_found()
        return hal_response(self._render.priority(priority))

    # ------------------------------------------------------------------ handlers: projects

    async def _projects(self, request: web.Request) -> web.Response:
        query = self._query(request)
        filters = parse_filters(query.get("filters"), PROJECT_FILTERS, self.state)
        criteria = parse_sort(query.get("sortBy"), PROJECT_SORTS)
        offset, size = page_params(query)
        rows = list(self.state.projects.values())
        for f in filters:
            matches = project_matcher(f)
            rows = [p for p in rows if matches(p)]

        def key(project: dict[str, Any], name: str) -> Any:
            value = project.get(name)
            return value.lower() if isinstance(value, str) else value

        rows = sort_rows(rows, criteria, key)
        page = rows[(offset - 1) * size : offset * size]
        elements = [self._render.project(p) for p in page]
        return hal_response(paginated("Collection", elements, len(rows), offset, size, request.path, query))

    async def _project(self, request: web.Request) -> web.Response:
        return hal_response(self._render.project(self._project_or_404(request)))

    async def _project_types(self, request: web.Request) -> web.Response:
        project = self._project_or_404(request)
        types = sorted((self.state.types[t] for t in project["types"]), key=lambda t: t.position)
        href = f"{API}/projects/{project['id']}/types"
        return hal_response(collection([self._render.type(t) for t in types], href))

    # ------------------------------------------------------------------ handlers: work packages

    async def _list_work_packages(self, request: web.Request) -> web.Response:
        project = self._project_or_404(request) if "project" in request.match_info else None
        query = self._query(request)
        filters = parse_filters(query.get("filters"), WORK_PACKAGE_FILTERS, self.state, default=_OPEN)
        criteria = parse_sort(query.get("sortBy"), WORK_PACKAGE_SORTS)
        offset, size = page_params(query)
        me = self._me(request)
        rows = [wp for wp in self.state.work_packages.values() if project is None or wp["project"] == project["id"]]
        for f in filters:
            matches = work_package_matcher(self.state, f, me)
            rows = [wp for wp in rows if matches(wp)]
        rows = sort_rows(rows, criteria, work_package_sort_key(self.state))
        page = rows[(offset - 1) * size : offset * size]
        renderer = self._render
        elements = [renderer.work_package(wp) for wp in page]
        return hal_response(paginated("WorkPackageCollection", elements, len(rows), offset, size, request.path, query))

    async def _create_work_package(self, request: web.Request) -> web.Response:
        project = self._project_or_404(request) if "project" in request.match_info else None
        payload = await self._json(request)
        wp = self.state.create_work_package(payload, self._actor(request), project["id"] if project else None)
        return hal_response(self._render.work_package(wp), 201)

    def _work_package(self, request: web.Request) -> WorkPackage:
        return self.state.get_work_package(request.match_info["id"])

    async def _get_work_package(self, request: web.Request) -> web.Response:
        return hal_response(self._render.work_package(self._work_package(request)))

    async def _update_work_package(self, request: web.Request) -> web.Response:
        wp = self._work_package(request)
        payload = await self._json(request)
        self.state.update_work_package(wp, payload, self._actor(request), request[AUTH_KEY].identity)
        return hal_response(self._render.work_package(wp))

    async def _list_activities(self, request: web.Request) -> web.Response:
        wp = self._work_package(request)
        renderer = self._render
        elements = [renderer.activity(wp, a) for a in self.state.activities.get(wp["id"], [])]
        return hal_response(collection(elements, f"{API}/work_packages/{wp['id']}/activities"))

    async def _add_comment(self, request: web.Request) -> web.Response:
        wp = self._work_package(request)
        payload = await self._json(request)
        activity = self.state.add_comment(wp, payload, self._actor(request))
        return hal_response(self._render.activity(wp, activity), 201)

    async def _activity(self, request: web.Request) -> web.Response:
        ref = request.match_info["id"]
        found: tuple[WorkPackage, Activity] | None = None
        if ref.isdigit():
            for wp_id, journal in self.state.activities.items():
                for activity in journal:
                    if activity["id"] == int(ref):
                        found = (self.state.work_packages[wp_id], activity)
        if found is None:
            raise not_found()
        return hal_response(self._render.activity(*found))
