"""ClickUp task comments against the fake ClickUp: what clickup_get_comments and clickup_add_comment send
(paths, paging by start/start_id, the rich `comment` runs and no `comment_text` beside them, custom task ids
resolved with custom_task_ids=true&team_id=…), what they answer (Markdown read from the runs), refusals
before anything is sent, read-only mode, and upstream errors reaching the tools."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.clickup import personal_token
from passthrough.sandbox.fakes.clickup._data import Comment, ms
from tests.conftest import make_settings, serve
from tests.e2e._clients import connect, text_of, tool_caller
from tests.fakes import ClickUpUser, FakeClickUp, Fault

ANNA = ClickUpUser(81001, "Anna Admin", "anna@example.com", personal_token(81001, "anna7"))
OTTO = ClickUpUser(81002, "Otto Other", "otto@example.com", personal_token(81002, "otto3"))
OWN = {"X-ClickUp-Token": ANNA.token}
AS_OTTO = {"X-ClickUp-Token": OTTO.token}
API = "/api/v2"
TOOLSETS = "clickup_comments"

Call = Any


@pytest.fixture
async def clickup() -> AsyncIterator[FakeClickUp]:
    fake = FakeClickUp([ANNA, OTTO])
    async with fake.serve():
        yield fake


def env(fake: FakeClickUp, **extra: str) -> dict[str, str]:
    return {"CLICKUP_URL": fake.url, "PASSTHROUGH_TOOLSETS": TOOLSETS, **extra}


@pytest.fixture
async def tool(clickup: FakeClickUp) -> AsyncIterator[Call]:
    async with serve(make_settings(env(clickup))) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield tool_caller(http, OWN)


def count(fake: FakeClickUp, method: str, path: str) -> int:
    return len([r for r in fake.requests if r.method == method and r.path == API + path])


async def test_comments_through_a_real_mcp_client(clickup: FakeClickUp) -> None:
    async with serve(make_settings(env(clickup))) as url, connect(url, "auto", OWN) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        read = await client.call_tool("clickup_get_comments", {"task_id": "86b1aa001"})
    assert {"clickup_get_comments", "clickup_add_comment"} <= names
    assert not read.is_error
    text = text_of(read)
    assert text.startswith("2 comments on task 86b1aa001, newest first:")
    assert "**Anna Admin** · 2026-03-03 11:00 UTC · comment 90090002\nPer token, like ClickUp itself does." in text
    assert text.index("90090002") < text.index("90090001"), "newest first"
    assert read.structured_content is not None
    rows = read.structured_content["comments"]
    assert [r["id"] for r in rows] == ["90090002", "90090001"]
    assert rows[1] == {
        "id": "90090001",
        "author": {"id": OTTO.id, "username": "Otto Other", "email": "otto@example.com"},
        "date": "2026-03-03T09:00:00Z",
        "markdown": "Should the limit be per token or per IP?",
        "resolved": False,
        "assignee": None,
        "reply_count": 0,
    }
    assert read.structured_content["next"] is None
    sent = clickup.last_request("GET", "/comment")
    assert sent.path == f"{API}/task/86b1aa001/comment" and sent.query == {}
    assert sent.identity == "Anna Admin"


async def test_a_markdown_comment_goes_as_rich_runs_and_reads_back(clickup: FakeClickUp, tool: Call) -> None:
    markdown = (
        "## Decision\n"
        "Per **token**, not per *IP*; see [the RFC](https://example.com/rfc) and `Retry-After`.\n\n"
        "- add a bucket\n- [x] tests\n\n"
        "```python\nlimit = 100\n```"
    )
    r = await tool("clickup_add_comment", {"task_id": "86b1aa003", "comment": markdown})
    assert not r["isError"], r["text"]
    sent = clickup.last_request("POST", "/comment")
    assert sent.path == f"{API}/task/86b1aa003/comment" and sent.query == {}
    assert "comment_text" not in sent.json, "comment_text beside the runs would be shown twice"
    assert sent.json["notify_all"] is False
    runs = sent.json["comment"]
    assert runs[0] == {"text": "Decision", "attributes": {"bold": True}}, "no heading in comments: a bold line"
    assert {"text": "token", "attributes": {"bold": True}} in runs
    assert {"text": "IP", "attributes": {"italic": True}} in runs
    assert {"text": "the RFC", "attributes": {"link": "https://example.com/rfc"}} in runs
    assert {"text": "Retry-After", "attributes": {"code": True}} in runs
    bullet = runs.index({"text": "add a bucket", "attributes": {}})
    assert runs[bullet + 1] == {"text": "\n", "attributes": {"list": {"list": "bullet"}}}
    assert {"text": "\n", "attributes": {"list": {"list": "checked"}}} in runs
    code = runs.index({"text": "limit = 100", "attributes": {}})
    assert runs[code + 1] == {"text": "\n", "attributes": {"code-block": {"code-block": "python"}}}

    new_id = r["structuredContent"]["id"]
    assert new_id.isdigit() and new_id in clickup.comments
    stored = clickup.comments[new_id]
    assert stored.task_id == "86b1aa003" and stored.user == ANNA.id
    assert stored.text.startswith("Decision\n\nPer token, not per IP; see the RFC and Retry-After.")
    assert r["text"].startswith(f"Added comment {new_id} to task 86b1aa003 at ")
    assert r["structuredContent"]["task_url"] == "https://app.clickup.com/t/86b1aa003"

    back = await tool("clickup_get_comments", {"task_id": "86b1aa003"}, AS_OTTO)
    newest = back["structuredContent"]["comments"][0]
    assert newest["id"] == new_id and newest["author"]["username"] == "Anna Admin"
    assert newest["markdown"] == (
        "**Decision**\n\n"
        "Per **token**, not per *IP*; see [the RFC](https://example.com/rfc) and `Retry-After`.\n\n"
        "- add a bucket\n- [x] tests\n\n"
        "```python\nlimit = 100\n```"
    )


async def test_notify_all_is_sent_when_asked(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_add_comment", {"task_id": "86b1aa001", "comment": "Ship it", "notify_all": True})
    assert not r["isError"] and "everyone on the task was notified" in r["text"]
    sent = clickup.last_request("POST", "/comment").json
    assert sent == {
        "comment": [{"text": "Ship it", "attributes": {}}, {"text": "\n", "attributes": {}}],
        "notify_all": True,
    }


async def test_a_custom_task_id_is_resolved_in_the_users_workspaces(clickup: FakeClickUp, tool: Call) -> None:
    r = await tool("clickup_add_comment", {"task_id": "eng-3", "comment": "Reviewed."})
    assert not r["isError"], r["text"]
    lookup = clickup.last_request("GET", "/task/eng-3")
    assert lookup.query["custom_task_ids"] == "true" and lookup.query["team_id"] == "9010101"
    posted = clickup.last_request("POST", "/comment")
    assert posted.path == f"{API}/task/86b1aa003/comment", "posted to the task the custom id names"
    assert clickup.comments[r["structuredContent"]["id"]].task_id == "86b1aa003"
    read = await tool("clickup_get_comments", {"task_id": "ENG-3"})
    assert read["text"].startswith("2 comments on task ENG-3")
    assert read["structuredContent"]["task_id"] == "86b1aa003"


async def test_older_comments_page_by_start_and_start_id(clickup: FakeClickUp, tool: Call) -> None:
    for n in range(30):  # 30 more comments on ENG-2, a minute apart
        cid = str(90095000 + n)
        clickup.comments[cid] = Comment(cid, "86b1aa002", OTTO.id, f"note {n}", ms(2026, 4, 1) + n * 60_000)
    first = await tool("clickup_get_comments", {"task_id": "86b1aa002"})
    rows = first["structuredContent"]["comments"]
    assert len(rows) == 25 and rows[0]["markdown"] == "note 29" and rows[-1]["markdown"] == "note 5"
    after = first["structuredContent"]["next"]
    assert after == {"start": ms(2026, 4, 1) + 5 * 60_000, "start_id": "90095005"}
    assert f'start={after["start"]} and start_id="90095005"' in first["text"]
    older = await tool("clickup_get_comments", {"task_id": "86b1aa002", **after})
    sent = clickup.last_request("GET", "/comment")
    assert sent.query == {"start": str(after["start"]), "start_id": "90095005"}
    assert [c["markdown"] for c in older["structuredContent"]["comments"]] == [f"note {n}" for n in range(4, -1, -1)]
    assert older["text"].startswith("5 earlier comments on task 86b1aa002")
    assert older["structuredContent"]["next"] is None


async def test_bad_arguments_are_refused_before_anything_is_sent(clickup: FakeClickUp, tool: Call) -> None:
    before = len(clickup.requests)
    bad = [
        ("clickup_add_comment", {"task_id": "86b1aa001", "comment": "   "}),
        ("clickup_add_comment", {"task_id": "86b1aa001"}),
        ("clickup_add_comment", {"task_id": "../team", "comment": "x"}),
        ("clickup_add_comment", {"task_id": "86b1aa001", "comment": "x" * 100_001}),
        ("clickup_add_comment", {"task_id": "86b1aa001", "comment": "x", "file_path": "/etc/passwd"}),
        ("clickup_get_comments", {"task_id": "86b1aa001", "start": 1}),
        ("clickup_get_comments", {"task_id": "86b1aa001", "start_id": "5"}),
        ("clickup_get_comments", {"task_id": "86b1aa001", "start": 1, "start_id": "abc"}),
    ]
    for name, args in bad:
        r = await tool(name, args)
        assert r["isError"], (name, args)
    assert len(clickup.requests) == before
    both = await tool("clickup_get_comments", {"task_id": "86b1aa001", "start": 1})
    assert "start and start_id together" in both["text"]


async def test_read_only_mode_withholds_adding_comments(clickup: FakeClickUp) -> None:
    settings = make_settings(env(clickup, PASSTHROUGH_READ_ONLY="true"))
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=OWN)).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "clickup_get_comments" in names and "clickup_add_comment" not in names
        args = {"task_id": "86b1aa001", "comment": "hello"}
        body = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "clickup_add_comment", "arguments": args},
        }
        r = (await http.post("/mcp", json=body, headers=OWN)).json()
        assert "read-only" in r["error"]["message"]
    assert not [q for q in clickup.requests if q.method == "POST"], "nothing is posted to ClickUp"


async def test_unknown_tasks_and_upstream_errors_say_what_happened(clickup: FakeClickUp, tool: Call) -> None:
    missing = await tool("clickup_get_comments", {"task_id": "zzz999"})
    assert missing["isError"] and "404" in missing["text"] and "Task not found" in missing["text"]
    custom = await tool("clickup_add_comment", {"task_id": "ENG-9999", "comment": "x"})
    assert custom["isError"] and "ENG-9999" in custom["text"]
    assert count(clickup, "POST", "/task/ENG-9999/comment") == 0
    side = await tool("clickup_get_comments", {"task_id": "86b1aa008"}, AS_OTTO)  # Anna's private workspace
    assert side["isError"] and "401" in side["text"] and "Team not authorized" in side["text"]
    wrong = await tool("clickup_get_comments", {"task_id": "86b1aa001"}, {"X-ClickUp-Token": "pk_1_" + "Q" * 32})
    assert wrong["isError"] and "Token invalid" in wrong["text"]
    clickup.add_fault(Fault(500, path_contains="/comment", method="POST"))
    failed = await tool("clickup_add_comment", {"task_id": "86b1aa001", "comment": "x"})
    assert failed["isError"] and "500" in failed["text"]
    assert count(clickup, "POST", "/task/86b1aa001/comment") == 1, "a POST is never retried"
