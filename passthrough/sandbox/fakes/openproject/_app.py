"""A fake OpenProject API v3 (HAL+JSON) for tests: the app, authentication, sessions, content types.

The endpoints live in ``routes/`` (one module a resource); this class installs them under ``/api/v3``.

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
``application/hal+json``; an attachment upload ``multipart/form-data`` only): a missing header is a 406
with a text body, another type a 415 ``TypeNotSupported``; both are checked after authentication, as
OpenProject does.

Collections use OpenProject's paging: ``offset`` is the 1-based *page number*, ``pageSize`` its size.
Without a ``filters`` parameter a work package list shows open work packages only (OpenProject's default
filter); send ``filters=[]`` for all of them.
"""

from __future__ import annotations

import base64
import binascii
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
    StateView,
)
from ._attachments_state import upload_content_types
from ._call import HAL_CONTENT_TYPE, OpenProjectCall, hal_response
from ._data import OpenProjectUser, Priority, Status, WpType
from ._errors import (
    ALLOWED_CONTENT_TYPES,
    UNAUTHENTICATED,
    WRONG_CREDENTIALS,
    OpenProjectError,
    error_body,
    fault_body,
    forbidden,
    not_found,
)
from ._render import API
from ._state import OpenProjectState
from .routes import TABLES

__all__ = ["FakeOpenProject", "OpenProjectUser"]

SESSION_COOKIE = "_open_project_session"


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
        super().__init__()

    # ------------------------------------------------------------------ state, for tests (views of ``state``)

    work_packages = StateView[dict[int, dict[str, Any]]]()  # by id; see ``_data`` for the keys
    activities = StateView[dict[int, list[dict[str, Any]]]]()  # journals by work package id, oldest first
    projects = StateView[dict[int, dict[str, Any]]]()
    statuses = StateView[dict[int, Status]]()
    types = StateView[dict[int, WpType]]()
    priorities = StateView[dict[int, Priority]]()
    # every PATCH of a work package: {"work_package", "lockVersion" (as sent, None when missing),
    # "current" (the stored one), "by", "status" (200 / 409 / 422), "payload"}
    updates = StateView[list[dict[str, Any]]]()

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
        session = self.session_auth(request, SESSION_COOKIE)
        if session is not None:
            return session
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
            self.remember_session(request, response, SESSION_COOKIE, lambda: secrets.token_hex(32), samesite="Lax")
        return response

    @staticmethod
    def _content_type_problem(request: web.Request) -> web.Response | None:
        content_type = request.headers.get("Content-Type", "").strip()
        if not content_type:
            return web.Response(status=406, text="Missing content-type header", content_type="text/plain")
        allowed = upload_content_types(request.method, request.path) or ALLOWED_CONTENT_TYPES
        if content_type.startswith(allowed):
            return None
        message = f"Expected CONTENT-TYPE to be '{' '.join(allowed)}' but got '{content_type}'."
        return hal_response(error_body("TypeNotSupported", message), 415)

    # ------------------------------------------------------------------ routes

    def setup_routes(self, app: web.Application) -> None:
        self.install(app, TABLES, API, lambda request: OpenProjectCall(self, request))
