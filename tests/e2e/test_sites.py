"""Several sites from one server, and Atlassian Cloud OAuth through the gateway, with a real server process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.conftest import ALICE, BOB, SHARED, environment_without_providers, start_server_process
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira

OAUTH_TOKEN = "oauth-access-token-" + "q" * 24
CLOUD_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@contextlib.asynccontextmanager
async def server(**env: str) -> AsyncIterator[str]:
    """`python -m passthrough serve` with `env` on an ephemeral loopback port; its URL."""
    proc, url, _ = await start_server_process(
        "serve", env={**environment_without_providers(), "PASSTHROUGH_PORT": "0", **env}
    )
    try:
        yield url
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), 20)


async def call(url: str, headers: dict[str, str], name: str = "jira_get_myself") -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        return await tool_caller(http, headers)(name, {})


@pytest.fixture
async def two_sites() -> AsyncIterator[tuple[FakeJira, FakeJira]]:
    first, second = FakeJira("server", [ALICE, SHARED]), FakeJira("server", [BOB])
    async with first.serve(), second.serve():
        yield first, second


async def test_a_request_names_its_site_among_the_allowed_ones(two_sites: tuple[FakeJira, FakeJira]) -> None:
    first, second = two_sites
    async with server(JIRA_URL=first.url, PASSTHROUGH_ALLOWED_UPSTREAMS="http://127.0.0.1") as url:
        home = await call(url, {"Authorization": f"Bearer {ALICE.token}"})
        away = await call(url, {"Authorization": f"Bearer {BOB.token}", "X-Atlassian-Jira-Url": second.url})
    assert "Alice Example" in home["text"] and "Bob Example" in away["text"], (home["text"], away["text"])
    assert [r.identity for r in first.requests] == ["alice"]
    assert [r.identity for r in second.requests] == ["bob"]


async def test_a_site_outside_the_allowlist_is_refused_and_nothing_leaves(
    two_sites: tuple[FakeJira, FakeJira],
) -> None:
    first, second = two_sites
    async with server(JIRA_URL=first.url, PASSTHROUGH_ALLOWED_UPSTREAMS="https://*.corp.example") as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "jira_get_myself"}}
            headers = {"Authorization": f"Bearer {BOB.token}", "X-Atlassian-Jira-Url": second.url}
            reply = await http.post("/mcp", json=body, headers=headers)
    assert reply.status_code == 400 and "PASSTHROUGH_ALLOWED_UPSTREAMS" in reply.text, reply.text
    assert BOB.token not in reply.text
    assert not first.requests and not second.requests


async def test_a_named_site_never_gets_the_shared_credential(two_sites: tuple[FakeJira, FakeJira]) -> None:
    first, second = two_sites
    env = {
        "JIRA_URL": first.url,
        "JIRA_PERSONAL_TOKEN": SHARED.token,
        "PASSTHROUGH_FALLBACK": "open",
        "PASSTHROUGH_ALLOWED_UPSTREAMS": "http://127.0.0.1",
    }
    async with server(**env) as url:
        shared = await call(url, {})
        named = await call(url, {"X-Atlassian-Jira-Url": second.url})
    assert "Service Account" in shared["text"], shared["text"]
    assert named["isError"] and "X-Atlassian-Jira-Url" in named["text"], named["text"]
    assert not second.requests, "the shared credential must not reach a site the request named"


class Gateway:
    """A stand-in for api.atlassian.com: `/ex/jira/<cloud id>/rest/api/3/myself` for one OAuth token."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.app = web.Application()
        self.app.router.add_get("/ex/jira/{cloud}/rest/api/3/myself", self.myself)

    async def myself(self, request: web.Request) -> web.Response:
        self.seen.append((request.path, request.headers.get("Authorization", "")))
        if request.headers.get("Authorization") != f"Bearer {OAUTH_TOKEN}":
            return web.json_response({"code": 401, "message": "Unauthorized"}, status=401)
        return web.json_response({"accountId": "acc-oauth", "displayName": "Olive OAuth", "active": True})


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[Gateway, str]]:
    fake = Gateway()
    runner = web.AppRunner(fake.app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield fake, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_an_oauth_token_goes_through_the_gateway_with_the_cloud_id(gateway: tuple[Gateway, str]) -> None:
    fake, api_url = gateway
    env = {"JIRA_URL": "https://example.atlassian.net", "ATLASSIAN_API_URL": api_url}
    async with server(**env) as url:
        by_header = await call(url, {"Authorization": f"Bearer {OAUTH_TOKEN}", "X-Atlassian-Cloud-Id": CLOUD_ID})
    assert not by_header["isError"], by_header["text"]
    assert "Olive OAuth" in by_header["text"]
    assert fake.seen == [(f"/ex/jira/{CLOUD_ID}/rest/api/3/myself", f"Bearer {OAUTH_TOKEN}")]

    fake.seen.clear()
    async with server(**env, ATLASSIAN_OAUTH_CLOUD_ID=CLOUD_ID) as url:
        by_setting = await call(url, {"Authorization": f"Bearer {OAUTH_TOKEN}"})
    assert not by_setting["isError"], by_setting["text"]
    assert fake.seen == [(f"/ex/jira/{CLOUD_ID}/rest/api/3/myself", f"Bearer {OAUTH_TOKEN}")]
