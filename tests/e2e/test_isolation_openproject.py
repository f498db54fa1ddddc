"""OpenProject's per-user lookups (the key's user, statuses, priorities, time entry activities, users by
login) under many users at once: every upstream request carries its caller's key, each user's lookups are
read once for that user and then cached, and no user is ever answered from another user's cache."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._openproject import API, key_headers
from tests.fakes import FakeOpenProject, OpenProjectUser

USERS = [
    OpenProjectUser(
        id=20 + i,
        login=f"op{i:02d}",
        name=f"Op User {i:02d}",
        email=f"op{i:02d}@example.com",
        api_key=f"op-key-{i:02d}-" + "k" * (32 + i),
    )
    for i in range(6)
]
ROUNDS = 3


def _plan() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("openproject_list_statuses", {}),
        ("openproject_list_priorities", {}),
        ("openproject_list_time_entry_activities", {"project": "demo-project"}),
        ("openproject_get_user", {"user": "me"}),
    ] * ROUNDS


async def test_many_users_at_once_each_get_their_own_lookups() -> None:
    fake = FakeOpenProject(USERS)
    fake.delay = 0.003
    async with fake.serve(), serve(make_settings({"OPENPROJECT_URL": fake.url})) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:

            async def run(user: OpenProjectUser) -> list[dict[str, Any]]:
                call = tool_caller(http, key_headers(user))
                return [await call(name, args) for name, args in _plan()]

            outcomes = await asyncio.gather(*(run(u) for u in USERS))

    for user, results in zip(USERS, outcomes, strict=True):
        for r in results:
            assert not r["isError"], r["text"]
        mine = [r for r in results if "Op User" in r["text"] and "login" in r["text"].lower()]
        assert mine and all(user.name in r["text"] for r in mine), f"{user.login} was shown someone else"

    callers = {u.login for u in USERS}
    assert {r.identity for r in fake.requests} == callers, "a request went upstream as someone else"

    def per_user(method: str, path: str) -> Counter[str | None]:
        return Counter(r.identity for r in fake.requests if r.method == method and r.path == API + path)

    once_each = Counter(dict.fromkeys(callers, 1))
    assert per_user("GET", "/statuses") == once_each
    assert per_user("GET", "/priorities") == once_each
    assert per_user("POST", "/time_entries/form") == once_each
    # the key is verified once per user (cached), then "me" is read for the tool itself
    assert all(n >= 1 for n in per_user("GET", "/users/me").values())
    assert set(per_user("GET", "/users/me")) == callers
