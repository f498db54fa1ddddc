"""A fake ClickUp API v2 for tests and the sandbox: the app, authentication, rate limits, error bodies.

The endpoints live in ``routes/`` (one module a resource); this class installs them under ``/api/v2``.

Authentication, per request (ClickUp sets no cookies):

* ``Authorization: pk_<user id>_<key>``: a personal token, sent bare, as ClickUp documents it;
* ``Authorization: Bearer <access token>`` (or the access token bare): an OAuth access token;
* no Authorization is a 401 ``{"err": "Authorization header required", "ECODE": "OAUTH_017"}``; a personal
  token that is no one's a 401 ``Token invalid`` (OAUTH_025), an unknown Bearer token ``Oauth token not
  found`` (OAUTH_019).

Rate limits are per token and per minute, as ClickUp's: every answer carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (the Unix time in seconds the window ends); past the
limit (``rate_limit``, default 10,000 a minute: the Enterprise plan's) the answer is a 429
``{"err": "Rate limit reached", "ECODE": "APP_002"}``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Sequence

from aiohttp import web

from .._base import AUTH_KEY, AuthResult, FakeUpstream, Fault, Handler, Middleware, StateView
from ._call import CONTENT_TYPE, ClickUpCall, answer
from ._data import ClickUpUser, Comment, Folder, Space, Task, TaskList, Team, TimeEntry
from ._errors import (
    NO_AUTHORIZATION,
    OAUTH_TOKEN_NOT_FOUND,
    RATE_LIMITED,
    ROUTE_NOT_FOUND,
    TOKEN_INVALID,
    ClickUpError,
    error_body,
    fault_body,
)
from ._state import ClickUpState
from .routes import TABLES

__all__ = ["API", "ClickUpUser", "FakeClickUp"]

API = "/api/v2"
WINDOW_SECONDS = 60


class FakeClickUp(FakeUpstream):
    """A fake ClickUp; see the module docstring for authentication and rate limits."""

    def __init__(self, users: Sequence[ClickUpUser] = (), *, rate_limit: int = 10_000) -> None:
        self.users: tuple[ClickUpUser, ...] = tuple(users)
        if len({u.id for u in self.users}) != len(self.users) or len({u.username for u in self.users}) != len(
            self.users
        ):
            raise ValueError("user ids and usernames must be unique")
        tokens = [u.token for u in self.users] + [u.oauth_token for u in self.users if u.oauth_token]
        if len(set(tokens)) != len(tokens) or not all(u.token.startswith("pk_") for u in self.users):
            raise ValueError("tokens must be unique, and personal tokens start with pk_")
        self.rate_limit = rate_limit
        self._windows: dict[str, tuple[float, int]] = {}  # token digest -> (window end, requests in it)
        self.state = ClickUpState(self.users)
        super().__init__()

    # ------------------------------------------------------------------ state, for tests (views of ``state``)

    teams = StateView[dict[str, Team]]()
    spaces = StateView[dict[str, Space]]()
    folders = StateView[dict[str, Folder]]()
    lists = StateView[dict[str, TaskList]]()
    tasks = StateView[dict[str, Task]]()
    comments = StateView[dict[str, Comment]]()
    time_entries = StateView[dict[str, TimeEntry]]()

    def user(self, username: str) -> ClickUpUser:
        found = self.state.user_by_name(username)
        if found is None:
            raise KeyError(username)
        return found

    # ------------------------------------------------------------------ authentication

    def identify(self, request: web.Request) -> AuthResult:
        header = request.headers.get("Authorization", "").strip()
        if not header:
            return AuthResult()
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "bearer":
            token, via = rest.strip(), "oauth"
            found = next(
                (u for u in self.users if u.oauth_token and secrets.compare_digest(u.oauth_token, token)), None
            )
        else:
            token = header
            via = "personal" if token.startswith("pk_") else "oauth"
            found = next(
                (
                    u
                    for u in self.users
                    if secrets.compare_digest(u.token, token)
                    or (u.oauth_token is not None and secrets.compare_digest(u.oauth_token, token))
                ),
                None,
            )
        if found is None:
            return AuthResult(auth_via=via, rejected=True)
        return AuthResult(identity=found.username, auth_via=via)

    # ------------------------------------------------------------------ rate limits

    def _count(self, request: web.Request) -> tuple[int, int]:
        """(requests so far in this token's window, the Unix time in seconds the window ends), this one counted."""
        key = hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()
        now = time.time()
        end, used = self._windows.get(key, (0.0, 0))
        if now >= end:
            end, used = now + WINDOW_SECONDS, 0
        self._windows[key] = (end, used + 1)
        return used + 1, math.ceil(end)

    def _limit_headers(self, used: int, reset: int) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
            "X-RateLimit-Reset": str(reset),
        }

    # ------------------------------------------------------------------ faults

    def default_fault_body(self, status: int) -> object:
        return fault_body(status)

    def _fault_response(self, fault: Fault) -> web.Response:
        response = super()._fault_response(fault)
        given = {name.lower() for name in fault.headers}
        reset = math.ceil(time.time()) + WINDOW_SECONDS
        for name, value in self._limit_headers(1, reset).items():
            if name.lower() not in given:
                response.headers[name] = value
        if "content-type" not in given and response.headers.get("Content-Type", "").startswith("application/json"):
            response.headers["Content-Type"] = CONTENT_TYPE
        return response

    # ------------------------------------------------------------------ middleware

    def extra_middlewares(self) -> list[Middleware]:
        return [self._clickup_middleware]

    async def _clickup_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        used, reset = self._count(request)
        response = await self._answer(request, handler, used > self.rate_limit)
        response.headers.update(self._limit_headers(used, reset))
        return response

    async def _answer(self, request: web.Request, handler: Handler, limited: bool) -> web.StreamResponse:
        auth = request[AUTH_KEY]
        if not request.headers.get("Authorization", "").strip():
            return answer(error_body(*NO_AUTHORIZATION), 401)
        if auth.rejected:
            return answer(error_body(*(OAUTH_TOKEN_NOT_FOUND if auth.auth_via == "oauth" else TOKEN_INVALID)), 401)
        if limited:
            return answer(error_body(*RATE_LIMITED), 429)
        if (request.path != API and not request.path.startswith(API + "/")) or request.match_info.http_exception:
            return answer(error_body(*ROUTE_NOT_FOUND), 404)
        try:
            return await handler(request)
        except ClickUpError as error:
            return answer(error.body, error.status)

    # ------------------------------------------------------------------ routes

    def setup_routes(self, app: web.Application) -> None:
        self.install(app, TABLES, API, lambda request: ClickUpCall(self, request))
