"""What the OpenProject end-to-end tests share: the users and their key headers, the fake OpenProject and
passthrough in front of it (as fixtures and as a context manager), readers of what reached the fake, and the
read-only and toolset listings every family checks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeOpenProject, OpenProjectUser

# Anna is the administrator (the first user a fake is given); Otto a Member of demo-project only; Carla of
# scrum-project only
ANNA = OpenProjectUser(id=5, login="anna", name="Anna Admin", email="anna@example.com", api_key="anna-key-" + "a" * 32)
OTTO = OpenProjectUser(id=6, login="otto", name="Otto Other", email="otto@example.com", api_key="otto-key-" + "b" * 32)
CARLA = OpenProjectUser(
    id=7, login="carla", name="Carla Cruz", email="carla@example.com", api_key="carla-key-" + "c" * 31
)
API = "/api/v3"

Call = Any


def key_headers(user: OpenProjectUser) -> dict[str, str]:
    """The header a client of `user` sends: the user's own API key."""
    return {"X-OpenProject-Key": user.api_key}


AS_ANNA = key_headers(ANNA)
AS_OTTO = key_headers(OTTO)


class MeddlingOpenProject(FakeOpenProject):
    """Lets a test change a work package as someone else would, right before our PATCH lands."""

    before_patch: Callable[[], object] | None = None

    def extra_middlewares(self) -> list[Any]:
        @web.middleware
        async def meddle(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.method == "PATCH" and self.before_patch is not None:
                hook, self.before_patch = self.before_patch, None
                hook()
            response: web.StreamResponse = await handler(request)
            return response

        return [meddle, *super().extra_middlewares()]


@asynccontextmanager
async def passthrough(
    op: FakeOpenProject, headers: Mapping[str, str] = AS_ANNA, env: Mapping[str, str] | None = None
) -> AsyncIterator[Call]:
    """passthrough in front of `op` (with `env` added to its environment), and a tool caller that sends
    `headers` unless a call names others."""
    settings = make_settings({"OPENPROJECT_URL": op.url, **(env or {})})
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, dict(headers))


def openproject_fixture(*users: OpenProjectUser, kind: type[FakeOpenProject] = FakeOpenProject) -> object:
    """A fixture (assign it to `op` in a test module): a fake OpenProject of `kind` that knows `users`, served
    for one test. Each module says which users it needs, since who exists changes what lists answer."""

    @pytest.fixture
    async def op() -> AsyncIterator[FakeOpenProject]:
        fake = kind(list(users))
        async with fake.serve():
            yield fake

    return op


def tool_fixture() -> object:
    """A fixture (assign it to `tool` in a test module): passthrough in front of the module's `op`, and a tool
    caller signed in as Anna."""

    @pytest.fixture
    async def tool(op: FakeOpenProject) -> AsyncIterator[Call]:
        async with passthrough(op) as call:
            yield call

    return tool


def requests_to(op: FakeOpenProject, method: str, path: str, identity: str | None = None) -> list[Any]:
    """The `method` requests to exactly `API + path`, in order (only `identity`'s when it is given)."""
    return [
        r
        for r in op.requests
        if r.method == method and r.path == API + path and (identity is None or r.identity == identity)
    ]


def sent(op: FakeOpenProject, method: str, path: str) -> Any:
    """The latest `method` request to exactly `API + path`."""
    found = requests_to(op, method, path)
    assert found, f"no {method} {path} reached the fake"
    return found[-1]


def count(op: FakeOpenProject, method: str, path: str, identity: str | None = None) -> int:
    """How many `method` requests reached exactly `API + path` (only `identity`'s when it is given)."""
    return len(requests_to(op, method, path, identity))


def filters(request: Any) -> Any:
    """The filters JSON a request carried in its query."""
    return json.loads(request.query["filters"])


async def tools_listed(op: FakeOpenProject, **env: str) -> dict[str, Any]:
    """The tools passthrough in front of `op` lists under `env`, by name."""
    settings = make_settings({"OPENPROJECT_URL": op.url, **env})
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    return {t["name"]: t for t in listed["result"]["tools"]}


async def assert_read_only_refuses(op: FakeOpenProject, reads: Iterable[str], writes: Mapping[str, Any]) -> None:
    """In read-only mode passthrough lists `reads` and none of `writes`, refuses each write (called as Anna,
    with its arguments) as read-only, and nothing at all reaches OpenProject."""
    settings = make_settings({"OPENPROJECT_URL": op.url, "PASSTHROUGH_READ_ONLY": "true"})
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert names.issuperset(reads) and names.isdisjoint(writes)
        for rid, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            r = (await http.post("/mcp", json=body, headers=AS_ANNA)).json()
            assert "read-only" in r["error"]["message"], name
    assert not op.requests, "nothing reaches OpenProject"
