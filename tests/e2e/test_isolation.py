"""Credential isolation under concurrency: many users at once, every upstream request checked."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from passthrough.credentials import new_api_key
from tests.conftest import SHARED, jira_env, make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, text_of
from tests.fakes import FakeJira, JiraUser

USERS = [
    JiraUser(
        name=f"user{i:02d}",
        display_name=f"User {i:02d}",
        email=f"user{i:02d}@example.com",
        account_id=f"acc-{i:02d}",
        token=f"tok-{i:02d}-{'x' * i}",
    )
    for i in range(20)
]
CALLS_PER_CLIENT = 24
ANONYMOUS_CLIENTS = 4
ALL_TRANSPORTS = (*TRANSPORTS, "direct")


def _headers(user: JiraUser | None) -> dict[str, str]:
    return {} if user is None else {"X-Jira-Token": user.token}


async def _direct_calls(
    url: str, headers: dict[str, str], calls: list[tuple[str, dict[str, Any]]]
) -> list[tuple[bool, str]]:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=8)) as http:

        async def one(i: int, name: str, args: dict[str, Any]) -> tuple[bool, str]:
            body = {
                "jsonrpc": "2.0",
                "id": i,
                "method": "tools/call",
                "params": {"name": name, "arguments": args},
            }
            reply = (await http.post(url + "/mcp", json=body, headers=headers)).json()["result"]
            return reply["isError"], reply["content"][0]["text"]

        return await asyncio.gather(*(one(i, n, a) for i, (n, a) in enumerate(calls)))


async def _sdk_calls(
    url: str, transport: str, headers: dict[str, str], calls: list[tuple[str, dict[str, Any]]]
) -> list[tuple[bool, str]]:
    async with connect(url, transport, headers) as client:
        results = await asyncio.gather(*(client.call_tool(n, a) for n, a in calls))
    return [(r.is_error, text_of(r)) for r in results]


def _plan(index: int) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    for j in range(CALLS_PER_CLIENT):
        if j % 2:
            calls.append(("jira_get_myself", {}))
        else:
            calls.append(("jira_get_issue", {"issue_key": f"DEMO-{(index + j) % 25 + 1}", "comment_limit": 0}))
    return calls


async def test_every_upstream_request_carries_its_users_credential() -> None:
    fake = FakeJira("server", [*USERS, SHARED])
    fake.delay = 0.005
    async with fake.serve():
        env = jira_env(fake, JIRA_PERSONAL_TOKEN=SHARED.token, PASSTHROUGH_FALLBACK="open")
        async with serve(make_settings(env)) as url:
            clients: list[tuple[JiraUser | None, str]] = [
                (user, ALL_TRANSPORTS[i % len(ALL_TRANSPORTS)]) for i, user in enumerate(USERS)
            ]
            clients += [(None, ALL_TRANSPORTS[i % len(ALL_TRANSPORTS)]) for i in range(ANONYMOUS_CLIENTS)]

            async def run(
                index: int, user: JiraUser | None, transport: str
            ) -> tuple[JiraUser | None, list[tuple[bool, str]]]:
                calls = _plan(index)
                if transport == "direct":
                    return user, await _direct_calls(url, _headers(user), calls)
                return user, await _sdk_calls(url, transport, _headers(user), calls)

            outcomes = await asyncio.gather(*(run(i, u, t) for i, (u, t) in enumerate(clients)))

    total_calls = sum(len(results) for _, results in outcomes)
    assert total_calls >= 500
    expected: Counter[str] = Counter()
    for user, results in outcomes:
        who = user or SHARED
        expected[who.name] += len(results)
        for index, (is_error, text) in enumerate(results):
            assert not is_error, text
            if index % 2:
                assert who.display_name in text, f"{who.name} was answered as someone else: {text}"
    seen = Counter(r.identity for r in fake.requests)
    assert seen == expected, "upstream requests were not one per call with the caller's own credential"
    assert not [r for r in fake.requests if r.auth_via == "cookie" or r.cookie_identity], (
        "a session cookie went upstream"
    )
    tokens = {u.name: u.token for u in [*USERS, SHARED]}
    for r in fake.requests:
        assert r.identity is not None and tokens[r.identity] in r.headers["authorization"]


@pytest.mark.parametrize("policy", ["open", "apikey", "off"])
async def test_anonymous_requests_follow_the_fallback_policy(server_jira: FakeJira, policy: str) -> None:
    key, digest = new_api_key()
    env = jira_env(server_jira, JIRA_PERSONAL_TOKEN=SHARED.token, PASSTHROUGH_FALLBACK=policy)
    if policy == "apikey":
        env["PASSTHROUGH_API_KEY_HASHES"] = digest
    async with serve(make_settings(env)) as url:
        for transport in TRANSPORTS:
            async with connect(url, transport, {}) as client:
                plain = await client.call_tool("jira_get_myself", {})
            if policy == "open":
                assert not plain.is_error and SHARED.display_name in text_of(plain)
            else:
                assert plain.is_error and "X-Jira-Token" in text_of(plain)
                if policy == "apikey":
                    assert "X-MCP-API-Key" in text_of(plain)
            if policy == "apikey":
                async with connect(url, transport, {"X-MCP-API-Key": key}) as client:
                    keyed = await client.call_tool("jira_get_myself", {})
                assert not keyed.is_error and SHARED.display_name in text_of(keyed)
    upstream_identities = {r.identity for r in server_jira.requests}
    assert upstream_identities == (set() if policy == "off" else {SHARED.name})
