"""Every Confluence tool against the fake Confluence, both deployments: what arrived upstream and what came back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, DAN, headers_for
from tests.fakes import ConfluenceUser, FakeConfluence

Call = Any


@pytest.fixture(params=["server", "cloud"])
async def conf(request: pytest.FixtureRequest) -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence(request.param, [CARA, DAN])
    async with fake.serve():
        yield fake


@pytest.fixture
async def tool(conf: FakeConfluence) -> AsyncIterator[Call]:
    env = {"CONFLUENCE_URL": conf.base_url, "CONFLUENCE_DEPLOYMENT": conf.deployment}
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        post = tool_caller(http, headers_for(CARA, conf.deployment))

        async def call(name: str, args: dict[str, Any], user: ConfluenceUser = CARA) -> dict[str, Any]:
            return await post(name, args, headers_for(user, conf.deployment))

        yield call
    assert not [r for r in conf.requests if r.auth_via == "cookie" or r.cookie_identity], "a cookie went upstream"


async def test_myself(conf: FakeConfluence, tool: Call) -> None:
    me = await tool("confluence_get_myself", {})
    assert not me["isError"], me["text"]
    assert CARA.display_name in me["text"]
    assert conf.last_request("GET", "/user/current").identity == "cara"


async def test_search_plain_text_is_quoted_safely(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_search", {"query": 'say "hi"'})
    assert not r["isError"], r["text"]
    cql = conf.last_request("GET", "/rest/api/search").query["cql"]
    field = "siteSearch" if conf.deployment == "cloud" else "text"
    assert cql == f'{field} ~ "say \\"hi\\""'
    hit = r["structuredContent"]["results"][0]
    assert hit["id"] == "98316" and hit["title"] == "Meeting notes 2026-01-12"
    assert "@@@" not in hit["excerpt"] and "hi" in hit["excerpt"]
    sneaky = await tool("confluence_search", {"query": 'x" OR space = ENG OR title ~ "'})
    assert not sneaky["isError"], sneaky["text"]
    assert sneaky["structuredContent"]["results"] == [], "a quote in plain text must not turn into CQL"


async def test_search_cql_paginates(conf: FakeConfluence, tool: Call) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        args: dict[str, Any] = {"query": "space = DEMO AND type = page", "limit": 5}
        if cursor:
            args["cursor"] = cursor
        r = await tool("confluence_search", args)
        assert not r["isError"], r["text"]
        seen += [x["id"] for x in r["structuredContent"]["results"]]
        cursor = r["structuredContent"]["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 12
    bad = await tool("confluence_search", {"query": "space = = DEMO"})
    assert bad["isError"] and "400" in bad["text"] and "cql" in bad["text"].lower()


async def test_get_page_by_id_and_by_title(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_page", {"page_id": "98318"})
    assert not r["isError"], r["text"]
    sc = r["structuredContent"]
    assert sc["title"] == "Coding standards" and sc["version"] == 2 and sc["space_key"] == "ENG"
    assert "```python" in sc["body"] and "def greet" in sc["body"] and "# Coding standards" in sc["body"]
    by_title = await tool("confluence_get_page", {"space_key": "DEMO", "title": "Architecture overview"})
    assert by_title["structuredContent"]["id"] == "98310" and by_title["structuredContent"]["version"] == 5
    missing = await tool("confluence_get_page", {"page_id": "1"})
    assert missing["isError"] and "404" in missing["text"]
    neither = await tool("confluence_get_page", {"space_key": "DEMO"})
    assert neither["isError"] and "page_id" in neither["text"]


async def test_create_page_sends_storage_and_caches_space_ids(conf: FakeConfluence, tool: Call) -> None:
    md = "# Plan\n\nSteps:\n\n- one\n- two & three\n\n```sh\nmake <all>\n```"
    r = await tool("confluence_create_page", {"space_key": "ENG", "title": "Q3 plan", "body": md, "parent_id": "98317"})
    assert not r["isError"], r["text"]
    page_id = r["structuredContent"]["id"]
    stored = conf.pages[page_id]
    assert stored["space_key"] == "ENG" and stored["parent_id"] == "98317"
    assert "<h1>Plan</h1>" in stored["body"] and "two &amp; three" in stored["body"]
    assert 'ac:name="code"' in stored["body"] and "make <all>" in stored["body"]
    if conf.deployment == "cloud":
        assert conf.last_request("POST", "/api/v2/pages").json["spaceId"] == "65602"
        lookups = len([q for q in conf.requests if q.path.endswith("/api/v2/spaces")])
        again = await tool("confluence_create_page", {"space_key": "ENG", "title": "Q4 plan", "body": "later"})
        assert not again["isError"], again["text"]
        assert len([q for q in conf.requests if q.path.endswith("/api/v2/spaces")]) == lookups, "space id not cached"
        await tool("confluence_create_page", {"space_key": "ENG", "title": "Dan's", "body": "x"}, user=DAN)
        assert len([q for q in conf.requests if q.path.endswith("/api/v2/spaces")]) == lookups + 1, "cache is per user"
    else:
        assert conf.last_request("POST", "/rest/api/content").json["space"] == {"key": "ENG"}
    dup = await tool("confluence_create_page", {"space_key": "ENG", "title": "Q3 plan", "body": "again"})
    assert dup["isError"] and "already exists" in dup["text"]


async def test_update_page_sends_next_version_and_reports_conflicts(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_update_page", {"page_id": "98310", "body": "New *body*", "title": "Architecture"})
    assert not r["isError"], r["text"]
    last = conf.updates[-1]
    assert last.accepted and last.sent_version == last.current_version + 1 == 6
    assert conf.pages["98310"]["title"] == "Architecture" and conf.pages["98310"]["version"] == 6
    before = len(conf.updates)
    stale = await tool("confluence_update_page", {"page_id": "98310", "body": "mine", "version": 5})
    assert stale["isError"] and "version 6" in stale["text"] and "nothing was overwritten" in stale["text"]
    assert len(conf.updates) == before, "a stale version must not be sent"
    assert "New" in conf.pages["98310"]["body"]


async def test_update_conflict_from_upstream_is_plain(conf: FakeConfluence, tool: Call) -> None:
    from tests.fakes import Fault

    body = {"statusCode": 409, "message": "Version must be incremented on update. Current version is: 9"}
    if conf.deployment == "cloud":
        body = {"errors": [{"status": 409, "code": "CONFLICT", "title": "Version conflict", "detail": None}]}
    conf.add_fault(Fault(status=409, body=body, method="PUT"))
    r = await tool("confluence_update_page", {"page_id": "98306", "body": "x"})
    assert r["isError"] and "changed after it was read" in r["text"] and "nothing" in r["text"]


async def test_comments_children_spaces_labels(conf: FakeConfluence, tool: Call) -> None:
    c = await tool("confluence_add_comment", {"page_id": "98307", "body": "Thanks, **great** guide"})
    assert not c["isError"], c["text"]
    if conf.deployment == "cloud":
        assert conf.last_request("POST", "/api/v2/footer-comments").json["pageId"] == "98307"
    else:
        assert conf.last_request("POST", "/rest/api/content").json["container"]["id"] == "98307"
    assert any("<strong>great</strong>" in x["body"] for x in conf.comments["98307"])
    kids = await tool("confluence_get_page_children", {"page_id": "98305", "limit": 2})
    titles = [k["title"] for k in kids["structuredContent"]["children"]]
    cursor = kids["structuredContent"]["next_cursor"]
    while cursor:
        more = await tool("confluence_get_page_children", {"page_id": "98305", "limit": 2, "cursor": cursor})
        titles += [k["title"] for k in more["structuredContent"]["children"]]
        cursor = more["structuredContent"]["next_cursor"]
    assert set(titles) >= {"Getting started", "Architecture overview", "Team processes", "Meeting notes 2026-01-12"}
    spaces = await tool("confluence_list_spaces", {})
    assert {s["key"] for s in spaces["structuredContent"]["spaces"]} >= {"DEMO", "ENG"}
    added = await tool("confluence_add_labels", {"page_id": "98312", "labels": ["model", "db"]})
    assert not added["isError"], added["text"]
    labels = await tool("confluence_get_labels", {"page_id": "98312"})
    assert set(labels["structuredContent"]["labels"]) >= {"model", "db"}
