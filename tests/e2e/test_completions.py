"""completion/complete for the templates' arguments: per user, cached briefly per user, bounded, one upstream
request a keystroke at most; over the SDK client (every transport) and bare posts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp.types import ResourceTemplateReference

from tests.conftest import ALICE, BOB
from tests.e2e._clients import TRANSPORTS, connect
from tests.e2e._resources import FIRST, SECOND, World, poster, world

ISSUE = "jira://issue/{issue_key}"
PAGE = "confluence://page/{page_id}"
WORK_PACKAGE = "openproject://work_package/{work_package_id}"


def complete(uri: str, name: str, value: str) -> dict[str, Any]:
    return {"ref": {"type": "ref/resource", "uri": uri}, "argument": {"name": name, "value": value}}


@pytest.fixture(params=["server", "cloud"])
async def both(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with world(request.param) as found:
        yield found


async def values(rpc: Any, uri: str, name: str, value: str) -> dict[str, Any]:
    reply = await rpc("completion/complete", complete(uri, name, value))
    found: dict[str, Any] = reply["result"]["completion"]
    return found


async def test_issue_keys_from_a_project_key_prefix(both: World) -> None:
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        rpc = poster(http, FIRST.headers(both.deployment))
        ops = await values(rpc, ISSUE, "issue_key", "o")
        keys = sorted(i["key"] for i in both.jira.state.issues.values() if i["key"].startswith("OPS-"))
        assert sorted(ops["values"]) == keys and ops["total"] == len(keys) and ops["hasMore"] is False
        searched = [r.query["jql"] for r in both.jira.requests if "jql" in r.query]
        assert searched == ['project in ("OPS") ORDER BY updated DESC']
        both.clear()
        # the same project as typing goes on: answered from the caller's cache, nothing sent upstream
        assert (await values(rpc, ISSUE, "issue_key", "OPS"))["values"] == ops["values"]
        one = await values(rpc, ISSUE, "issue_key", "OPS-1")
        assert one["values"] == [k for k in ops["values"] if k.startswith("OPS-1")]
        assert not both.jira.requests, "a keystroke within a project already read costs no request"
        demo = await values(rpc, ISSUE, "issue_key", "DEMO-2")
        assert demo["values"] and all(v.startswith("DEMO-2") for v in demo["values"])
        assert len([r for r in both.jira.requests if "jql" in r.query]) == 1, "one request for a new project"
        assert (await values(rpc, ISSUE, "issue_key", "ZZZ"))["values"] == []
        assert (await values(rpc, ISSUE, "issue_key", "no such thing"))["values"] == []
        mine = await values(rpc, ISSUE, "issue_key", "")
        assert set(mine["values"]) == {
            i["key"] for i in both.jira.state.issues.values() if i.get("assignee") == ALICE.name
        }
    assert {r.identity for r in both.jira.requests} == {ALICE.name}


async def test_page_ids_from_a_title_prefix(both: World) -> None:
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        rpc = poster(http, FIRST.headers(both.deployment))
        found = await values(rpc, PAGE, "page_id", "Getting sta")
        assert found["values"] == ["98306"]
        sent = both.confluence.last_request("GET", "/rest/api/search")
        assert sent.query["cql"] == 'type = page AND title ~ "Getting sta*" ORDER BY lastmodified DESC'
        assert sent.identity == "cara"
        both.clear()
        hostile = await values(rpc, PAGE, "page_id", 'x" OR space = "SECRET')
        sent = both.confluence.last_request("GET", "/rest/api/search")
        assert sent.query["cql"] == 'type = page AND title ~ "x OR space SECRET*" ORDER BY lastmodified DESC'
        assert hostile["values"] == []
        both.clear()
        assert (await values(rpc, PAGE, "page_id", '"*?'))["values"] == [] and not both.confluence.requests
        recent = await values(rpc, PAGE, "page_id", "")
        assert recent["values"] and all(v.isdigit() for v in recent["values"])


async def test_work_package_ids_from_a_subject_prefix(both: World) -> None:
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        rpc = poster(http, FIRST.headers(both.deployment))
        found = await values(rpc, WORK_PACKAGE, "work_package_id", "Project kick")
        assert found["values"] == ["1"]
        sent = both.openproject.last_request("GET", "/api/v3/work_packages")
        assert sent.query["filters"] == '[{"subjectOrId":{"operator":"**","values":["Project kick"]}}]'
        assert sent.identity == "anna"
        mine = await values(rpc, WORK_PACKAGE, "work_package_id", "")
        assigned = {str(w["id"]) for w in both.openproject.state.work_packages.values() if w["assignee"] == 5}
        assert set(mine["values"]) == assigned


async def test_what_is_not_a_template_argument_completes_to_nothing(both: World) -> None:
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        rpc = poster(http, FIRST.headers(both.deployment))
        prompt = await rpc(
            "completion/complete",
            {"ref": {"type": "ref/prompt", "name": "anything"}, "argument": {"name": "a", "value": "b"}},
        )
        assert prompt["result"]["completion"] == {"values": [], "total": 0, "hasMore": False}
        assert (await values(rpc, "gopher://x/{y}", "y", "a"))["values"] == []
        assert (await values(rpc, ISSUE, "page_id", "DEMO"))["values"] == [], "another template's argument"
        anonymous = await values(poster(http, {}), ISSUE, "issue_key", "DEMO")
        assert anonymous["values"] == []
        bad = await rpc("completion/complete", {"ref": {"type": "ref/resource"}})
        assert bad["error"]["code"] == -32602
    assert not both.jira.requests, "nothing to complete, nothing sent"


async def test_completion_caches_never_cross_users(both: World) -> None:
    """Alice's and Bob's completions of the same value, at once and one after the other, each from their own
    upstream requests and cache: Bob never gets the list cached for Alice."""
    async with httpx.AsyncClient(base_url=both.url, timeout=30) as http:
        alice, bob = poster(http, FIRST.headers(both.deployment)), poster(http, SECOND.headers(both.deployment))
        first = await values(alice, ISSUE, "issue_key", "")
        assert first["values"], "Alice has issues assigned"
        second = await values(bob, ISSUE, "issue_key", "")
        assert second["values"] == [], "Bob has none: not Alice's cached list"
        searches = [r for r in both.jira.requests if "jql" in r.query]
        assert [r.identity for r in searches] == [ALICE.name, BOB.name]
        both.clear()
        again = await asyncio.gather(
            *(
                who("completion/complete", complete(WORK_PACKAGE, "work_package_id", ""))
                for _ in range(5)
                for who in (alice, bob)
            )
        )
        anna = {str(w["id"]) for w in both.openproject.state.work_packages.values() if w["assignee"] == 5}
        otto = {str(w["id"]) for w in both.openproject.state.work_packages.values() if w["assignee"] == 6}
        assert anna != otto
        for index, reply in enumerate(again):
            assert set(reply["result"]["completion"]["values"]) == (anna if index % 2 == 0 else otto)
        assert {r.identity for r in both.openproject.requests} == {"anna", "otto"}
    assert BOB.name in {r.identity for r in searches}


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_sdk_client_completes_with_custom_headers(both: World, transport: str) -> None:
    async with connect(both.url, transport, FIRST.headers(both.deployment)) as client:
        ref = ResourceTemplateReference(type="ref/resource", uri=ISSUE)
        result = await client.complete(ref, {"name": "issue_key", "value": "OPS-"})
        assert result.completion.values and all(v.startswith("OPS-") for v in result.completion.values)
        page = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri=PAGE), {"name": "page_id", "value": "Getting"}
        )
        assert page.completion.values == ["98306"]
    assert {r.identity for r in both.jira.requests} == {ALICE.name}
