"""Credential isolation for ClickUp under concurrency: many users at once, every upstream request checked.

Half the users send personal tokens (`pk_…`, upstream bare), half OAuth access tokens (upstream as Bearer);
a few send none and get the server's shared token. Every answer must name its own user, every request that
reached ClickUp must carry exactly its user's token in its user's form, and what one user may see (their
Workspaces) must never show up in another's answer.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from passthrough.sandbox.fakes.clickup import personal_token
from tests.conftest import make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, text_of
from tests.fakes import ClickUpUser, FakeClickUp

OWNER = ClickUpUser(70000, "Olivia Owner", "owner@example.com", personal_token(70000, "owner"))
SHARED = ClickUpUser(70099, "Shared Bot", "bot@example.com", personal_token(70099, "shared"))
USERS = [
    ClickUpUser(
        70001 + i,
        f"User {i:02d}",
        f"user{i:02d}@example.com",
        personal_token(70001 + i, f"u{i:02d}x"),
        oauth_token=f"oauth_{70001 + i}_{f'{i:02d}' * 16}" if i % 2 else None,
    )
    for i in range(16)
]
CALLS_PER_CLIENT = 12
ANONYMOUS_CLIENTS = 3
ALL_TRANSPORTS = (*TRANSPORTS, "direct")


def _token(user: ClickUpUser) -> str:
    """What the user sends: their OAuth access token where they have one, else their personal token."""
    return user.oauth_token or user.token


def _upstream_authorization(user: ClickUpUser) -> str:
    return f"Bearer {user.oauth_token}" if user.oauth_token else user.token


def _headers(user: ClickUpUser | None) -> dict[str, str]:
    return {} if user is None else {"X-ClickUp-Token": _token(user)}


def _plan() -> list[tuple[str, dict[str, Any]]]:
    return [("clickup_get_myself" if j % 2 else "clickup_list_workspaces", {}) for j in range(CALLS_PER_CLIENT)]


async def _direct(url: str, headers: dict[str, str], calls: list[tuple[str, dict[str, Any]]]) -> list[tuple[bool, str]]:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=6)) as http:

        async def one(i: int, name: str, args: dict[str, Any]) -> tuple[bool, str]:
            body = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": name, "arguments": args}}
            reply = (await http.post(url + "/mcp", json=body, headers=headers)).json()["result"]
            return reply["isError"], reply["content"][0]["text"]

        return await asyncio.gather(*(one(i, n, a) for i, (n, a) in enumerate(calls)))


async def _sdk(
    url: str, transport: str, headers: dict[str, str], calls: list[tuple[str, dict[str, Any]]]
) -> list[tuple[bool, str]]:
    async with connect(url, transport, headers) as client:
        results = await asyncio.gather(*(client.call_tool(n, a) for n, a in calls))
    return [(r.is_error, text_of(r)) for r in results]


async def test_every_clickup_request_carries_its_users_token() -> None:
    # The owner is the first user: the only member of "Side Projects", which nobody else may ever see.
    fake = FakeClickUp([OWNER, *USERS, SHARED])
    fake.delay = 0.005
    async with fake.serve():
        env = {"CLICKUP_URL": fake.url, "CLICKUP_API_TOKEN": SHARED.token, "PASSTHROUGH_FALLBACK": "open"}
        async with serve(make_settings(env)) as url:
            clients: list[tuple[ClickUpUser | None, str]] = [
                (user, ALL_TRANSPORTS[i % len(ALL_TRANSPORTS)]) for i, user in enumerate([OWNER, *USERS])
            ]
            clients += [(None, ALL_TRANSPORTS[i % len(ALL_TRANSPORTS)]) for i in range(ANONYMOUS_CLIENTS)]

            async def run(
                user: ClickUpUser | None, transport: str
            ) -> tuple[ClickUpUser | None, list[tuple[bool, str]]]:
                if transport == "direct":
                    return user, await _direct(url, _headers(user), _plan())
                return user, await _sdk(url, transport, _headers(user), _plan())

            outcomes = await asyncio.gather(*(run(u, t) for u, t in clients))

    assert sum(len(results) for _, results in outcomes) >= 200
    expected: Counter[str] = Counter()
    for user, results in outcomes:
        who = user or SHARED
        expected[who.username] += len(results)
        for index, (is_error, text) in enumerate(results):
            assert not is_error, text
            if index % 2:
                assert f"Signed in to ClickUp as {who.username} " in text, f"{who.username} answered as another: {text}"
            else:
                assert ("Side Projects" in text) == (who is OWNER), f"{who.username} saw another's workspace: {text}"
            others = [u.username for u in [OWNER, *USERS, SHARED] if u is not who and u.username in text]
            if index % 2:
                assert not others, f"{who.username}'s answer names {others}"
    seen = Counter(r.identity for r in fake.requests)
    assert seen == expected, "upstream requests were not one per call with the caller's own token"
    by_name = {u.username: u for u in [OWNER, *USERS, SHARED]}
    for r in fake.requests:
        assert r.identity is not None and r.headers["authorization"] == _upstream_authorization(by_name[r.identity])
        assert "cookie" not in r.headers and "x-clickup-token" not in r.headers
    forms = Counter(r.auth_via for r in fake.requests)
    assert forms["oauth"] and forms["personal"], "both token forms were exercised"
