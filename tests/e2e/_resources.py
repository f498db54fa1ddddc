"""What the resource, completion and progress tests share: three fakes, two people on each, and a JSON-RPC poster."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from aiohttp import web

from passthrough.sandbox.fakes._base import AUTH_KEY
from tests.conftest import ALICE, BOB, jira_env, make_settings, serve
from tests.e2e._confluence import CARA, DAN, env_for
from tests.e2e._confluence import headers_for as confluence_headers
from tests.fakes import FakeConfluence, FakeJira, JiraUser, OpenProjectUser

ANNA = OpenProjectUser(id=5, login="anna", name="Anna Admin", email="anna@example.com", api_key="anna-key-" + "a" * 32)
OTTO = OpenProjectUser(id=6, login="otto", name="Otto Other", email="otto@example.com", api_key="otto-key-" + "b" * 32)
SECURED = "DEMO-3"  # under an issue security level Bob is not in


class SecuredJira(FakeJira):
    """The fake Jira with one issue under a security level: to Bob, Jira answers as for an issue that is not
    there (its real 404 wording), as a real site does for an issue a user may not see."""

    def extra_middlewares(self) -> list[Any]:
        return [*super().extra_middlewares(), self._security]

    async def _security(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request[AUTH_KEY].identity == BOB.name and f"/issue/{SECURED}" in request.path:
            text = "Issue does not exist or you do not have permission to see it."
            return web.json_response({"errorMessages": [text], "errors": {}}, status=404)
        response: web.StreamResponse = await handler(request)
        return response


@dataclass(frozen=True)
class Person:
    jira: JiraUser
    confluence: Any
    openproject: OpenProjectUser

    def headers(self, deployment: str) -> dict[str, str]:
        h = {
            "X-Jira-Token": self.jira.token,
            **confluence_headers(self.confluence, deployment),
            "X-OpenProject-Key": self.openproject.api_key,
        }
        if deployment == "cloud":
            h["X-Jira-Email"] = self.jira.email
        return h


FIRST = Person(ALICE, CARA, ANNA)
SECOND = Person(BOB, DAN, OTTO)


@dataclass
class World:
    deployment: str
    jira: SecuredJira
    confluence: FakeConfluence
    openproject: Any
    url: str

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **jira_env(self.jira),
            **env_for(self.confluence),
            "OPENPROJECT_URL": self.openproject.url,
            "PASSTHROUGH_FALLBACK": "off",
            **extra,
        }

    def clear(self) -> None:
        for fake in (self.jira, self.confluence, self.openproject):
            fake.requests.clear()


@asynccontextmanager
async def world(deployment: Literal["server", "cloud"], **extra: str) -> AsyncIterator[World]:
    from tests.fakes import FakeOpenProject

    jira = SecuredJira(deployment, [ALICE, BOB])
    confluence = FakeConfluence(deployment, [CARA, DAN])
    openproject = FakeOpenProject([ANNA, OTTO])
    async with jira.serve(), confluence.serve(), openproject.serve():
        found = World(deployment, jira, confluence, openproject, "")
        async with serve(make_settings(found.env(**extra))) as url:
            found.url = url
            yield found


def poster(http: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    """`await rpc(method, params, headers=None)`: one bare JSON-RPC post to /mcp; the decoded reply."""
    ids = itertools.count(1)

    async def rpc(method: str, params: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": next(ids), "method": method, "params": params}
        reply: dict[str, Any] = (await http.post("/mcp", json=body, headers={**headers, **(extra or {})})).json()
        return reply

    return rpc


def modern_meta() -> dict[str, Any]:
    return {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
