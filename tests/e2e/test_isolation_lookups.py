"""The per-user lookups Jira's breadth added (field catalog, create metadata, user resolution, board lists)
under many users at once: each user's answers come from that user's own upstream requests, and what is
cached for one user is never served to another."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira, JiraUser

USERS = [
    JiraUser(
        name=f"look{i:02d}",
        display_name=f"Looker {i:02d}",
        email=f"look{i:02d}@example.com",
        account_id=f"acc-look-{i:02d}",
        token=f"look-token-{i:02d}-" + "q" * (20 + i),
    )
    for i in range(8)
]
TARGET = USERS[-1]  # the user everyone looks up
Call = Any


@pytest.fixture(params=["server", "cloud"])
async def jira(request: pytest.FixtureRequest) -> AsyncIterator[FakeJira]:
    fake = FakeJira(request.param, USERS)
    fake.delay = 0.003
    async with fake.serve():
        yield fake


@pytest.fixture
async def url(jira: FakeJira) -> AsyncIterator[str]:
    async with serve(make_settings(jira_env(jira))) as base:
        yield base


def _caller(http: httpx.AsyncClient, jira: FakeJira, user: JiraUser) -> Call:
    return tool_caller(http, jira_headers(user, jira.deployment))


def _rename(jira: FakeJira, field_id: str, name: str) -> None:
    meta = jira.state.project_meta
    meta.fields = tuple(dataclasses.replace(f, name=name) if f.id == field_id else f for f in meta.fields)


async def test_a_cached_field_catalog_is_never_served_to_another_user(jira: FakeJira, url: str) -> None:
    first, second = USERS[0], USERS[1]
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        a, b = _caller(http, jira, first), _caller(http, jira, second)
        before = await a("jira_search_fields", {"keyword": "summary"})
        assert not before["isError"], before["text"]
        assert [r for r in jira.requests_to("/field") if r.method == "GET"][-1].identity == first.name
        assert "Summary" in before["text"]

        _rename(jira, "summary", "Headline")
        again = await a("jira_search_fields", {"keyword": "summary"})
        # the first user's catalog is cached: no new request, the old name still shown
        assert sum(r.identity == first.name for r in jira.requests_to("/field")) == 1
        assert "Summary" in again["text"] and "Headline" not in again["text"]

        other = await b("jira_search_fields", {"keyword": "summary"})
        # the second user never sees the first user's cache: a request of its own, today's name
        assert [r.identity for r in jira.requests_to("/field")] == [first.name, second.name]
        assert "Headline" in other["text"] and "Summary" not in other["text"].replace("summary", "")


async def test_many_users_at_once_each_cause_their_own_lookups(jira: FakeJira, url: str) -> None:
    lookup = TARGET.email if jira.deployment == "cloud" else TARGET.name

    def plan() -> list[tuple[str, dict[str, Any]]]:
        return [
            ("jira_search_fields", {"keyword": "priority"}),
            ("jira_get_create_fields", {"project_key": "DEMO", "issue_type_id": "Task"}),
            ("jira_get_user_profile", {"user_identifier": lookup}),
            ("jira_get_agile_boards", {}),
        ] * 3

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:

        async def run(user: JiraUser) -> tuple[JiraUser, list[dict[str, Any]]]:
            call = _caller(http, jira, user)
            results = []
            for name, args in plan():  # one user's calls in order, every user at once
                results.append(await call(name, args))
            return user, results

        outcomes = await asyncio.gather(*(run(u) for u in USERS[:-1]))

    for _user, results in outcomes:
        for r in results:
            assert not r["isError"], r["text"]
        profile = [r for r in results if "Account id" in r["text"] or "Username" in r["text"]]
        assert profile and all(TARGET.display_name in r["text"] for r in profile)

    callers = {u.name for u in USERS[:-1]}
    assert {r.identity for r in jira.requests} == callers, "a request went upstream as someone else"

    def per_user(path_part: str) -> Counter[str | None]:
        return Counter(r.identity for r in jira.requests_to(path_part) if r.method == "GET")

    # cached per user: exactly one catalog read and one create-metadata read each, however many calls
    assert per_user("/field") == Counter(dict.fromkeys(callers, 1))
    fields_path = "/issuetypes/"
    assert per_user(fields_path) == Counter(dict.fromkeys(callers, 1))
    # the user lookup: once per user (a search, or a read by id), never answered from another's cache
    searches = Counter(r.identity for r in jira.requests if "/user" in r.path and r.method == "GET")
    assert set(searches) == callers and all(n >= 1 for n in searches.values())
    assert len({n for n in searches.values()}) == 1, f"uneven user lookups: {searches}"
    # board lists are not cached: every call goes upstream with the caller's credential
    assert per_user("/rest/agile/1.0/board") == Counter(dict.fromkeys(callers, 3))
