"""ClickUp's hierarchy and task tools end to end against the fake ClickUp: spaces, folders, lists; search
(ClickUp's filters, paging by page, a text query matched here), get (ids and custom ids, Markdown out),
create (Markdown in, statuses, priorities, people and dates by name), update (read first, before/after),
delete (read-only mode withholds it), and the errors users must understand."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.clickup import personal_token
from tests.conftest import make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, text_of, tool_caller
from tests.fakes import ClickUpUser, FakeClickUp, Fault

ANNA = ClickUpUser(81001, "Anna Admin", "anna@example.com", personal_token(81001, "anna7"))
OTTO = ClickUpUser(81002, "Otto Other", "otto@example.com", personal_token(81002, "otto3"))
SERVICE = ClickUpUser(81003, "Service Bot", "bot@example.com", personal_token(81003, "svc9"))
OWN = {"X-ClickUp-Token": ANNA.token}
AS_OTTO = {"X-ClickUp-Token": OTTO.token}
ACME = "9010101"
SPRINT = "901400001"
BUGS = "901400002"
WRITES = ("clickup_create_task", "clickup_update_task", "clickup_delete_task")
TOOLS = (
    "clickup_list_spaces",
    "clickup_list_folders",
    "clickup_list_lists",
    "clickup_search_tasks",
    "clickup_get_task",
    *WRITES,
)

Call = Any


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


@pytest.fixture
async def clickup() -> AsyncIterator[FakeClickUp]:
    fake = FakeClickUp([ANNA, OTTO, SERVICE])
    async with fake.serve():
        yield fake


@pytest.fixture
async def tool(clickup: FakeClickUp) -> AsyncIterator[Call]:
    async with (
        serve(make_settings({"CLICKUP_URL": clickup.url})) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        yield tool_caller(http, OWN)


def team_task_calls(fake: FakeClickUp) -> list[dict[str, str]]:
    return [r.query for r in fake.requests_to(f"/api/v2/team/{ACME}/task")]


# ---------------------------------------------------------------------- through the SDK, every tool


async def test_every_tool_through_a_real_mcp_client(clickup: FakeClickUp) -> None:
    async with serve(make_settings({"CLICKUP_URL": clickup.url})) as url:
        for transport in TRANSPORTS:
            async with connect(url, transport, OWN) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                spaces = await client.call_tool("clickup_list_spaces", {"workspace_id": ACME})
            assert set(TOOLS) <= names, transport
            assert not spaces.is_error and "Engineering (space_id 90110001)" in text_of(spaces), transport
        async with connect(url, "auto", OWN) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert tools["clickup_delete_task"].annotations is not None
            assert tools["clickup_delete_task"].annotations.destructive_hint is True
            assert tools["clickup_get_task"].annotations is not None
            assert tools["clickup_get_task"].annotations.read_only_hint is True
            results = {
                "folders": await client.call_tool("clickup_list_folders", {"space_id": "90110001"}),
                "lists": await client.call_tool("clickup_list_lists", {"space_id": "90110002"}),
                "search": await client.call_tool("clickup_search_tasks", {"workspace_id": ACME, "query": "redis"}),
                "get": await client.call_tool("clickup_get_task", {"task_id": "ENG-5"}),
                "create": await client.call_tool("clickup_create_task", {"list_id": SPRINT, "name": "From the SDK"}),
                "update": await client.call_tool("clickup_update_task", {"task_id": "ENG-5", "priority": "high"}),
                "delete": await client.call_tool("clickup_delete_task", {"task_id": "ENG-7"}),
            }
    for name, result in results.items():
        assert not result.is_error, (name, text_of(result))
        assert result.structured_content, name
    assert "Backend (folder_id 90130001)" in text_of(results["folders"])
    assert "Ideas (list_id 901400005)" in text_of(results["lists"])
    assert "ENG-2 Migrate sessions to Redis" in text_of(results["search"])
    assert "# ENG-5 Dark mode for the settings page" in text_of(results["get"])
    assert "Created task ENG-206 'From the SDK'" in text_of(results["create"])
    assert "priority: low → high" in text_of(results["update"])
    assert "Deleted task ENG-7 'Podcast sponsorship' (id 86b1aa007)" in text_of(results["delete"])
    assert "86b1aa007" not in clickup.tasks and clickup.tasks["86b1aa005"].priority == 2


# ---------------------------------------------------------------------- the hierarchy


async def test_spaces_folders_and_lists(clickup: FakeClickUp, tool: Call) -> None:
    spaces = await tool("clickup_list_spaces", {"workspace_id": int(ACME)})
    assert not spaces["isError"], spaces["text"]
    sent = clickup.last_request("GET", "/space")
    assert sent.path == f"/api/v2/team/{ACME}/space" and sent.query == {"archived": "false"}
    assert spaces["text"].startswith("2 spaces in workspace 9010101:")
    assert "- Engineering (space_id 90110001) — statuses: to do, in progress, in review, complete" in spaces["text"]
    assert [s["name"] for s in spaces["structuredContent"]["spaces"]] == ["Engineering", "Marketing"]

    folders = await tool("clickup_list_folders", {"space_id": "90110001"})
    assert clickup.last_request("GET", "/folder").path == "/api/v2/space/90110001/folder"
    assert "- Backend (folder_id 90130001) — Sprint 12 (list_id 901400001), Bugs (list_id 901400002)" in folders["text"]
    backend = folders["structuredContent"]["folders"][0]
    assert backend["task_count"] == 109 and [x["id"] for x in backend["lists"]] == [SPRINT, BUGS]

    lists = await tool("clickup_list_lists", {"folder_id": "90130001"})
    assert clickup.last_request("GET", "/list").path == "/api/v2/folder/90130001/list"
    assert "- Sprint 12 (list_id 901400001) — 4 tasks" in lists["text"]
    assert "- Bugs (list_id 901400002) — 105 tasks" in lists["text"]
    folderless = await tool("clickup_list_lists", {"space_id": "90110002"})
    assert clickup.last_request("GET", "/list").path == "/api/v2/space/90110002/list"
    assert folderless["text"].startswith("1 list in space 90110002 outside any folder:")
    assert folderless["structuredContent"]["lists"] == [{"id": "901400005", "name": "Ideas", "task_count": 1}]


async def test_hierarchy_arguments_and_unknown_ids(clickup: FakeClickUp, tool: Call) -> None:
    clickup.clear_requests()
    both = await tool("clickup_list_lists", {"folder_id": "90130001", "space_id": "90110001"})
    neither = await tool("clickup_list_lists", {})
    bad = await tool("clickup_list_spaces", {"workspace_id": "../team"})
    assert both["isError"] and "either folder_id" in both["text"]
    assert neither["isError"] and "either folder_id" in neither["text"]
    assert bad["isError"] and "workspace_id" in bad["text"]
    assert not clickup.requests, "nothing is sent for arguments refused"
    missing = await tool("clickup_list_folders", {"space_id": "90119999"})
    assert missing["isError"] and "ClickUp answered 404" in missing["text"] and "Space not found" in missing["text"]
    other = await tool("clickup_list_spaces", {"workspace_id": "9020202"}, AS_OTTO)
    assert other["isError"] and "Team not authorized (OAUTH_023)" in other["text"]


# ---------------------------------------------------------------------- search


async def test_search_sends_clickups_filters(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool(
        "clickup_search_tasks",
        {"workspace_id": ACME, "list_id": SPRINT, "statuses": "In  Progress", "assignee": "me"},
    )
    assert not r["isError"], r["text"]
    assert clickup.last_request("GET", f"/list/{SPRINT}").path == f"/api/v2/list/{SPRINT}"  # the List's statuses
    assert clickup.last_request("GET", "/api/v2/user").identity == "Anna Admin"  # who "me" is
    assert team_task_calls(clickup) == [
        {
            "page": "0",
            "order_by": "updated",
            "subtasks": "true",
            "include_closed": "false",
            "list_ids[]": SPRINT,
            "statuses[]": "in progress",
            "assignees[]": "81001",
        }
    ]
    assert r["text"].startswith("1 task (page 0, most recently updated first):")
    assert (
        "- ENG-1 Rate-limit the public API (id 86b1aa001) — in progress · high · due 2026-04-15 · Anna Admin"
        in (r["text"])
    )
    (row,) = r["structuredContent"]["tasks"]
    assert row["id"] == "86b1aa001" and row["custom_id"] == "ENG-1" and row["tags"] == ["backend", "api"]
    assert row["space"] == {"id": "90110001", "name": "Engineering"}
    assert row["list"] == {"id": SPRINT, "name": "Sprint 12"} and "description" not in row
    assert r["structuredContent"]["next_page"] is None


async def test_search_by_username_and_closed(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool(
        "clickup_search_tasks",
        {"workspace_id": ACME, "list_id": SPRINT, "assignee": "Otto Other", "include_closed": True},
    )
    assert team_task_calls(clickup)[-1]["assignees[]"] == "81002"
    assert team_task_calls(clickup)[-1]["include_closed"] == "true"
    ids = [t["custom_id"] for t in r["structuredContent"]["tasks"]]
    assert sorted(ids) == ["ENG-2", "ENG-3", "ENG-4"], "the closed ENG-4 and the subtask ENG-3 come too"
    open_only = await tool("clickup_search_tasks", {"workspace_id": ACME, "list_id": SPRINT, "assignee": "81002"})
    assert sorted(t["custom_id"] for t in open_only["structuredContent"]["tasks"]) == ["ENG-2", "ENG-3"]


async def test_search_pages_by_page(clickup: FakeClickUp, tool: Call) -> None:
    first = await tool("clickup_search_tasks", {"workspace_id": ACME, "list_id": BUGS, "include_closed": True})
    assert len(first["structuredContent"]["tasks"]) == 100 and first["structuredContent"]["next_page"] == 1
    assert "page=1" in first["text"] and first["text"].startswith("100 tasks (page 0,")
    assert first["structuredContent"]["tasks"][0]["name"] == "Bug 105: crash on save", "most recently updated first"
    second = await tool(
        "clickup_search_tasks", {"workspace_id": ACME, "list_id": BUGS, "include_closed": True, "page": 1}
    )
    assert team_task_calls(clickup)[-1]["page"] == "1"
    assert len(second["structuredContent"]["tasks"]) == 5 and second["structuredContent"]["next_page"] is None
    assert "More:" not in second["text"]


async def test_a_text_query_is_matched_here_over_several_pages(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_search_tasks", {"workspace_id": ACME, "query": "SLOW search", "include_closed": True})
    assert not r["isError"], r["text"]
    assert [q["page"] for q in team_task_calls(clickup)] == ["0", "1"], "112 tasks: two pages read"
    assert all("query" not in q and "search" not in q for q in team_task_calls(clickup))
    assert r["text"].startswith("35 tasks whose name or description contains 'SLOW search'")
    assert "ClickUp has no text search: passthrough matched the 112 tasks of pages 0 to 1" in r["text"]
    assert {t["name"].split(": ")[1] for t in r["structuredContent"]["tasks"]} == {"slow search"}
    body = await tool("clickup_search_tasks", {"workspace_id": ACME, "query": "token bucket"})
    assert [t["custom_id"] for t in body["structuredContent"]["tasks"]] == ["ENG-1"], "the description counts"
    none = await tool("clickup_search_tasks", {"workspace_id": ACME, "query": "no such words"})
    assert none["text"].startswith("0 tasks whose name or description contains 'no such words'")


async def test_search_refuses_what_clickup_cannot_know(clickup: FakeClickUp, tool: Call) -> None:
    status = await tool("clickup_search_tasks", {"workspace_id": ACME, "list_id": BUGS, "statuses": ["done"]})
    assert status["isError"]
    assert "List 901400002 has no status 'done'; its statuses are 'new', 'triaged', 'fixed'" in status["text"]
    who = await tool("clickup_search_tasks", {"workspace_id": ACME, "assignee": "Nobody Known"})
    assert who["isError"] and "No one in your ClickUp Workspaces is called 'Nobody Known'" in who["text"]
    page = await tool("clickup_search_tasks", {"workspace_id": ACME, "page": -1})
    assert page["isError"] and "page" in page["text"]
    assert team_task_calls(clickup) == [], "no search is sent with a status or person that does not exist"


# ---------------------------------------------------------------------- get


async def test_get_task_renders_markdown(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_get_task", {"task_id": "86b1aa001"})
    assert not r["isError"], r["text"]
    sent = clickup.last_request("GET", "/task/86b1aa001")
    assert sent.path == "/api/v2/task/86b1aa001" and sent.query == {"include_markdown_description": "true"}
    text = r["text"]
    assert text.startswith("# ENG-1 Rate-limit the public API\n")
    for line in (
        "- **Status:** in progress",
        "- **Priority:** high",
        "- **Assignees:** Anna Admin",
        "- **Due:** 2026-04-15 17:00 UTC",
        "- **Tags:** backend, api",
        "- **Where:** Engineering / Backend / Sprint 12 (list 901400001)",
        "- **Id:** 86b1aa001 (custom id ENG-1)",
        "- **URL:** https://app.clickup.com/t/86b1aa001",
        "## Description",
        "Reject callers above **100 requests a minute** with a `429`.",
        "- add a token bucket",
    ):
        assert line in text, line
    data = r["structuredContent"]
    assert data["description"].startswith("## Goal\nReject callers above **100 requests a minute**")
    assert data["due_date"] == "2026-04-15T17:00:00Z" and data["workspace_id"] == ACME
    assert data["assignees"] == [{"id": 81001, "username": "Anna Admin", "email": "anna@example.com"}]
    assert data["folder"] == {"id": "90130001", "name": "Backend"}
    folderless = await tool("clickup_get_task", {"task_id": "ENG-7"})
    assert "- **Where:** Marketing / Ideas (list 901400005)" in folderless["text"]
    assert folderless["structuredContent"]["folder"] is None


async def test_custom_task_ids(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_get_task", {"task_id": "eng-3"})
    assert not r["isError"], r["text"]
    sent = clickup.last_request("GET", "/task/")
    assert sent.path == "/api/v2/task/eng-3"
    assert sent.query == {"include_markdown_description": "true", "custom_task_ids": "true", "team_id": ACME}
    assert "- **Parent task:** 86b1aa002" in r["text"] and r["structuredContent"]["id"] == "86b1aa003"
    given = await tool("clickup_get_task", {"task_id": "ENG-3", "workspace_id": ACME}, AS_OTTO)
    assert not given["isError"] and given["structuredContent"]["custom_id"] == "ENG-3"
    clickup.clear_requests()
    missing = await tool("clickup_get_task", {"task_id": "ENG-999"})
    assert missing["isError"]
    assert "No ClickUp task has the custom id ENG-999 in your Workspaces (9010101, 9020202)" in missing["text"]
    assert [r.query.get("team_id") for r in clickup.requests_to("/task/ENG-999")] == [ACME, "9020202"]


async def test_unknown_task_and_upstream_failures(clickup: FakeClickUp, tool: Call) -> None:
    missing = await tool("clickup_get_task", {"task_id": "86b1zz999"})
    assert missing["isError"] and "ClickUp answered 404" in missing["text"]
    assert "Task not found, deleted (ITEM_013)" in missing["text"]
    clickup.clear_requests()
    bad = await tool("clickup_get_task", {"task_id": "../../team"})
    assert bad["isError"] and "task_id" in bad["text"] and not clickup.requests
    wrong = await tool("clickup_search_tasks", {"workspace_id": ACME}, {"X-ClickUp-Token": "pk_81001_" + "Z" * 32})
    assert wrong["isError"] and "Token invalid (OAUTH_025)" in wrong["text"]
    assert "did not accept the credential" in wrong["text"]
    clickup.add_fault(Fault(500, path_contains="/task/86b1aa001"))
    broken = await tool("clickup_get_task", {"task_id": "86b1aa001"})
    assert broken["isError"] and "500" in broken["text"] and "Internal server error" in broken["text"]
    reset = int(time.time()) + 45
    clickup.add_fault(
        Fault(
            429,
            {"err": "Rate limit reached", "ECODE": "APP_002"},
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
            path_contains="/folder",
        )
    )
    limited = await tool("clickup_list_folders", {"space_id": "90110001"})
    assert limited["isError"] and "ClickUp is limiting requests (429)" in limited["text"]
    assert "Retry after about" in limited["text"]


# ---------------------------------------------------------------------- create


async def test_create_task_with_everything_by_name(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool(
        "clickup_create_task",
        {
            "list_id": SPRINT,
            "name": "Ship the rate limiter",
            "description": "## Plan\n- **canary** first\n- then `all`",
            "status": "IN PROGRESS",
            "priority": "urgent",
            "assignees": ["me", "otto@example.com", 81003],
            "due_date": "2026-12-24",
            "tags": "release, Backend",
            "parent": "ENG-2",
        },
    )
    assert not r["isError"], r["text"]
    body = clickup.last_request("POST", f"/list/{SPRINT}/task").json
    assert body == {
        "name": "Ship the rate limiter",
        "markdown_content": "## Plan\n- **canary** first\n- then `all`",
        "status": "in progress",
        "priority": 1,
        "assignees": [81001, 81002, 81003],
        "due_date": ms("2026-12-24T12:00:00+00:00"),
        "due_date_time": False,
        "tags": ["release", "Backend"],
        "parent": "86b1aa002",
    }
    assert r["text"].startswith("Created task ENG-206 'Ship the rate limiter' (id 86b1cc001) in list Sprint 12")
    assert "status in progress" in r["text"] and "https://app.clickup.com/t/86b1cc001" in r["text"]
    stored = clickup.tasks["86b1cc001"]
    assert stored.markdown.startswith("## Plan") and stored.parent == "86b1aa002" and stored.priority == 1
    assert r["structuredContent"]["assignees"][1]["username"] == "Otto Other"
    assert r["structuredContent"]["space"] == {"id": "90110001", "name": "Engineering"}


async def test_create_task_minimal_and_a_timed_due_date(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool(
        "clickup_create_task",
        {"list_id": "901400006", "name": "Paint the shed", "due_date": "2026-12-24T17:30:00+01:00", "priority": 4},
    )
    assert not r["isError"], r["text"]
    body = clickup.last_request("POST", "/task").json
    assert body == {
        "name": "Paint the shed",
        "priority": 4,
        "due_date": ms("2026-12-24T16:30:00+00:00"),
        "due_date_time": True,
    }
    assert r["structuredContent"]["custom_id"] is None, "Side Projects has no custom task ids"
    assert r["structuredContent"]["status"] == "to do" and r["structuredContent"]["due_date"] == "2026-12-24T16:30:00Z"
    assert r["text"].startswith("Created task 'Paint the shed'")


async def test_create_task_refusals_send_nothing(clickup: FakeClickUp, tool: Call) -> None:
    clickup.clear_requests()
    for args, expected in (
        ({"list_id": SPRINT, "name": "x", "priority": "asap"}, "priority 'asap' is not one of urgent"),
        ({"list_id": SPRINT, "name": "x", "due_date": "next friday"}, "not an ISO 8601 date"),
        ({"list_id": SPRINT, "name": ""}, "name"),
        ({"list_id": SPRINT, "name": "x", "file_path": "/etc/passwd"}, "names a file on the server"),
    ):
        r = await tool("clickup_create_task", args)
        assert r["isError"] and expected in r["text"], (args, r["text"])
    assert not clickup.requests
    status = await tool("clickup_create_task", {"list_id": BUGS, "name": "x", "status": "in progress"})
    assert status["isError"] and "its statuses are 'new', 'triaged', 'fixed'" in status["text"]
    assert not clickup.requests_to("/task"), "no task is created with a status its List does not have"
    gone = await tool("clickup_create_task", {"list_id": "901499999", "name": "x"})
    assert gone["isError"] and "List not found" in gone["text"]


# ---------------------------------------------------------------------- update


async def test_update_reads_first_and_reports_before_and_after(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool(
        "clickup_update_task",
        {"task_id": "ENG-1", "status": "In Review", "priority": "urgent", "name": "Rate-limit the public API"},
    )
    assert not r["isError"], r["text"]
    read = clickup.last_request("GET", "/task/ENG-1")
    assert read.query["custom_task_ids"] == "true" and read.query["team_id"] == ACME
    put = clickup.last_request("PUT", "/task/")
    assert put.path == "/api/v2/task/86b1aa001" and put.query == {}, "the write goes to the task's own id"
    assert put.json == {"status": "in review", "priority": 1}, "a name that is already so is not sent"
    assert r["text"].startswith("Updated task ENG-1 'Rate-limit the public API' (id 86b1aa001):")
    assert "- status: in progress → in review" in r["text"] and "- priority: high → urgent" in r["text"]
    assert "Already as asked: name." in r["text"] and "ClickUp keeps no version number" in r["text"]
    data = r["structuredContent"]
    assert data["changes"] == {
        "status": {"before": "in progress", "after": "in review"},
        "priority": {"before": "high", "after": "urgent"},
    }
    assert data["unchanged"] == ["name"] and data["task"]["status"] == "in review"
    assert clickup.tasks["86b1aa001"].status == "in review" and clickup.tasks["86b1aa001"].priority == 1


async def test_update_description_and_clear_due_date(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool(
        "clickup_update_task", {"task_id": "86b1aa001", "description": "Now **per token**.", "due_date": "none"}
    )
    assert not r["isError"], r["text"]
    assert clickup.last_request("PUT", "/task/86b1aa001").json == {
        "markdown_content": "Now **per token**.",
        "due_date": None,
    }
    assert "- due_date: 2026-04-15T17:00:00Z → none" in r["text"]
    assert "- description: '## Goal Reject callers" in r["text"] and "→ 'Now **per token**.'" in r["text"]
    assert r["structuredContent"]["changes"]["description"]["after"] == "Now **per token**."
    assert clickup.tasks["86b1aa001"].markdown == "Now **per token**." and clickup.tasks["86b1aa001"].due_date is None
    due = await tool("clickup_update_task", {"task_id": "86b1aa001", "due_date": "2027-01-31"})
    assert clickup.last_request("PUT", "/task/86b1aa001").json == {
        "due_date": ms("2027-01-31T12:00:00+00:00"),
        "due_date_time": False,
    }
    assert "- due_date: none → 2027-01-31T12:00:00Z" in due["text"]


async def test_update_sees_what_others_changed_and_sends_nothing_needless(clickup: FakeClickUp, tool: Call) -> None:
    first = await tool("clickup_get_task", {"task_id": "86b1aa002"})
    assert first["structuredContent"]["status"] == "to do"
    clickup.tasks["86b1aa002"].status = "in review"  # someone else moves it meanwhile
    r = await tool("clickup_update_task", {"task_id": "86b1aa002", "status": "in review"})
    assert not r["isError"], r["text"]
    assert "already has status as asked; nothing was sent to ClickUp" in r["text"]
    assert not [q for q in clickup.requests if q.method == "PUT"]
    moved = await tool("clickup_update_task", {"task_id": "86b1aa002", "status": "complete"})
    assert "- status: in review → complete" in moved["text"], "before is the task as read now, not as once seen"
    assert clickup.tasks["86b1aa002"].date_closed is not None


async def test_update_refusals(clickup: FakeClickUp, tool: Call) -> None:
    nothing = await tool("clickup_update_task", {"task_id": "ENG-1"})
    assert (
        nothing["isError"] and "give at least one of name, description, status, priority, due_date" in nothing["text"]
    )
    bad_status = await tool("clickup_update_task", {"task_id": "86b1bb001", "status": "complete"})
    assert bad_status["isError"] and "List 901400002 has no status 'complete'" in bad_status["text"]
    gone = await tool("clickup_update_task", {"task_id": "86b1zz999", "name": "x"})
    assert gone["isError"] and "Task not found" in gone["text"]
    assert not [q for q in clickup.requests if q.method == "PUT"]


# ---------------------------------------------------------------------- delete and read-only


async def test_delete_task_says_what_it_deleted(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_delete_task", {"task_id": "ENG-2"})
    assert not r["isError"], r["text"]
    sent = clickup.last_request("DELETE", "/task/")
    assert sent.path == "/api/v2/task/86b1aa002" and sent.query == {} and sent.status == 204
    assert r["text"] == "Deleted task ENG-2 'Migrate sessions to Redis' (id 86b1aa002) from list Sprint 12.\n"
    assert r["structuredContent"] == {
        "deleted": True,
        "id": "86b1aa002",
        "custom_id": "ENG-2",
        "name": "Migrate sessions to Redis",
        "list": {"id": SPRINT, "name": "Sprint 12"},
    }
    assert "86b1aa002" not in clickup.tasks and "86b1aa003" not in clickup.tasks, "its subtask went with it"
    again = await tool("clickup_delete_task", {"task_id": "86b1aa002"})
    assert again["isError"] and "Task not found" in again["text"]


async def test_read_only_withholds_writes_and_sends_nothing(clickup: FakeClickUp) -> None:
    env = {"CLICKUP_URL": clickup.url, "PASSTHROUGH_READ_ONLY": "true"}
    writes = {
        "clickup_create_task": {"list_id": SPRINT, "name": "x"},
        "clickup_update_task": {"task_id": "ENG-1", "name": "x"},
        "clickup_delete_task": {"task_id": "ENG-1"},
    }
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "clickup_get_task" in names and names.isdisjoint(writes)
        for rid, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            r = (await http.post("/mcp", json=body, headers=OWN)).json()
            assert "read-only" in r["error"]["message"], name
    assert not clickup.requests, "nothing reaches ClickUp"
    assert "86b1aa001" in clickup.tasks and clickup.tasks["86b1aa001"].name == "Rate-limit the public API"


async def test_me_and_names_are_each_users_own(clickup: FakeClickUp, tool: Call) -> None:
    anna = await tool("clickup_search_tasks", {"workspace_id": ACME, "list_id": SPRINT, "assignee": "me"})
    otto = await tool("clickup_search_tasks", {"workspace_id": ACME, "list_id": SPRINT, "assignee": "me"}, AS_OTTO)
    assert [q["assignees[]"] for q in team_task_calls(clickup)] == ["81001", "81002"]
    assert [r.identity for r in clickup.requests_to("/api/v2/user")] == ["Anna Admin", "Otto Other"]
    assert {t["custom_id"] for t in anna["structuredContent"]["tasks"]} == {"ENG-1", "ENG-3"}
    assert {t["custom_id"] for t in otto["structuredContent"]["tasks"]} == {"ENG-2", "ENG-3"}
    again = await tool("clickup_search_tasks", {"workspace_id": ACME, "list_id": SPRINT, "assignee": "me"})
    assert again["structuredContent"]["tasks"] == anna["structuredContent"]["tasks"]
    assert len(clickup.requests_to("/api/v2/user")) == 2, 'who "me" is, is remembered per user'
