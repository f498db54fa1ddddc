"""Every Jira tool against the fake Jira, both deployments: what arrived upstream and what came back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BOB, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira, Fault

Call = Any


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        call = tool_caller(http, jira_headers(ALICE, jira.deployment))
        yield call


async def test_create_issue_sends_rich_text_for_the_deployment(jira: FakeJira, tool: Call) -> None:
    md = "## Steps\n\n1. Open **it**\n2. Run `cmd`\n\n```python\nprint(1)\n```"
    r = await tool(
        "jira_create_issue",
        {
            "project_key": "DEMO",
            "summary": "New thing",
            "issue_type": "Bug",
            "description": md,
            "labels": ["ui", "p1"],
            "priority": "High",
        },
    )
    assert not r["isError"], r["text"]
    key = r["structuredContent"]["key"]
    assert key.startswith("DEMO-") and key in r["text"] and r["structuredContent"]["url"].endswith(f"/browse/{key}")
    sent = jira.last_request("POST", "/issue").json["fields"]
    assert sent["project"] == {"key": "DEMO"} and sent["issuetype"] == {"name": "Bug"}
    assert sent["priority"] == {"name": "High"} and sent["labels"] == ["ui", "p1"]
    if jira.deployment == "cloud":
        doc = sent["description"]
        assert doc["type"] == "doc" and doc["version"] == 1
        kinds = [n["type"] for n in doc["content"]]
        assert kinds == ["heading", "orderedList", "codeBlock"]
        assert doc["content"][2]["attrs"]["language"] == "python"
    else:
        wiki = sent["description"]
        assert "h2. Steps" in wiki and "# Open *it*" in wiki and "{{cmd}}" in wiki and "{code:python}" in wiki
    got = await tool("jira_get_issue", {"issue_key": key})
    assert "## Steps" in got["text"] and "print(1)" in got["text"]


async def test_create_issue_validation_errors_name_the_field(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_create_issue", {"project_key": "DEMO", "summary": "x", "issue_type": "Nope"})
    assert r["isError"] and "400" in r["text"] and "issuetype" in r["text"]


async def test_update_issue_converts_known_fields(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_update_issue",
        {
            "issue_key": "DEMO-2",
            "fields": {"summary": "Renamed", "description": "Now *emphasised*", "labels": "a, b", "priority": "Low"},
        },
    )
    assert not r["isError"], r["text"]
    assert r["structuredContent"]["updated_fields"] == ["description", "labels", "priority", "summary"]
    sent = jira.last_request("PUT", "/issue/DEMO-2").json["fields"]
    assert sent["labels"] == ["a", "b"] and sent["priority"] == {"name": "Low"} and sent["summary"] == "Renamed"
    if jira.deployment == "cloud":
        assert sent["description"]["content"][0]["content"][1]["marks"] == [{"type": "em"}]
    else:
        assert sent["description"] == "Now _emphasised_"
    assert jira.issues["DEMO-2"]["summary"] == "Renamed"
    bad = await tool("jira_update_issue", {"issue_key": "DEMO-2", "fields": {"customfield_999": "x"}})
    assert bad["isError"] and "customfield_999" in bad["text"]


async def test_add_comment_and_read_comments(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_add_comment", {"issue_key": "DEMO-3", "body": "Looks **good** — see [docs](https://x.io)"})
    assert not r["isError"], r["text"]
    body = jira.last_request("POST", "/issue/DEMO-3/comment").json["body"]
    if jira.deployment == "cloud":
        assert body["type"] == "doc"
    else:
        assert body == "Looks *good* — see [docs|https://x.io]"
    comments = await tool("jira_get_comments", {"issue_key": "DEMO-3"})
    assert not comments["isError"], comments["text"]
    assert "Looks **good** — see [docs](https://x.io)" in comments["text"]
    assert comments["structuredContent"]["comments"][0]["id"] == r["structuredContent"]["comment_id"]


async def test_comments_paginate(jira: FakeJira, tool: Call) -> None:
    for i in range(5):
        await tool("jira_add_comment", {"issue_key": "DEMO-4", "body": f"note {i}"})
    seen: list[str] = []
    token = None
    for _ in range(5):
        args: dict[str, Any] = {"issue_key": "DEMO-4", "max_results": 2}
        if token:
            args["page_token"] = token
        page = await tool("jira_get_comments", args)
        seen += [c["id"] for c in page["structuredContent"]["comments"]]
        token = page["structuredContent"]["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == page["structuredContent"]["total"] >= 5


async def test_transitions_by_id_name_and_unknown(jira: FakeJira, tool: Call) -> None:
    listed = await tool("jira_get_transitions", {"issue_key": "DEMO-5"})
    rows = listed["structuredContent"]["transitions"]
    names = {r["name"]: r["id"] for r in rows}
    assert "Done" in names and "Done" in listed["text"]
    r = await tool("jira_transition_issue", {"issue_key": "DEMO-5", "transition": "in progress"})
    assert not r["isError"], r["text"]
    assert jira.last_request("POST", "/issue/DEMO-5/transitions").json["transition"] == {"id": names["In Progress"]}
    r = await tool(
        "jira_transition_issue", {"issue_key": "DEMO-5", "transition": names["Done"], "comment": "Shipped **now**"}
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issue/DEMO-5/transitions").json
    assert sent["transition"] == {"id": names["Done"]}
    comment_body = sent["update"]["comment"][0]["add"]["body"]
    assert comment_body == "Shipped *now*" if jira.deployment == "server" else comment_body["type"] == "doc"
    assert jira.issues["DEMO-5"]["status"] == "Done"
    before = len(jira.requests)
    r = await tool("jira_transition_issue", {"issue_key": "DEMO-5", "transition": "Teleport"})
    assert r["isError"] and "Available:" in r["text"] and "Done" in r["text"]
    assert [q.method for q in jira.requests[before:]] == ["GET"], "an unknown transition must not be posted"


async def test_projects_types_links_and_my_issues(jira: FakeJira, tool: Call) -> None:
    projects = await tool("jira_list_projects", {})
    assert {p["key"] for p in projects["structuredContent"]["projects"]} >= {"DEMO", "OPS"}
    types = await tool("jira_get_issue_types", {"project_key": "DEMO"})
    assert "Bug" in {t["name"] for t in types["structuredContent"]["issue_types"]}
    link_types = await tool("jira_list_link_types", {})
    assert "Blocks" in link_types["text"]
    linked = await tool(
        "jira_link_issues", {"link_type": "Blocks", "inward_issue": "DEMO-1", "outward_issue": "DEMO-2"}
    )
    assert not linked["isError"], linked["text"]
    assert jira.last_request("POST", "/issueLink").json["type"] == {"name": "Blocks"}
    mine = await tool("jira_get_my_issues", {"max_results": 50})
    assert not mine["isError"], mine["text"]
    jql = jira.last_request("GET", "/search").query["jql"]
    assert "currentUser()" in jql
    assert all(i["assignee"] == ALICE.display_name for i in mine["structuredContent"]["issues"])
    theirs = await tool("jira_get_my_issues", {}, headers=jira_headers(BOB, jira.deployment))
    assert {i["key"] for i in theirs["structuredContent"]["issues"]}.isdisjoint(
        {i["key"] for i in mine["structuredContent"]["issues"]}
    )


async def test_search_errors_are_readable(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_search", {"jql": "project = NOPE"})
    assert r["isError"] and "NOPE" in r["text"] and "400" in r["text"]
    jira.add_fault(Fault(status=429, headers={"Retry-After": "0"}, path_contains="/search"))
    r = await tool("jira_search", {"jql": "project = OPS"})
    assert not r["isError"], "a 429 on a read is retried"
    assert len(r["structuredContent"]["issues"]) == 5


async def test_writes_are_not_retried_on_429(jira: FakeJira, tool: Call) -> None:
    jira.add_fault(Fault(status=429, headers={"Retry-After": "0"}, path_contains="/comment", method="POST"))
    r = await tool("jira_add_comment", {"issue_key": "DEMO-6", "body": "once"})
    assert r["isError"] and "not repeated" in r["text"]
    assert len([q for q in jira.requests if q.method == "POST" and "/comment" in q.path]) == 1


WRITE_TOOLS = {
    "jira_create_issue",
    "jira_update_issue",
    "jira_add_comment",
    "jira_transition_issue",
    "jira_link_issues",
}


async def test_read_only_mode_hides_and_refuses_writes(server_jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(server_jira, PASSTHROUGH_READ_ONLY="true"))) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
            names = {t["name"] for t in listed["result"]["tools"]}
            assert names and names.isdisjoint(WRITE_TOOLS)
            assert all(t["annotations"]["readOnlyHint"] for t in listed["result"]["tools"])
            body = {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "jira_add_comment", "arguments": {"issue_key": "DEMO-1", "body": "x"}},
            }
            r = (await http.post("/mcp", json=body, headers={"X-Jira-Token": ALICE.token})).json()
            assert "read-only" in r["error"]["message"]
    assert not [q for q in server_jira.requests if q.method != "GET"]


async def test_annotations_are_truthful(server_jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(server_jira))) as url, httpx.AsyncClient(base_url=url) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t["annotations"] for t in listed["result"]["tools"]}
    writes = {n for n, a in tools.items() if not a["readOnlyHint"]}
    assert WRITE_TOOLS <= writes  # each family's own tests check the writes it adds
    assert writes.isdisjoint({"jira_get_issue", "jira_search", "jira_get_transitions", "jira_list_projects"})
    assert tools["jira_update_issue"]["destructiveHint"] and tools["jira_update_issue"]["idempotentHint"]
    assert not tools["jira_create_issue"]["idempotentHint"] and not tools["jira_create_issue"]["destructiveHint"]
    assert tools["jira_get_issue"]["readOnlyHint"] and tools["jira_get_issue"]["idempotentHint"]
