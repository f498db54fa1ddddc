"""The Jira Software agile tools (boards, sprints) against the fake Jira, both deployments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.jira._agile_state import agile_of
from tests.conftest import ALICE, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira, Fault

Call = Any
AGILE = "/rest/agile/1.0"
WRITES = ("jira_create_sprint", "jira_update_sprint", "jira_add_issues_to_sprint", "jira_move_issues_to_backlog")


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


async def test_boards_filter_and_page(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_agile_boards", {})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", f"{AGILE}/board")
    assert sent.identity == "alice" and sent.query["startAt"] == "0" and sent.query["maxResults"] == "10"
    boards = r["structuredContent"]["boards"]
    assert [(b["id"], b["type"], b["project_key"]) for b in boards] == [("1", "scrum", "DEMO"), ("2", "kanban", "OPS")]
    assert "DEMO board (id 1, scrum)" in r["text"] and r["structuredContent"]["next_page_token"] is None

    r = await tool("jira_get_agile_boards", {"board_name": "kanban", "project_key": "OPS", "board_type": "Kanban"})
    sent = jira.last_request("GET", f"{AGILE}/board")
    assert sent.query["name"] == "kanban" and sent.query["type"] == "kanban" and sent.query["projectKeyOrId"] == "OPS"
    assert [b["name"] for b in r["structuredContent"]["boards"]] == ["OPS kanban"]

    first = await tool("jira_get_agile_boards", {"limit": 1})
    token = first["structuredContent"]["next_page_token"]
    assert token == "1" and f'page_token="{token}"' in first["text"]
    second = await tool("jira_get_agile_boards", {"limit": 1, "page_token": token})
    assert jira.last_request("GET", f"{AGILE}/board").query["startAt"] == "1"
    assert [b["id"] for b in second["structuredContent"]["boards"]] == ["2"]
    assert second["structuredContent"]["next_page_token"] is None


async def test_board_issues_narrowed_by_jql(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_board_issues", {"board_id": "1", "jql": "status = 'In Progress'", "limit": 3})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", f"{AGILE}/board/1/issue")
    assert sent.identity == "alice" and sent.query["jql"] == "status = 'In Progress'"
    assert sent.query["maxResults"] == "3" and "sprint" in sent.query["fields"].split(",")
    issues = r["structuredContent"]["issues"]
    assert len(issues) == 3 and all(i["status"] == "In Progress" and i["project"] == "DEMO" for i in issues)
    assert issues[0]["key"] == "DEMO-2" and issues[0]["sprint"] == "DEMO Sprint 2"
    assert "DEMO-2 [In Progress]" in r["text"] and "sprint DEMO Sprint 2" in r["text"]
    total = r["structuredContent"]["total"]
    assert total > 3 and r["structuredContent"]["next_page_token"] == "3" and f"3 of {total} issues" in r["text"]

    more = await tool(
        "jira_get_board_issues",
        {"board_id": 1, "jql": "", "start_at": 0, "page_token": "2", "fields": "description", "limit": 1},
    )
    sent = jira.last_request("GET", f"{AGILE}/board/1/issue")
    assert sent.query["startAt"] == "2" and "description" in sent.query["fields"]
    row = more["structuredContent"]["issues"][0]
    assert row["key"] == "DEMO-3" and "## Context" in row["fields"]["description"]


async def test_unknown_board_is_said(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_board_issues", {"board_id": "99", "jql": "status = Done"})
    assert r["isError"] and "404" in r["text"] and "board" in r["text"]
    bad = await tool("jira_get_board_issues", {"board_id": "../issue", "jql": ""})
    assert bad["isError"] and "board_id" in bad["text"]
    assert not jira.requests_to("/issue?")


async def test_a_jira_without_jira_software_is_said(jira: FakeJira, tool: Call) -> None:
    missing = {"errorMessages": [f"null for uri: {jira.url}{AGILE}/board/1/sprint"], "errors": {}}
    jira.add_fault(Fault(404, missing, path_contains=f"{AGILE}/board", times=2))
    for name, args in (("jira_get_sprints_from_board", {"board_id": "1"}), ("jira_get_agile_boards", {})):
        r = await tool(name, args)
        assert r["isError"] and "no Jira Software" in r["text"] and "null for uri" not in r["text"], name


async def test_sprints_from_board_by_state(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_sprints_from_board", {"board_id": "1"})
    assert not r["isError"], r["text"]
    assert "state" not in jira.last_request("GET", f"{AGILE}/board/1/sprint").query
    sprints = r["structuredContent"]["sprints"]
    assert [(s["id"], s["state"]) for s in sprints] == [("1", "closed"), ("2", "active"), ("3", "future")]
    assert sprints[1]["start_date"].startswith("2026-01-19") and sprints[1]["goal"]
    assert "DEMO Sprint 2 (id 2, active) 2026-01-19 → 2026-02-02" in r["text"]

    r = await tool("jira_get_sprints_from_board", {"board_id": "1", "state": "Active, future", "limit": 1})
    sent = jira.last_request("GET", f"{AGILE}/board/1/sprint")
    assert sent.query["state"] == "active,future" and sent.query["maxResults"] == "1"
    assert [s["name"] for s in r["structuredContent"]["sprints"]] == ["DEMO Sprint 2"]
    assert r["structuredContent"]["next_page_token"] == "1"

    kanban = await tool("jira_get_sprints_from_board", {"board_id": "2"})
    assert kanban["isError"] and "does not support sprints" in kanban["text"]
    bad = await tool("jira_get_sprints_from_board", {"board_id": "1", "state": "open"})
    assert bad["isError"] and "state" in bad["text"]


async def test_sprint_issues(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_sprint_issues", {"sprint_id": "2", "limit": 50})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", f"{AGILE}/sprint/2/issue")
    assert sent.identity == "alice" and "jql" not in sent.query
    keys = [i["key"] for i in r["structuredContent"]["issues"]]
    assert keys == ["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-5", "DEMO-7", "DEMO-8", "DEMO-25"]
    assert f"{len(keys)} of {len(keys)} issues in sprint 2" in r["text"]

    closed = await tool("jira_get_sprint_issues", {"sprint_id": "1", "jql": "assignee is EMPTY"})
    assert jira.last_request("GET", f"{AGILE}/sprint/1/issue").query["jql"] == "assignee is EMPTY"
    assert [i["key"] for i in closed["structuredContent"]["issues"]] == ["DEMO-3", "DEMO-6"]

    missing = await tool("jira_get_sprint_issues", {"sprint_id": "404"})
    assert missing["isError"] and "404" in missing["text"] and "Sprint with id 404" in missing["text"]


async def test_create_sprint_sends_iso_dates(jira: FakeJira, tool: Call) -> None:
    args = {
        "board_id": "1",
        "name": "DEMO Sprint 4",
        "start_date": "2026-03-02T09:00:00+01:00",
        "end_date": "2026-03-16",
        "goal": "Close the billing epic",
    }
    r = await tool("jira_create_sprint", args)
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", f"{AGILE}/sprint")
    assert sent.identity == "alice"
    assert sent.json == {
        "name": "DEMO Sprint 4",
        "originBoardId": 1,
        "startDate": "2026-03-02T09:00:00.000+01:00",
        "endDate": "2026-03-16T00:00:00.000+00:00",
        "goal": "Close the billing epic",
    }
    sprint = r["structuredContent"]["sprint"]
    assert (
        sprint["state"] == "future" and sprint["board_id"] == "1" and sprint["start_date"].startswith("2026-03-02T08")
    )
    assert f"Created sprint DEMO Sprint 4 (id {sprint['id']}, future) on board 1" in r["text"]
    assert agile_of(jira.state).sprints[int(sprint["id"])]["goal"] == "Close the billing epic"

    listed = await tool("jira_get_sprints_from_board", {"board_id": "1", "state": "future"})
    assert [s["name"] for s in listed["structuredContent"]["sprints"]] == ["DEMO Sprint 3", "DEMO Sprint 4"]


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("next monday", "2026-03-16", "ISO 8601"),
        ("2026-03-02", "2026-13-01", "ISO 8601"),
        ("2026-03-16", "2026-03-02", "end_date must be after start_date"),
    ],
)
async def test_create_sprint_refuses_bad_dates(jira: FakeJira, tool: Call, start: str, end: str, said: str) -> None:
    r = await tool("jira_create_sprint", {"board_id": "1", "name": "S", "start_date": start, "end_date": end})
    assert r["isError"] and said in r["text"]
    assert not jira.requests_to(f"{AGILE}/sprint")


async def test_create_sprint_on_a_kanban_board_is_refused_upstream(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_create_sprint", {"board_id": "2", "name": "S", "start_date": "2026-03-02", "end_date": "2026-03-09"}
    )
    assert r["isError"] and "400" in r["text"] and "does not support sprints" in r["text"]


async def test_update_sprint_starts_and_closes(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_update_sprint", {"sprint_id": "2", "state": "closed"})
    assert not r["isError"], r["text"]
    assert jira.last_request("POST", f"{AGILE}/sprint/2").json == {"state": "closed"}
    assert r["structuredContent"]["sprint"]["state"] == "closed" and r["structuredContent"]["sprint"]["complete_date"]
    assert "Updated sprint DEMO Sprint 2 (id 2): state." in r["text"]
    assert "DEMO-1" not in agile_of(jira.state).sprint_of  # unfinished issues went back to the backlog

    early = await tool("jira_update_sprint", {"sprint_id": "3", "state": "active"})
    assert early["isError"] and "start date" in early["text"]
    started = await tool(
        "jira_update_sprint",
        {
            "sprint_id": "3",
            "state": "Active",
            "name": "DEMO Sprint 3 (billing)",
            "start_date": "2026-02-02T09:00:00Z",
            "end_date": "2026-02-16T09:00:00Z",
            "goal": "Invoices",
        },
    )
    assert not started["isError"], started["text"]
    assert jira.last_request("POST", f"{AGILE}/sprint/3").json == {
        "name": "DEMO Sprint 3 (billing)",
        "state": "active",
        "startDate": "2026-02-02T09:00:00.000+00:00",
        "endDate": "2026-02-16T09:00:00.000+00:00",
        "goal": "Invoices",
    }
    row = started["structuredContent"]["sprint"]
    assert row["state"] == "active" and row["name"] == "DEMO Sprint 3 (billing)" and row["goal"] == "Invoices"
    assert started["structuredContent"]["updated"] == ["endDate", "goal", "name", "startDate", "state"]


async def test_update_sprint_needs_something_valid(jira: FakeJira, tool: Call) -> None:
    nothing = await tool("jira_update_sprint", {"sprint_id": "3"})
    assert nothing["isError"] and "at least one of" in nothing["text"]
    state = await tool("jira_update_sprint", {"sprint_id": "3", "state": "done"})
    assert state["isError"] and "state" in state["text"]
    dates = await tool("jira_update_sprint", {"sprint_id": "3", "start_date": "2026-02-10", "end_date": "2026-02-01"})
    assert dates["isError"] and "end_date must be after start_date" in dates["text"]
    assert not jira.requests_to(f"{AGILE}/sprint/3")
    future = await tool("jira_update_sprint", {"sprint_id": "3", "state": "closed"})
    assert future["isError"] and "future to closed" in future["text"]


async def test_a_closed_sprint_keeps_its_state_and_dates(jira: FakeJira, tool: Call) -> None:
    args = {"sprint_id": "1", "state": "active", "start_date": "2026-01-06", "goal": "Shipped the login rework"}
    r = await tool("jira_update_sprint", args)
    assert jira.last_request("POST", f"{AGILE}/sprint/1").json["state"] == "active"
    if jira.deployment == "server":  # Server/DC refuses any update of a closed sprint
        assert r["isError"] and "closed state cannot be updated" in r["text"]
        assert agile_of(jira.state).sprints[1]["goal"] == "Ship the login rework"
        return
    assert not r["isError"], r["text"]  # Cloud changes its name and goal only, and ignores the rest
    assert r["structuredContent"]["ignored"] == ["state", "start_date"]
    assert r["structuredContent"]["sprint"]["goal"] == "Shipped the login rework"
    assert "Jira left state, start_date as they were: a closed sprint changes only its name and goal." in r["text"]


async def test_add_issues_to_sprint(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_add_issues_to_sprint", {"sprint_id": "3", "issue_keys": "demo-20, DEMO-21,DEMO-20"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", f"{AGILE}/sprint/3/issue")
    assert sent.identity == "alice" and sent.json == {"issues": ["DEMO-20", "DEMO-21"]}
    assert r["structuredContent"] == {"sprint_id": "3", "issue_keys": ["DEMO-20", "DEMO-21"]}
    assert "Moved 2 issue(s) to sprint 3: DEMO-20, DEMO-21." in r["text"]
    assert agile_of(jira.state).sprint_of["DEMO-20"] == 3

    closed = await tool("jira_add_issues_to_sprint", {"sprint_id": "1", "issue_keys": "DEMO-20"})
    assert closed["isError"] and "closed sprint" in closed["text"]
    bad = await tool("jira_add_issues_to_sprint", {"sprint_id": "3", "issue_keys": "DEMO-1, not a key"})
    assert bad["isError"] and "'NOT' is not an issue key" in bad["text"]
    many = ",".join(f"DEMO-{n}" for n in range(1, 52))
    too_many = await tool("jira_add_issues_to_sprint", {"sprint_id": "3", "issue_keys": many})
    assert too_many["isError"] and "at most 50" in too_many["text"]
    assert len(jira.requests_to(f"{AGILE}/sprint/")) == 2


async def test_move_issues_to_backlog(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_move_issues_to_backlog", {"issue_keys": "DEMO-1,DEMO-2"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("POST", f"{AGILE}/backlog/issue")
    assert sent.identity == "alice" and sent.json == {"issues": ["DEMO-1", "DEMO-2"]}
    assert r["structuredContent"] == {"issue_keys": ["DEMO-1", "DEMO-2"]}
    assert "Moved 2 issue(s) to the backlog: DEMO-1, DEMO-2." in r["text"]
    left = await tool("jira_get_sprint_issues", {"sprint_id": "2", "limit": 50})
    assert {"DEMO-1", "DEMO-2"}.isdisjoint(i["key"] for i in left["structuredContent"]["issues"])
    missing = await tool("jira_move_issues_to_backlog", {"issue_keys": "DEMO-999"})
    assert missing["isError"] and "DEMO-999" in missing["text"]


async def test_read_only_mode_withholds_the_agile_writes(server_jira: FakeJira) -> None:
    env = jira_env(server_jira, PASSTHROUGH_READ_ONLY="true")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "jira_get_sprints_from_board" in names and names.isdisjoint(WRITES)
        arguments = {
            "jira_create_sprint": {"board_id": "1", "name": "S", "start_date": "2026-03-02", "end_date": "2026-03-09"},
            "jira_update_sprint": {"sprint_id": "2", "state": "closed"},
            "jira_add_issues_to_sprint": {"sprint_id": "3", "issue_keys": "DEMO-20"},
            "jira_move_issues_to_backlog": {"issue_keys": "DEMO-1"},
        }
        for n, (name, args) in enumerate(arguments.items(), start=2):
            body = {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {"name": name, "arguments": args}}
            reply = (await http.post("/mcp", json=body, headers=jira_headers(ALICE, "server"))).json()
            assert "read-only" in reply["error"]["message"], name
    assert not [q for q in server_jira.requests if q.method != "GET"]
    assert not server_jira.requests_to(AGILE)


async def test_annotations(server_jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(server_jira))) as url, httpx.AsyncClient(base_url=url) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t for t in listed["result"]["tools"]}
    assert tools["jira_get_agile_boards"]["annotations"]["readOnlyHint"]
    assert not tools["jira_create_sprint"]["annotations"]["destructiveHint"]
    for name in ("jira_update_sprint", "jira_add_issues_to_sprint", "jira_move_issues_to_backlog"):
        assert tools[name]["annotations"]["destructiveHint"] and tools[name]["annotations"]["idempotentHint"]
    schema = tools["jira_get_board_issues"]["inputSchema"]
    assert {"board_id", "jql", "fields", "start_at", "limit", "expand"} <= set(schema["properties"])
    assert schema["required"] == ["board_id", "jql"]
    assert tools["jira_add_issues_to_sprint"]["inputSchema"]["properties"]["issue_keys"]["type"] == "string"
