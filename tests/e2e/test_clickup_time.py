"""ClickUp time entries against the fake ClickUp: what clickup_add_time_entry and clickup_get_time_entries send
(the task read first for its Workspace, durations and starts in ms, the default 30-day range, filters by task,
custom task id and people), what they answer, refusals before anything is sent, read-only mode, and
upstream errors reaching the tools."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.clickup import personal_token
from passthrough.sandbox.fakes.clickup._data import ms
from tests.conftest import make_settings, serve
from tests.e2e._clients import connect, text_of, tool_caller
from tests.fakes import ClickUpUser, FakeClickUp, Fault

ANNA = ClickUpUser(81001, "Anna Admin", "anna@example.com", personal_token(81001, "anna7"))
OTTO = ClickUpUser(81002, "Otto Other", "otto@example.com", personal_token(81002, "otto3"))
OWN = {"X-ClickUp-Token": ANNA.token}
AS_OTTO = {"X-ClickUp-Token": OTTO.token}
API = "/api/v2"
ACME = "9010101"
MARCH = {"start_date": "2026-03-01", "end_date": "2026-03-31"}

Call = Any


@pytest.fixture
async def clickup() -> AsyncIterator[FakeClickUp]:
    fake = FakeClickUp([ANNA, OTTO])
    async with fake.serve():
        yield fake


def env(fake: FakeClickUp, **extra: str) -> dict[str, str]:
    return {"CLICKUP_URL": fake.url, "PASSTHROUGH_TOOLSETS": "clickup_time", **extra}


@pytest.fixture
async def tool(clickup: FakeClickUp) -> AsyncIterator[Call]:
    async with serve(make_settings(env(clickup))) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield tool_caller(http, OWN)


def posts(fake: FakeClickUp) -> list[Any]:
    return [r for r in fake.requests if r.method == "POST"]


async def test_time_tools_through_a_real_mcp_client(clickup: FakeClickUp) -> None:
    async with serve(make_settings(env(clickup))) as url, connect(url, "auto", OWN) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        logged = await client.call_tool(
            "clickup_add_time_entry",
            {"task_id": "86b1aa002", "duration": "1h 30m", "description": "dual-write", "start": "2026-03-10T14:00"},
        )
        listed = await client.call_tool("clickup_get_time_entries", {"workspace_id": ACME, **MARCH})
    assert {"clickup_add_time_entry", "clickup_get_time_entries"} <= names
    assert not logged.is_error, text_of(logged)
    assert text_of(logged) == (
        'Logged 1h 30m on task 86b1aa002 "Migrate sessions to Redis" from 2026-03-10 14:00 UTC to '
        "2026-03-10 15:30 UTC (time entry 4005 in workspace 9010101).\n"
    )
    read = clickup.last_request("GET", "/task/86b1aa002")
    assert read.query.get("custom_task_ids") is None, "a task's own id needs no workspace"
    sent = clickup.last_request("POST", "/time_entries")
    assert sent.path == f"{API}/team/{ACME}/time_entries", "the entry goes to the task's own Workspace"
    assert sent.json == {
        "tid": "86b1aa002",
        "start": ms(2026, 3, 10, 14),
        "duration": 90 * 60_000,
        "billable": False,
        "description": "dual-write",
    }
    stored = clickup.time_entries["4005"]
    assert (stored.task_id, stored.user, stored.duration) == ("86b1aa002", ANNA.id, 5_400_000)
    assert logged.structured_content is not None
    assert logged.structured_content["duration"] == "1h 30m" and logged.structured_content["end"] == (
        "2026-03-10T15:30:00Z"
    )
    assert not listed.is_error
    text = text_of(listed)
    assert text.startswith(
        "2 time entries of yours on workspace 9010101 from 2026-03-01 00:00 UTC to 2026-04-01 00:00 UTC, 3h in all:"
    )
    assert "- 2026-03-03 09:00 UTC · 1h 30m · Anna Admin · ENG-1 Rate-limit the public API — token bucket spike" in text
    assert "ENG-2 Migrate sessions to Redis — dual-write [entry 4005]" in text
    assert listed.structured_content is not None
    assert [e["id"] for e in listed.structured_content["entries"]] == ["4001", "4005"], "only Anna's, by start"
    query = clickup.last_request("GET", "/time_entries").query
    assert query == {"start_date": str(ms(2026, 3, 1, 0)), "end_date": str(ms(2026, 4, 1, 0) - 1)}, "through March 31"


async def test_durations_as_people_write_them(clickup: FakeClickUp, tool: Call) -> None:
    for written, minutes in [("90m", 90), ("1.5h", 90), ("45 min", 45), ("2h", 120), ("1 hour and 5 minutes", 65)]:
        r = await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": written, "start": "2026-12-24"})
        assert not r["isError"], r["text"]
        body = clickup.last_request("POST", "/time_entries").json
        assert body["duration"] == minutes * 60_000 and body["start"] == ms(2026, 12, 24, 0), written


async def test_start_defaults_to_the_duration_before_now_and_offsets_count(clickup: FakeClickUp, tool: Call) -> None:
    before = int(time.time() * 1000)
    r = await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "30m", "billable": True})
    after = int(time.time() * 1000)
    body = clickup.last_request("POST", "/time_entries").json
    assert before - 1_800_000 - 1000 <= body["start"] <= after - 1_800_000 and body["billable"] is True
    assert "description" not in body
    assert r["structuredContent"]["billable"] is True
    await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h", "start": "2026-03-10T09:00+01:00"})
    assert clickup.last_request("POST", "/time_entries").json["start"] == ms(2026, 3, 10, 8)


async def test_a_custom_task_id_is_found_in_the_users_workspaces(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_add_time_entry", {"task_id": "ENG-3", "duration": "20m", "start": "2026-03-05"})
    assert not r["isError"], r["text"]
    read = clickup.last_request("GET", "/task/ENG-3")
    assert read.query["custom_task_ids"] == "true" and read.query["team_id"] == ACME
    assert clickup.last_request("POST", "/time_entries").json["tid"] == "86b1aa003", "the task's own id is sent"
    listed = await tool("clickup_get_time_entries", {"workspace_id": ACME, "task_id": "ENG-3", **MARCH})
    query = clickup.last_request("GET", "/time_entries").query
    assert query["task_id"] == "ENG-3" and query["custom_task_ids"] == "true" and query["team_id"] == ACME
    assert [e["duration"] for e in listed["structuredContent"]["entries"]] == ["20m"]
    assert listed["text"].startswith("1 time entry of yours on task ENG-3")


async def test_the_default_range_is_clickups_last_30_days(clickup: FakeClickUp, tool: Call) -> None:
    empty = await tool("clickup_get_time_entries", {"workspace_id": ACME})
    assert not empty["isError"]
    assert empty["text"] == (
        "No time entries of yours on workspace 9010101 in the last 30 days (ClickUp's default range; "
        "give start_date/end_date for others).\n"
    )
    assert clickup.last_request("GET", "/time_entries").query == {}, "no dates sent: ClickUp's own default"
    assert empty["structuredContent"]["default_range"] is True and empty["structuredContent"]["entries"] == []
    await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "15m"})
    recent = await tool("clickup_get_time_entries", {"workspace_id": ACME})
    assert [e["duration"] for e in recent["structuredContent"]["entries"]] == ["15m"]


async def test_other_peoples_entries_by_name_for_an_owner_only(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_get_time_entries", {"workspace_id": ACME, "assignee": "me, Otto Other", **MARCH})
    assert not r["isError"], r["text"]
    assert clickup.last_request("GET", "/time_entries").query["assignee"] == f"{ANNA.id},{OTTO.id}"
    rows = r["structuredContent"]["entries"]
    assert [(e["id"], e["user"]["username"]) for e in rows] == [
        ("4001", "Anna Admin"),
        ("4002", "Otto Other"),
        ("4003", "Otto Other"),
    ]
    assert r["structuredContent"]["total"] == "4h 15m"
    assert "(billable)" in r["text"] and r["text"].startswith("3 time entries on workspace 9010101")
    otto = await tool("clickup_get_time_entries", {"workspace_id": ACME, "assignee": "anna@example.com"}, AS_OTTO)
    assert otto["isError"] and "401" in otto["text"] and "Team not authorized" in otto["text"]
    nobody = await tool("clickup_get_time_entries", {"workspace_id": ACME, "assignee": "Nobody Known"})
    assert nobody["isError"] and "Nobody Known" in nobody["text"]


async def test_bad_arguments_are_refused_before_anything_is_sent(clickup: FakeClickUp, tool: Call) -> None:
    bad = [
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h 30"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "2 days"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "25h"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "0m"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "-1h"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h", "start": "next tuesday"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h", "start": "2026-13-40"}),
        ("clickup_add_time_entry", {"task_id": "a/b", "duration": "1h"}),
        ("clickup_add_time_entry", {"task_id": "86b1aa001"}),
        ("clickup_get_time_entries", {"workspace_id": "acme"}),
        ("clickup_get_time_entries", {"workspace_id": ACME, "start_date": "2026-04-01", "end_date": "2026-03-01"}),
        ("clickup_get_time_entries", {"workspace_id": ACME, "content_file": "/tmp/x"}),
    ]
    for name, args in bad:
        r = await tool(name, args)
        assert r["isError"], (name, args)
    assert not clickup.requests, "nothing reaches ClickUp"
    r = await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h 30"})
    assert "hours or minutes" in r["text"]
    r = await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h", "start": "next tuesday"})
    assert "2026-12-24" in r["text"]


async def test_read_only_mode_withholds_logging_time(clickup: FakeClickUp) -> None:
    async with (
        serve(make_settings(env(clickup, PASSTHROUGH_READ_ONLY="true"))) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=OWN)).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "clickup_get_time_entries" in names and "clickup_add_time_entry" not in names
        args = {"task_id": "86b1aa001", "duration": "1h"}
        call = {"name": "clickup_add_time_entry", "arguments": args}
        r = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call})).json()
        assert "read-only" in r["error"]["message"]
    assert not clickup.requests


async def test_unknown_tasks_and_upstream_errors_say_what_happened(clickup: FakeClickUp, tool: Call) -> None:
    missing = await tool("clickup_add_time_entry", {"task_id": "zzz999", "duration": "1h"})
    assert missing["isError"] and "404" in missing["text"] and "Task not found" in missing["text"]
    assert not posts(clickup)
    unknown = await tool("clickup_get_time_entries", {"workspace_id": "9999999"})
    assert unknown["isError"] and "Team not found" in unknown["text"]
    side = await tool("clickup_get_time_entries", {"workspace_id": "9020202"}, AS_OTTO)
    assert side["isError"] and "401" in side["text"]
    reset = int(time.time()) + 40
    clickup.add_fault(
        Fault(429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}, path_contains="/time_")
    )
    limited = await tool("clickup_get_time_entries", {"workspace_id": ACME})
    assert limited["isError"] and "429" in limited["text"]
    clickup.add_fault(Fault(500, path_contains="/time_entries", method="POST"))
    failed = await tool("clickup_add_time_entry", {"task_id": "86b1aa001", "duration": "1h"})
    assert failed["isError"] and "500" in failed["text"]
    assert len(posts(clickup)) == 1, "a POST is never retried"
    assert datetime.now(UTC).year >= 2026
