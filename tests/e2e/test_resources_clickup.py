"""ClickUp tasks as resources (`clickup://task/{task_id}`): read with the caller's own token (clickup_get_task's
Markdown and JSON), the caller's assigned tasks listed Workspace after Workspace, and task ids completed from an
id prefix, a custom id prefix or a name, cached per user; over bare posts and the SDK client on every transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from mcp.types import ResourceTemplateReference

from passthrough.sandbox.fakes.clickup import personal_token
from tests.conftest import make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, tool_caller
from tests.e2e._resources import poster
from tests.fakes import ClickUpUser, FakeClickUp

ANNA = ClickUpUser(81001, "Anna Admin", "anna@example.com", personal_token(81001, "anna7"))
OTTO = ClickUpUser(81002, "Otto Other", "otto@example.com", personal_token(81002, "otto3"))
TEMPLATE = "clickup://task/{task_id}"
ACME, SIDE = "9010101", "9020202"


def headers(user: ClickUpUser) -> dict[str, str]:
    return {"X-ClickUp-Token": user.token}


@dataclass
class Site:
    fake: FakeClickUp
    url: str

    def assigned(self, user: ClickUpUser) -> set[str]:
        return {t.id for t in self.fake.state.tasks.values() if user.id in t.assignees and not t.archived}

    def task_lists(self) -> list[Any]:
        return [r for r in self.fake.requests if r.path.endswith("/task") and r.path.startswith("/api/v2/team/")]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    fake = FakeClickUp([ANNA, OTTO])
    async with fake.serve(), serve(make_settings({"CLICKUP_URL": fake.url, "PASSTHROUGH_FALLBACK": "off"})) as url:
        yield Site(fake, url)


def complete(value: str) -> dict[str, Any]:
    return {"ref": {"type": "ref/resource", "uri": TEMPLATE}, "argument": {"name": "task_id", "value": value}}


async def values(rpc: Any, value: str) -> list[str]:
    found: list[str] = (await rpc("completion/complete", complete(value)))["result"]["completion"]["values"]
    return found


async def test_the_template_is_offered_with_clickup_and_its_toolset(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        rpc = poster(http, headers(ANNA))
        listed = (await rpc("resources/templates/list", {}))["result"]["resourceTemplates"]
        assert [(t["uriTemplate"], t["name"]) for t in listed] == [(TEMPLATE, "clickup_task")]
        assert listed[0]["mimeType"] == "text/markdown" and "custom id" in listed[0]["description"]
        narrowed = await rpc("resources/templates/list", {}, {"X-MCP-Toolsets": "clickup_time"})
        assert narrowed["result"]["resourceTemplates"] == []
        outside = await rpc("resources/read", {"uri": "clickup://task/86b1aa001"}, {"X-MCP-Toolsets": "clickup_time"})
        assert outside["error"]["code"] == -32002
    assert not site.fake.requests, "a template outside the client's toolsets reads nothing"


@pytest.mark.parametrize("task_id", ["86b1aa001", "ENG-1"])
async def test_read_is_clickup_get_tasks_markdown_and_json(site: Site, task_id: str) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        read = await poster(http, headers(ANNA))("resources/read", {"uri": f"clickup://task/{task_id}"})
        markdown, data = read["result"]["contents"]
        tool = await tool_caller(http, headers(ANNA))("clickup_get_task", {"task_id": task_id})
    assert markdown == {"uri": f"clickup://task/{task_id}", "mimeType": "text/markdown", "text": tool["text"]}
    assert markdown["text"].startswith("# ENG-1 Rate-limit the public API")
    assert "**100 requests a minute**" in markdown["text"], "the description as Markdown"
    assert data["mimeType"] == "application/json"
    assert json.loads(data["text"]) == tool["structuredContent"]
    assert json.loads(data["text"])["id"] == "86b1aa001"
    reads = [r for r in site.fake.requests if r.path.startswith("/api/v2/task/")]
    assert {r.path for r in reads} == {f"/api/v2/task/{task_id}"}
    assert all(r.query["include_markdown_description"] == "true" for r in reads)
    if task_id == "ENG-1":
        assert {r.query["custom_task_ids"] for r in reads} == {"true"} and reads[0].query["team_id"] == ACME
    assert {r.identity for r in site.fake.requests} == {ANNA.username}


async def test_read_refusals_name_the_problem(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        rpc = poster(http, headers(ANNA))
        missing = await rpc("resources/read", {"uri": "clickup://task/86b1zz999"})
        assert missing["error"]["code"] == -32002 and "Task not found" in missing["error"]["message"]
        for bad in ("clickup://task/", "clickup://task/a/b", "clickup://task/x?y"):
            refused = await rpc("resources/read", {"uri": bad})
            assert refused["error"]["code"] == -32002, bad
        anonymous = await poster(http, {})("resources/read", {"uri": "clickup://task/86b1aa001"})
        assert "X-ClickUp-Token" in anonymous["error"]["message"]
    assert {r.path for r in site.fake.requests} == {"/api/v2/task/86b1zz999"}


async def test_list_is_the_callers_assigned_tasks_workspace_after_workspace(site: Site) -> None:
    async def every(user: ClickUpUser) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
            rpc = poster(http, headers(user))
            found: list[dict[str, Any]] = []
            cursor = None
            for _ in range(20):
                page = (await rpc("resources/list", {"cursor": cursor} if cursor else {}))["result"]
                assert len(page["resources"]) <= 25
                found += page["resources"]
                cursor = page.get("nextCursor")
                if cursor is None:
                    return found
            raise AssertionError("the listing never ended")

    mine = await every(ANNA)
    uris = [r["uri"] for r in mine]
    assert len(uris) == len(set(uris)), "no task listed twice across pages"
    assert {u.removeprefix("clickup://task/") for u in uris} == site.assigned(ANNA)
    assert len(uris) > 50, "more than one ClickUp page of Anna's tasks is walked"
    assert uris[-1] == "clickup://task/86b1aa008", "the second Workspace's task comes after the first's"
    eng1 = next(r for r in mine if r["uri"] == "clickup://task/86b1aa001")
    assert eng1["name"] == "ENG-1 Rate-limit the public API" and "in progress" in eng1["description"]
    lists = site.task_lists()
    assert {r.query["assignees[]"] for r in lists} == {str(ANNA.id)}
    assert {r.query["order_by"] for r in lists} == {"updated"}
    assert {r.path for r in lists} == {f"/api/v2/team/{ACME}/task", f"/api/v2/team/{SIDE}/task"}
    assert {r.identity for r in site.fake.requests} == {ANNA.username}
    site.fake.requests.clear()
    theirs = await every(OTTO)
    assert {r["uri"].removeprefix("clickup://task/") for r in theirs} == site.assigned(OTTO)
    assert {r.identity for r in site.fake.requests} == {OTTO.username}
    assert {r.path for r in site.task_lists()} == {f"/api/v2/team/{ACME}/task"}, "Otto is not in Side Projects"


async def test_task_ids_complete_from_ids_custom_ids_and_names_cached_per_user(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        anna, otto = poster(http, headers(ANNA)), poster(http, headers(OTTO))
        assert await values(anna, "rate-lim") == ["86b1aa001"]
        assert {r.path for r in site.task_lists()} == {f"/api/v2/team/{ACME}/task", f"/api/v2/team/{SIDE}/task"}
        assert all("assignees[]" not in r.query for r in site.task_lists()), "a name is looked for in every task"
        site.fake.requests.clear()
        assert await values(anna, "Rate-limit the") == ["86b1aa001"]
        assert await values(anna, "ENG-4") == ["ENG-4"]
        assert sorted(await values(anna, "86b1aa00")) == [f"86b1aa00{n}" for n in range(1, 9)], "both Workspaces"
        assert await values(anna, "garden") == ["86b1aa008"]
        assert await values(anna, "no such task anywhere") == []
        assert not site.fake.requests, "keystrokes within 30 s are answered from the caller's own cache"
        # Otto is not in Side Projects: his own cache, his own view, read as him
        assert await values(otto, "garden") == []
        assert {r.identity for r in site.fake.requests} == {OTTO.username}
        assert {r.path for r in site.task_lists()} == {f"/api/v2/team/{ACME}/task"}
        mine = await values(anna, "")
        assert set(mine) <= site.assigned(ANNA) and "86b1aa008" in mine
        assert {r.query.get("assignees[]") for r in site.task_lists() if r.identity == ANNA.username} == {str(ANNA.id)}


async def test_two_people_reading_one_task_each_see_their_own(site: Site) -> None:
    """Anna may see the Side Projects task; Otto, not in that Workspace, may not, however the reads interleave."""
    uri = "clickup://task/86b1aa008"
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as http:
        anna, otto = poster(http, headers(ANNA)), poster(http, headers(OTTO))
        answers = await asyncio.gather(*(who("resources/read", {"uri": uri}) for _ in range(8) for who in (anna, otto)))
    for index, reply in enumerate(answers):
        if index % 2 == 0:
            assert reply["result"]["contents"][0]["text"].startswith("# Fix the garden fence")
        else:
            assert "error" in reply and "garden" not in json.dumps(reply)
    reads = [r for r in site.fake.requests if r.path == "/api/v2/task/86b1aa008"]
    assert {r.identity for r in reads if r.status == 200} == {ANNA.username}
    assert {r.identity for r in reads if r.status != 200} == {OTTO.username}
    assert sum(1 for r in reads if r.identity == OTTO.username) == 8, "each of Otto's reads went upstream as Otto"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_sdk_client_reads_lists_and_completes(site: Site, transport: str) -> None:
    async with connect(site.url, transport, headers(ANNA)) as client:
        templates = await client.list_resource_templates()
        assert [t.uri_template for t in templates.resource_templates] == [TEMPLATE]
        first, second = (await client.read_resource("clickup://task/ENG-6")).contents
        assert "Launch blog post" in getattr(first, "text", "")
        assert json.loads(getattr(second, "text", ""))["custom_id"] == "ENG-6"
        recent = await client.list_resources()
        assert recent.resources and all(str(r.uri).startswith("clickup://task/") for r in recent.resources)
        ref = ResourceTemplateReference(type="ref/resource", uri=TEMPLATE)
        done = await client.complete(ref, {"name": "task_id", "value": "blog"})
        assert done.completion.values == ["86b1aa006"]
    assert {r.identity for r in site.fake.requests} == {ANNA.username}
