"""Generic machinery for fake upstream servers: recording, injected faults, serving on a local port.

A concrete fake (Jira, Confluence, OpenProject) subclasses :class:`FakeUpstream`, adds its routes in
``setup_routes`` (``install`` the :class:`Routes` tables its resource modules fill) and may override
``identify`` (who a request authenticates as), ``extra_middlewares`` (its own auth/error handling, run
after recording and faults) and ``default_fault_body``.

Middleware order for every request::

    record  ->  delay  ->  identify  ->  faults  ->  subclass middlewares  ->  route handler

Recording wraps everything, so 401s, 404s and injected faults are all recorded with the status that was
actually answered.  ``identify`` runs before faults, so a faulted request still records who sent it.

Serve with ``async with fake.serve() as url``; to use aiohttp's ``TestServer(fake.app)`` instead, set
``fake.url`` yourself.  ``serve()`` builds a fresh ``web.Application`` when the previous one was already
used (an application is bound to one event loop); all state lives on the fake, not on the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Generic, TypeVar, cast, overload

from aiohttp import web

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
TEXT_CONTENT_TYPE = "text/plain;charset=UTF-8"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]

C = TypeVar("C")
T = TypeVar("T")
CallHandler = Callable[[C], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class AuthResult:
    """Who a request authenticates as, decided once per request by ``FakeUpstream.identify``.

    ``rejected`` is true when credentials were presented but are not valid (the request must get a 401).
    """

    identity: str | None = None
    auth_via: str | None = None
    cookie_identity: str | None = None
    rejected: bool = False


ANONYMOUS = AuthResult()
AUTH_KEY = web.RequestKey("fake_upstream_auth", AuthResult)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it, and what the fake made of it.

    ``path`` is the raw (still percent-encoded) path without the query; ``query`` keeps the first value of
    each parameter; ``headers`` has lower-cased names (repeated headers joined with ", ").
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    identity: str | None
    auth_via: str | None
    cookie_identity: str | None
    status: int

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Fault:
    """An injected answer, used instead of the real one for the next ``times`` matching requests.

    ``body`` is JSON-serialised when it is a dict or list, sent as text when it is a str, sent raw when it
    is bytes; when None the fake's default error body for ``status`` is used.
    """

    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    path_contains: str = ""
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_contains in path


def json_response(
    data: object,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    content_type: str = JSON_CONTENT_TYPE,
) -> web.Response:
    """A compact JSON answer; by default with the exact content type Atlassian products send."""
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        headers={"Content-Type": content_type, **(headers or {})},
    )


def text_response(text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=text.encode("utf-8"),
        headers={"Content-Type": TEXT_CONTENT_TYPE, **(headers or {})},
    )


async def read_json(
    request: web.Request,
    *,
    invalid: Callable[[ValueError], Exception],
    empty: Callable[[], Exception] | None = None,
) -> Any:
    """The request body as JSON; an empty body raises ``empty()`` (or is None without it), bad JSON ``invalid``.

    Each product words these errors its own way, so the caller supplies them.
    """
    raw = await request.read()
    if not raw.strip():
        if empty is None:
            return None
        raise empty()
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise invalid(exc) from None


def int_param(source: Mapping[str, Any], name: str, default: int, invalid: Callable[[object], Exception]) -> int:
    """An integer query (or body) parameter; missing or empty gives ``default``, anything else raises ``invalid``."""
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise invalid(raw) from None


def _raw_path(request: web.Request) -> str:
    return request.raw_path.split("?", 1)[0]


def first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The first value of each name (a query string may repeat a parameter)."""
    result: dict[str, str] = {}
    for name, value in pairs:
        result.setdefault(name, value)
    return result


def _lower_headers(request: web.Request) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        result[key] = f"{result[key]}, {value}" if key in result else value
    return result


class StateView(Generic[T]):
    """An attribute of a fake that is the attribute of the same name on its ``state`` (tests read the
    fake's; the handlers change the state's), so a fake lists what it shows without a property each::

        issues = StateView[dict[str, Issue]]("Stored issues by key")
    """

    def __init__(self, doc: str = "") -> None:
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, fake: None, owner: type | None = None) -> StateView[T]: ...
    @overload
    def __get__(self, fake: object, owner: type | None = None) -> T: ...
    def __get__(self, fake: object, owner: type | None = None) -> T | StateView[T]:
        if fake is None:
            return self
        return cast(T, getattr(cast(Any, fake).state, self.name))

    def __set__(self, fake: object, value: T) -> None:
        setattr(cast(Any, fake).state, self.name, value)


@dataclass(frozen=True)
class Route(Generic[C]):
    """One endpoint: ``handler`` answers ``method path``; ``tags`` are the product's policies for it
    (e.g. "public", "signed-in", "cloud"), read by its middleware through ``FakeUpstream.route_of``."""

    method: str
    path: str
    handler: CallHandler[C]
    name: str
    tags: frozenset[str]


class Routes(Generic[C]):
    """The routes of one resource module, each declared on its handler::

        routes: Routes[JiraCall] = Routes()

        @routes("GET", "/issue/{key}")
        async def get_issue(call: JiraCall) -> web.Response: ...

    A handler takes the product's per-request object (``C``) rather than the bare request, so the helpers
    every handler needs (the renderer, the body, the caller) live in one place.  ``methods`` may name
    several methods ("GET POST") for one handler; the route name is the handler's unless ``name`` is given.
    Declaration order is kept: a literal path (``/project/search``) must come before the pattern it would
    otherwise fall into (``/project/{project}``).
    """

    def __init__(self) -> None:
        self.routes: list[Route[C]] = []

    def __call__(
        self, methods: str, path: str, *tags: str, name: str | None = None
    ) -> Callable[[CallHandler[C]], CallHandler[C]]:
        def register(handler: CallHandler[C]) -> CallHandler[C]:
            for method in methods.split():
                self.routes.append(Route(method, path, handler, name or handler.__name__, frozenset(tags)))
            return handler

        return register


class FakeUpstream:
    """Base of all fakes: keeps the request log and the fault queue, serves the app on 127.0.0.1."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}  # session cookie value -> identity
        self._routes: dict[str, Route[Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.delay: float = 0.0
        self._url: str | None = None
        self.app: web.Application = self._build_app()

    # ----------------------------------------------------------------- hooks for subclasses

    def setup_routes(self, app: web.Application) -> None:
        """Add the fake's routes to ``app``."""

    def extra_middlewares(self) -> list[Middleware]:
        """Middlewares run after recording and faults, in order, before the route handler."""
        return []

    def identify(self, request: web.Request) -> AuthResult:
        """Who the request authenticates as; must not change any state."""
        return ANONYMOUS

    def default_fault_body(self, status: int) -> object:
        """Body for a Fault that has none."""
        return None

    # ----------------------------------------------------------------- public API

    @property
    def url(self) -> str:
        """Base URL while serving, e.g. ``http://127.0.0.1:43123`` (no trailing slash)."""
        if self._url is None:
            raise RuntimeError(f"{type(self).__name__} is not being served; use `async with fake.serve()`")
        return self._url

    @url.setter
    def url(self, value: str | None) -> None:
        self._url = value.rstrip("/") if value else None

    def add_fault(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear_requests(self) -> None:
        self.requests.clear()

    def requests_to(self, path_part: str) -> list[RecordedRequest]:
        """Recorded requests whose raw path ends with or contains ``path_part``."""
        return [r for r in self.requests if path_part in r.path]

    def last_request(self, method: str, path_part: str) -> RecordedRequest:
        """The latest `method` request whose path contains `path_part`: what a tool test asserts on.

        Raises AssertionError, naming what was expected, when none arrived."""
        for r in reversed(self.requests):
            if r.method == method and path_part in r.path:
                return r
        raise AssertionError(f"no {method} …{path_part}… reached {type(self).__name__}")

    @contextlib.asynccontextmanager
    async def serve(self, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[str]:
        """Serve on 127.0.0.1 with an ephemeral port (over TLS with `ssl_context`); yields (and sets
        ``self.url`` to) the base URL."""
        if self.app.frozen:  # an app is bound to the loop of its first runner; state lives on self
            self.app = self._build_app()
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, 0, ssl_context=ssl_context)
            await site.start()
            port = runner.addresses[0][1]
            self.url = f"{'https' if ssl_context else 'http'}://{self.host}:{port}"
            yield self.url
        finally:
            self.url = None
            await runner.cleanup()

    # ----------------------------------------------------------------- helpers for subclasses

    def install(
        self,
        app: web.Application,
        tables: Iterable[Routes[C]],
        prefix: str,
        call: Callable[[web.Request], C],
        *,
        keep: Callable[[Route[C]], bool] = lambda route: True,
        api: str | None = None,
    ) -> None:
        """Add the routes of ``tables`` (in order) under ``prefix``; each handler gets ``call(request)``.

        With ``api`` the aiohttp route is named ``f"{api}:{route.name}"`` and ``route_of`` finds it again;
        without, routes stay unnamed (one handler may then serve several paths).
        """
        for table in tables:
            for route in table.routes:
                if not keep(route):
                    continue
                name = f"{api}:{route.name}" if api is not None else None
                if name is not None:
                    self._routes[name] = route
                app.router.add_route(route.method, prefix + route.path, _bind(route.handler, call), name=name)

    def route_of(self, request: web.Request) -> Route[Any] | None:
        """The declared route a (named) request matched, None when it matched none."""
        return self._routes.get(request.match_info.route.name or "")

    def session_auth(self, request: web.Request, cookie: str) -> AuthResult | None:
        """Who the request's session cookie names, when it names a live session."""
        session = request.cookies.get(cookie)
        identity = self.sessions.get(session) if session else None
        if identity is None:
            return None
        return AuthResult(identity=identity, auth_via="cookie", cookie_identity=identity)

    def remember_session(
        self,
        request: web.Request,
        response: web.StreamResponse,
        cookie: str,
        new_session: Callable[[], str],
        **options: Any,
    ) -> None:
        """Set the session cookie on a successful answer: the one the request came with, or a new session."""
        auth = request[AUTH_KEY]
        assert auth.identity is not None
        session = request.cookies.get(cookie, "") if auth.auth_via == "cookie" else ""
        if not session:
            session = new_session()
            self.sessions[session] = auth.identity
        response.set_cookie(cookie, session, path="/", httponly=True, **options)

    # ----------------------------------------------------------------- machinery

    def _build_app(self) -> web.Application:
        middlewares: list[Middleware] = [self._record_middleware, self._fault_middleware]
        middlewares.extend(self.extra_middlewares())
        wrapped: list[Any] = [_new_style(m) for m in middlewares]
        app = web.Application(middlewares=wrapped)
        self.setup_routes(app)
        return app

    async def _record_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        auth = self.identify(request)
        request[AUTH_KEY] = auth
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=_raw_path(request),
                    query=first_values(request.query.items()),
                    headers=_lower_headers(request),
                    body=body,
                    identity=auth.identity,
                    auth_via=auth.auth_via,
                    cookie_identity=auth.cookie_identity,
                    status=status,
                )
            )

    async def _fault_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = _raw_path(request)
        for fault in self.faults:
            if fault.matches(request.method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return self._fault_response(fault)
        return await handler(request)

    def _fault_response(self, fault: Fault) -> web.Response:
        body = fault.body if fault.body is not None else self.default_fault_body(fault.status)
        if body is None or fault.status in (204, 304):
            response = web.Response(status=fault.status, reason=_reason(fault.status))
        elif isinstance(body, bytes):
            response = web.Response(status=fault.status, reason=_reason(fault.status), body=body)
        elif isinstance(body, str):
            response = text_response(body, fault.status)
        else:
            response = json_response(body, fault.status)
        for name, value in fault.headers.items():
            response.headers[name] = value
        return response


def _bind(handler: CallHandler[C], call: Callable[[web.Request], C]) -> Handler:
    async def bound(request: web.Request) -> web.StreamResponse:
        return await handler(call(request))

    return bound


def _new_style(function: Middleware) -> Middleware:
    """Mark a (possibly bound-method) middleware as new-style for aiohttp."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await function(request, handler)

    return middleware


def _reason(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None
