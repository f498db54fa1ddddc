"""What Jira and Confluence (Server and Cloud alike) share: recognising a user, sessions, the auth gate."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from aiohttp import web

from ._base import ANONYMOUS, AUTH_KEY, AuthResult, FakeUpstream, Handler, Middleware, Route


@dataclass(frozen=True)
class AtlassianUser:
    """A person known to a fake Jira or Confluence (each product names its own subclass)."""

    name: str  # Server username; also the identity string recorded for requests
    display_name: str
    email: str
    account_id: str
    token: str


class Account(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def token(self) -> str: ...


A = TypeVar("A", bound=Account)
U = TypeVar("U", bound=AtlassianUser)
Deployment = Literal["server", "cloud"]


class AtlassianState(Generic[U]):
    """The part of a Jira's or a Confluence's state that is the same: the deployment and the users."""

    def __init__(self, deployment: Deployment, users: tuple[U, ...]) -> None:
        self.deployment: Deployment = deployment
        self.users = users

    @property
    def cloud(self) -> bool:
        return self.deployment == "cloud"

    def user(self, name: str | None) -> U | None:
        return next((u for u in self.users if u.name == name), None) if name else None


def atlassian_login(users: Sequence[A], header: str, *, cloud: bool) -> tuple[A | None, str | None]:
    """The user a header names (Bearer token; Basic name:token on Server, email:token on Cloud) and its scheme."""
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    kind = scheme.lower() or None
    if not credentials:
        return None, kind
    if kind == "bearer":
        if cloud:
            # Cloud takes an API token only as Basic email:token; a Bearer there is an OAuth 2.0 access token
            # (through api.atlassian.com), which this fake does not issue
            return None, kind
        return next((u for u in users if secrets.compare_digest(u.token, credentials)), None), kind
    if kind == "basic":
        return _basic_user(users, credentials, cloud), kind
    return None, kind


def _basic_user(users: Sequence[A], credentials: str, cloud: bool) -> A | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, secret = decoded.partition(":")
    if not sep:
        return None
    for user in users:
        expected = user.email.lower() == login.lower() if cloud else user.name == login
        if expected and secrets.compare_digest(user.token, secret):
            return user
    return None


class AtlassianUpstream(FakeUpstream, Generic[U]):
    """What the fake Jira and the fake Confluence share: a deployment, users, sessions, the auth gate.

    Per request, a session cookie naming a live session wins over everything else (even over an
    Authorization header for another user); otherwise the Authorization header decides (``atlassian_login``).
    A header that is present but wrong is a 401; no credentials is a 401 too, except on a route tagged
    "public", and for reads (GET, HEAD, or a route tagged "read") when ``allow_anonymous_read`` is set and
    the route is not tagged "signed-in".  Successful authenticated answers set the session cookie.
    """

    session_cookie = "JSESSIONID"
    rejected_scheme = True  # whether a rejected request records the scheme it tried (``auth_via``)

    def __init__(
        self,
        deployment: Deployment = "server",
        users: Sequence[U] = (),
        *,
        allow_anonymous_read: bool = False,
    ) -> None:
        if deployment not in ("server", "cloud"):
            raise ValueError(f"deployment must be 'server' or 'cloud', not {deployment!r}")
        self.deployment: Deployment = deployment
        self.users: tuple[U, ...] = tuple(users)
        self.allow_anonymous_read = allow_anonymous_read
        super().__init__()
        self.init_state()

    def init_state(self) -> None:
        """Create the product's state and settings (``deployment`` and ``users`` are set by then)."""

    @property
    def cloud(self) -> bool:
        return self.deployment == "cloud"

    def user(self, name: str) -> U:
        found = next((u for u in self.users if u.name == name), None)
        if found is None:
            raise KeyError(name)
        return found

    # ------------------------------------------------------------------ hooks for the products

    def route_error(self, request: web.Request, exc: web.HTTPException) -> web.Response:
        """The answer for a path no route matches (404) or a method the path does not take (405)."""
        raise NotImplementedError

    def unauthorized(self, request: web.Request, auth: AuthResult) -> web.Response:
        raise NotImplementedError

    async def answer(self, request: web.Request, handler: Handler, route: Route[Any] | None) -> web.StreamResponse:
        """The handler's answer, with the product's own errors turned into its error bodies."""
        raise NotImplementedError

    def new_session(self) -> str:
        return secrets.token_hex(16).upper()

    def set_session_cookies(self, request: web.Request, response: web.StreamResponse) -> None:
        self.remember_session(request, response, self.session_cookie, self.new_session)

    # ------------------------------------------------------------------ machinery

    def identify(self, request: web.Request) -> AuthResult:
        session = self.session_auth(request, self.session_cookie)
        if session is not None:
            return session
        header = request.headers.get("Authorization")
        if header is None:
            return ANONYMOUS
        user, via = atlassian_login(self.users, header, cloud=self.cloud)
        if user is None:
            return AuthResult(rejected=True, auth_via=via if self.rejected_scheme else None)
        return AuthResult(identity=user.name, auth_via=via)

    def extra_middlewares(self) -> list[Middleware]:
        return [self._atlassian_middleware]

    async def _atlassian_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.match_info.http_exception is not None:
            return self.route_error(request, request.match_info.http_exception)
        route = self.route_of(request)
        auth = request[AUTH_KEY]
        if auth.rejected or (auth.identity is None and not self._anonymous_allowed(request.method, route)):
            return self.unauthorized(request, auth)
        response = await self.answer(request, handler, route)
        if auth.identity is not None and response.status < 400:
            self.set_session_cookies(request, response)
        return response

    def _anonymous_allowed(self, method: str, route: Route[Any] | None) -> bool:
        tags = route.tags if route is not None else frozenset()
        if "public" in tags:
            return True
        if not self.allow_anonymous_read or "signed-in" in tags:
            return False
        return method in ("GET", "HEAD") or (method == "POST" and "read" in tags)
