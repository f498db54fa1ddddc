"""Issue operations against the fake Jira, both deployments: delete, move, batches, changelogs, comment
edits, remote links, link removal, epics, and the peer's names and arguments of the write tools."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BOB, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira

Call = Any


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


# ---------------------------------------------------------------------- delete, move


async def test_delete_issue(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_delete_issue", {"issue_key": "DEMO-3"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("DELETE", "/issue/DEMO-3")
    assert sent.query == {"deleteSubtasks": "false"} and sent.identity == "alice"
    assert "Deleted DEMO-3." in r["text"] and r["structuredContent"]["deleted"] is True
    assert "DEMO-3" not in jira.issues
    again = await tool("jira_delete_issue", {"issue_key": "DEMO-3"})
    assert again["isError"] and "404" in again["text"]


async def test_delete_issue_with_subtasks_needs_the_flag(jira: FakeJira, tool: Call) -> None:
    refused = await tool("jira_delete_issue", {"issue_key": "DEMO-2"})  # DEMO-25 is its sub-task
    assert refused["isError"] and "deleteSubtasks" in refused["text"] and "DEMO-2" in jira.issues
    r = await tool("jira_delete_issue", {"issue_key": "DEMO-2", "delete_subtasks": True})
    assert not r["isError"], r["text"]
    assert jira.last_request("DELETE", "/issue/DEMO-2").query == {"deleteSubtasks": "true"}
    assert "DEMO-2" not in jira.issues and "DEMO-25" not in jira.issues
    assert "and its sub-tasks" in r["text"]


async def test_read_only_refuses_write_tools_and_sends_nothing(jira: FakeJira) -> None:
    env = jira_env(jira, PASSTHROUGH_READ_ONLY="true")
    headers = jira_headers(ALICE, jira.deployment)
    writes = {
        "jira_delete_issue": {"issue_key": "DEMO-3"},
        "jira_remove_issue_link": {"link_id": "10200"},
        "jira_move_issue": {"issue_key": "DEMO-3", "target_project_key": "OPS"},
        "jira_edit_comment": {"issue_key": "DEMO-1", "comment_id": "10000", "body": "x"},
        "jira_batch_create_issues": {"issues": "[]"},
        "jira_link_to_epic": {"issue_key": "DEMO-3", "epic_key": "DEMO-10"},
        "jira_create_remote_issue_link": {"issue_key": "DEMO-3", "url": "https://x.io", "title": "x"},
        "jira_create_issue_link": {"link_type": "Blocks", "inward_issue_key": "DEMO-1", "outward_issue_key": "DEMO-2"},
    }
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "jira_batch_get_changelogs" in names and names.isdisjoint(writes)
        for rid, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            r = (await http.post("/mcp", json=body, headers=headers)).json()
            assert "read-only" in r["error"]["message"], name
    assert not jira.requests, "nothing reaches Jira"
    assert "DEMO-3" in jira.issues


async def test_move_issue(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_move_issue", {"issue_key": "DEMO-2", "target_project_key": "OPS"})
    if jira.deployment == "server":
        assert r["isError"] and "Server/Data Center has no REST API to move an issue" in r["text"]
        assert not [q for q in jira.requests if q.method == "POST"], "nothing may be attempted on Server"
        return
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/rest/api/3/bulk/issues/move").json
    mapping = sent["targetToSourcesMapping"]
    assert list(mapping) == ["OPS,10004"]  # DEMO-2 is a Bug, and stays one
    assert mapping["OPS,10004"]["issueIdsOrKeys"] == ["DEMO-2"]
    assert jira.last_request("GET", "/bulk/queue/").path.endswith("/rest/api/3/bulk/queue/10700")
    assert r["structuredContent"]["key"] == "OPS-6" and r["structuredContent"]["moved"] is True
    assert "it is now OPS-6" in r["text"] and r["structuredContent"]["url"].endswith("/browse/OPS-6")
    assert jira.issues["OPS-6"]["summary"] == "Login page returns 500 on an empty password"
    same = await tool("jira_move_issue", {"issue_key": "OPS-6", "target_project_key": "OPS"})
    assert same["isError"] and "already in project OPS" in same["text"]


# ---------------------------------------------------------------------- batch create


async def test_batch_create_issues_per_item_results(jira: FakeJira, tool: Call) -> None:
    issues = [
        {"project_key": "DEMO", "summary": "First", "issue_type": "Task", "description": "Some **bold** text"},
        {"project_key": "DEMO", "summary": "Second", "issue_type": "Nope"},
        {"summary": "No project"},
        {"project_key": "OPS", "summary": "Third", "issue_type": "Bug", "labels": ["infra"]},
    ]
    r = await tool("jira_batch_create_issues", {"issues": json.dumps(issues)})
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issue/bulk").json["issueUpdates"]
    assert [u["fields"]["summary"] for u in sent] == ["First", "Second", "Third"]
    description = sent[0]["fields"]["description"]
    if jira.deployment == "cloud":
        assert description["type"] == "doc"
    else:
        assert description == "Some *bold* text"
    assert sent[2]["fields"]["project"] == {"key": "OPS"} and sent[2]["fields"]["labels"] == ["infra"]
    rows = r["structuredContent"]["results"]
    assert [row["status"] for row in rows] == ["created", "failed", "invalid", "created"]
    assert rows[0]["key"].startswith("DEMO-") and rows[3]["key"].startswith("OPS-")
    assert "issuetype" in rows[1]["error"] and "project_key" in rows[2]["error"]
    assert rows[0]["key"] in r["text"] and "#2 failed" in r["text"] and "#3 invalid" in r["text"]
    assert jira.issues[rows[0]["key"]]["summary"] == "First"


async def test_batch_create_validate_only_creates_nothing(jira: FakeJira, tool: Call) -> None:
    count = len(jira.issues)
    issues = [
        {"project_key": "DEMO", "summary": "Fine", "issue_type": "Story"},
        {"project_key": "DEMO", "summary": "Bad type", "issue_type": "Saga"},
    ]
    r = await tool("jira_batch_create_issues", {"issues": issues, "validate_only": True})
    assert not r["isError"], r["text"]
    assert not [q for q in jira.requests if q.method == "POST"]
    assert jira.last_request("GET", "/issue/createmeta/DEMO/issuetypes")
    assert [row["status"] for row in r["structuredContent"]["results"]] == ["valid", "invalid"]
    assert "nothing created" in r["text"] and "Saga" in r["text"]
    assert len(jira.issues) == count


async def test_batch_create_bounds_and_all_failing(jira: FakeJira, tool: Call) -> None:
    many = [{"project_key": "DEMO", "summary": f"n{i}"} for i in range(51)]
    r = await tool("jira_batch_create_issues", {"issues": many})
    assert r["isError"] and "at most 50" in r["text"]
    bad = await tool("jira_batch_create_issues", {"issues": "not json"})
    assert bad["isError"] and "not valid JSON" in bad["text"]
    failing = await tool("jira_batch_create_issues", {"issues": [{"project_key": "NOPE", "summary": "x"}]})
    assert failing["isError"] and "400" in failing["text"] and "issue 1: project" in failing["text"]


# ---------------------------------------------------------------------- changelogs


async def test_batch_get_changelogs(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_batch_get_changelogs", {"issue_ids_or_keys": "DEMO-1, DEMO-2"})
    assert not r["isError"], r["text"]
    if jira.deployment == "cloud":
        sent = jira.last_request("POST", "/changelog/bulkfetch").json
        assert sent["issueIdsOrKeys"] == ["DEMO-1", "DEMO-2"] and "fieldIds" not in sent
    else:
        assert jira.last_request("GET", "/issue/DEMO-1").query["expand"] == "changelog"
        assert jira.last_request("GET", "/issue/DEMO-2").query["expand"] == "changelog"
    rows = {row["issue_id"]: row for row in r["structuredContent"]["issues"]}
    demo1 = rows[jira.issues["DEMO-1"]["id"]]
    fields = [item["field"] for change in demo1["changelogs"] for item in change["items"]]
    assert {"assignee", "labels", "priority"} <= set(fields)
    assert demo1["changelogs"][0]["author"] == "Bob Example"
    assert "priority: Medium → High" in r["text"] and "assignee: ∅ → Alice" in r["text"]

    args = {"issue_ids_or_keys": "DEMO-1", "fields": "assignee,priority", "limit": 1}
    only = await tool("jira_batch_get_changelogs", args)
    assert not only["isError"], only["text"]
    if jira.deployment == "cloud":
        assert jira.last_request("POST", "/changelog/bulkfetch").json["fieldIds"] == ["assignee", "priority"]
    row = only["structuredContent"]["issues"][0]
    assert row["total"] == 2 and len(row["changelogs"]) == 1
    assert [i["field"] for c in row["changelogs"] for i in c["items"]] == ["priority"]  # the newest kept
    assert "last 1 shown" in only["text"]
    many = await tool("jira_batch_get_changelogs", {"issue_ids_or_keys": ",".join(f"DEMO-{n}" for n in range(101))})
    assert many["isError"] and "at most 100" in many["text"]


async def test_cloud_changelogs_follow_pages(jira: FakeJira, tool: Call) -> None:
    if jira.deployment != "cloud":
        pytest.skip("Cloud's bulk changelog pages")
    item = {"field": "labels", "fieldtype": "jira", "fieldId": "labels", "from": "", "fromString": "", "to": "x"}
    jira.state.issue_ops.histories["DEMO-4"] = [
        {
            "id": str(50000 + n),
            "author": "alice",
            "created": f"2026-02-01T10:{n // 60:02d}:{n % 60:02d}.000+0000",
            "items": [dict(item, toString=f"x{n}")],
        }
        for n in range(1200)
    ]
    r = await tool("jira_batch_get_changelogs", {"issue_ids_or_keys": ["DEMO-4"]})
    assert not r["isError"], r["text"]
    pages = [q for q in jira.requests if q.method == "POST" and q.path.endswith("/changelog/bulkfetch")]
    assert len(pages) == 2 and "nextPageToken" not in pages[0].json and pages[1].json["nextPageToken"]
    row = r["structuredContent"]["issues"][0]
    assert row["total"] >= 1200 and row["changelogs"][-1]["items"][0]["to"] == "x1199"


# ---------------------------------------------------------------------- comments


async def test_edit_comment(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_edit_comment",
        {
            "issue_key": "DEMO-1",
            "comment_id": "10000",
            "body": "Now **fixed**",
            "visibility": '{"type": "group", "value": "jira-developers"}',
        },
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("PUT", "/issue/DEMO-1/comment/10000").json
    assert sent["visibility"] == {"type": "group", "value": "jira-developers"}
    if jira.deployment == "cloud":
        assert sent["body"]["type"] == "doc"
    else:
        assert sent["body"] == "Now *fixed*"
    assert "Now **fixed**" in r["text"] and r["structuredContent"]["body"] == "Now **fixed**"
    assert r["structuredContent"]["visibility"]["value"] == "jira-developers"
    read = await tool("jira_get_comments", {"issue_key": "DEMO-1"})
    assert "Now **fixed**" in read["text"]
    missing = await tool("jira_edit_comment", {"issue_key": "DEMO-1", "comment_id": "999", "body": "x"})
    assert missing["isError"] and "Can not find a comment" in missing["text"]
    bad = await tool(
        "jira_edit_comment", {"issue_key": "DEMO-1", "comment_id": "10000", "body": "x", "visibility": "{}x"}
    )
    assert bad["isError"] and "visibility" in bad["text"]


async def test_add_comment_takes_the_peers_arguments(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_add_comment",
        {"issue_key": "DEMO-3", "comment": "Internal *note*", "visibility": {"type": "role", "value": "Developers"}},
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issue/DEMO-3/comment").json
    assert sent["visibility"] == {"type": "role", "value": "Developers"} and "properties" not in sent
    assert "Visible to role Developers only" in r["text"]
    internal = await tool("jira_add_comment", {"issue_key": "DEMO-3", "body": "agents only", "public": False})
    assert not internal["isError"], internal["text"]
    sent = jira.last_request("POST", "/issue/DEMO-3/comment").json
    assert sent["properties"] == [{"key": "sd.public.comment", "value": {"internal": True}}]
    assert "Internal note" in internal["text"] and internal["structuredContent"]["public"] is False


# ---------------------------------------------------------------------- links


async def test_remote_issue_link(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_create_remote_issue_link",
        {
            "issue_key": "DEMO-4",
            "url": "https://wiki.example.com/pages/42",
            "title": "Design notes",
            "summary": "Why we chose this",
            "relationship": "documentation",
            "icon_url": "https://wiki.example.com/favicon.png",
        },
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issue/DEMO-4/remotelink").json
    assert sent == {
        "object": {
            "url": "https://wiki.example.com/pages/42",
            "title": "Design notes",
            "summary": "Why we chose this",
            "icon": {"url16x16": "https://wiki.example.com/favicon.png", "title": "Design notes"},
        },
        "relationship": "documentation",
    }
    link_id = r["structuredContent"]["link_id"]
    assert link_id and f"Added link {link_id} to DEMO-4: [Design notes](https://wiki.example.com/pages/42)" in r["text"]
    assert jira.state.issue_ops.remote_links["DEMO-4"][0]["object"]["title"] == "Design notes"
    bad = await tool("jira_create_remote_issue_link", {"issue_key": "DEMO-4", "url": "not a url", "title": "x"})
    assert bad["isError"] and "url" in bad["text"]


async def test_create_link_alias_and_remove_link(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_create_issue_link",
        {
            "link_type": "Blocks",
            "inward_issue_key": "DEMO-5",
            "outward_issue_key": "DEMO-6",
            "comment": "Blocked on **this**",
            "comment_visibility": '{"type": "group", "value": "jira-users"}',
        },
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issueLink").json
    assert sent["inwardIssue"] == {"key": "DEMO-5"} and sent["outwardIssue"] == {"key": "DEMO-6"}
    assert sent["comment"]["visibility"] == {"type": "group", "value": "jira-users"}
    assert (
        (sent["comment"]["body"] == "Blocked on *this*")
        if jira.deployment == "server"
        else sent["comment"]["body"]["type"] == "doc"
    )
    assert "Comment added" in r["text"]
    link_id = jira.links[-1]["id"]
    issue = await tool("jira_get_issue", {"issue_key": "DEMO-5"})
    assert not issue["isError"]

    removed = await tool("jira_remove_issue_link", {"link_id": link_id})
    assert not removed["isError"], removed["text"]
    assert jira.last_request("DELETE", "/issueLink/").path.endswith(f"/issueLink/{link_id}")
    assert f"Removed issue link {link_id}: DEMO-5 blocks DEMO-6 no longer." in removed["text"]
    assert removed["structuredContent"]["removed"] is True and removed["structuredContent"]["link_type"] == "Blocks"
    assert not [link for link in jira.links if link["id"] == link_id]
    gone = await tool("jira_remove_issue_link", {"link_id": link_id})
    assert gone["isError"] and "404" in gone["text"] and f"No issue link with id '{link_id}'" in gone["text"]
    assert jira.requests[-1].method == "GET", "nothing is deleted when the link is unknown"


async def test_link_to_epic(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_link_to_epic", {"issue_key": "DEMO-3", "epic_key": "DEMO-10"})
    assert not r["isError"], r["text"]
    if jira.deployment == "cloud":
        assert jira.last_request("PUT", "/issue/DEMO-3").json == {"fields": {"parent": {"key": "DEMO-10"}}}
        assert jira.issues["DEMO-3"]["parent"] == "DEMO-10"
        assert r["structuredContent"]["set_as"] == "parent"
    else:
        sent = jira.last_request("POST", "/rest/agile/1.0/epic/DEMO-10/issue")
        assert sent.json == {"issues": ["DEMO-3"]} and sent.identity == "alice"
        assert jira.state.issue_ops.epic_links["DEMO-3"] == "DEMO-10"
        assert r["structuredContent"]["set_as"] == "epic link"
    assert "DEMO-3 is now in epic DEMO-10 (Billing epic: invoices and receipts)" in r["text"]
    before = len(jira.requests)
    not_epic = await tool("jira_link_to_epic", {"issue_key": "DEMO-3", "epic_key": "DEMO-4"})
    assert not_epic["isError"] and "not an epic" in not_epic["text"]
    assert [q.method for q in jira.requests[before:]] == ["GET"]


# ---------------------------------------------------------------------- the peer's names and arguments


async def test_peer_names_of_link_types_and_transitions(jira: FakeJira, tool: Call) -> None:
    types = await tool("jira_get_link_types", {"name_filter": "dup"})
    assert not types["isError"], types["text"]
    assert [t["name"] for t in types["structuredContent"]["link_types"]] == ["Duplicate"]
    assert jira.last_request("GET", "/issueLinkType").identity == "alice"
    none = await tool("jira_list_link_types", {"name_filter": "zzz"})
    assert none["structuredContent"]["link_types"] == [] and "No issue link type" in none["text"]

    r = await tool(
        "jira_transition_issue",
        {"issue_key": "DEMO-7", "transition_id": "31", "fields": '{"resolution": "Done"}', "comment": "closing"},
    )
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", "/issue/DEMO-7/transitions").json
    assert sent["transition"] == {"id": "31"} and sent["fields"] == {"resolution": {"name": "Done"}}
    assert jira.issues["DEMO-7"]["status"] == "Done"
    bad = await tool("jira_transition_issue", {"issue_key": "DEMO-7", "transition_id": "11", "fields": "[1]"})
    assert bad["isError"] and "fields must be an object" in bad["text"]


async def test_listing_shows_one_name_and_our_argument_names(jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = jira_headers(BOB, jira.deployment)
        listed = (
            await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=headers)
        ).json()
    tools = {t["name"]: t for t in listed["result"]["tools"]}
    assert "jira_link_issues" in tools and "jira_create_issue_link" not in tools and "jira_get_link_types" not in tools
    assert set(tools["jira_link_issues"]["inputSchema"]["required"]) == {"link_type", "inward_issue", "outward_issue"}
    assert tools["jira_delete_issue"]["annotations"]["destructiveHint"] is True
    assert tools["jira_remove_issue_link"]["annotations"]["destructiveHint"] is True
    assert tools["jira_batch_get_changelogs"]["annotations"]["readOnlyHint"] is True
