"""Progress and cancellation of long tool calls: `notifications/progress` for a client that sent a progressToken,
on every transport (the POST's own event stream, the legacy session stream, the stateless revision's response
stream), and a cancelled call sends its upstream nothing more."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BOB, SHARED, jira_env, make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect
from tests.e2e._resources import modern_meta
from tests.fakes import FakeJira

KEYS = [f"DEMO-{i}" for i in range(1, 21)]
HEADERS = {"X-Jira-Token": ALICE.token}
SSE = {"Accept": "application/json, text/event-stream"}
INIT = {
    "jsonrpc": "2.0",
    "id": "init",
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def changelogs(
    rid: int | str, keys: list[str], token: str | int | None = "p1", meta: dict[str, Any] | None = None
) -> Any:
    params: dict[str, Any] = {"name": "jira_batch_get_changelogs", "arguments": {"issue_ids_or_keys": ",".join(keys)}}
    extra = {**(meta or {}), **({"progressToken": token} if token is not None else {})}
    if extra:
        params["_meta"] = extra
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": params}


@pytest.fixture
async def jira() -> AsyncIterator[FakeJira]:
    fake = FakeJira("server", [ALICE, BOB, SHARED])
    async with fake.serve():
        yield fake


@pytest.fixture
async def url(jira: FakeJira) -> AsyncIterator[str]:
    async with serve(make_settings(jira_env(jira, PASSTHROUGH_FALLBACK="off"))) as found:
        yield found


def events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def check_progress(notes: list[dict[str, Any]], token: Any, total: int) -> None:
    assert notes and all(n["method"] == "notifications/progress" for n in notes)
    values = [n["params"]["progress"] for n in notes]
    assert values == sorted(values) and len(set(values)) == len(values), "progress only increases"
    assert {n["params"]["progressToken"] for n in notes} == {token}
    assert values[-1] == total and {n["params"]["total"] for n in notes} == {total}


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_sdk_client_receives_progress_on_every_transport(jira: FakeJira, url: str, transport: str) -> None:
    jira.delay = 0.02
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with connect(url, transport, HEADERS) as client:
        result = await client.call_tool(
            "jira_batch_get_changelogs", {"issue_ids_or_keys": ",".join(KEYS[:8])}, progress_callback=on_progress
        )
    assert not result.is_error
    assert [s[0] for s in seen] == [float(i) for i in range(1, 9)] and {s[1] for s in seen} == {8.0}
    assert seen[-1][2] == "8 of 8 issues read"
    assert len([r for r in jira.requests if "/issue/DEMO-" in r.path]) == 8


async def test_direct_posts_stream_progress_only_when_asked_and_accepted(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        streamed = await http.post("/mcp", json=changelogs(1, KEYS[:5]), headers={**HEADERS, **SSE})
        assert streamed.headers["content-type"].startswith("text/event-stream")
        *notes, answer = events(streamed.text)
        check_progress(notes, "p1", 5)
        assert answer["id"] == 1 and len(answer["result"]["structuredContent"]["issues"]) == 5
        plain = await http.post("/mcp", json=changelogs(2, KEYS[:5]), headers=HEADERS)
        assert plain.headers["content-type"] == "application/json" and plain.json()["id"] == 2, "no Accept: JSON"
        untokened = await http.post("/mcp", json=changelogs(3, KEYS[:5], token=None), headers={**HEADERS, **SSE})
        assert untokened.headers["content-type"] == "application/json", "no progressToken: no stream"
        quiet = {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "jira_get_myself", "arguments": {}, "_meta": {"progressToken": 7}},
        }
        single = await http.post("/mcp", json=quiet, headers={**HEADERS, **SSE})
        assert single.headers["content-type"] == "application/json", "a call that reports nothing answers as JSON"
        modern = {**HEADERS, **SSE, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call"}
        body = changelogs(5, KEYS[:4], token=9, meta=modern_meta())
        stateless = await http.post("/mcp", json=body, headers={**modern, "Mcp-Name": "jira_batch_get_changelogs"})
        assert stateless.headers["content-type"].startswith("text/event-stream")
        *notes, answer = events(stateless.text)
        check_progress(notes, 9, 4)
        assert answer["result"]["resultType"] == "complete"


async def test_batch_create_reports_each_issue_then_the_create(url: str) -> None:
    issues = [{"project_key": "DEMO", "summary": f"Progress {i}", "issue_type": "Task"} for i in range(3)]
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "jira_batch_create_issues",
            "arguments": {"issues": json.dumps(issues)},
            "_meta": {"progressToken": "b"},
        },
    }
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        reply = await http.post("/mcp", json=body, headers={**HEADERS, **SSE})
    *notes, answer = events(reply.text)
    assert [n["params"]["progress"] for n in notes] == [0, 1, 2, 3], "each issue checked, then the create"
    assert notes[-1]["params"]["message"] == "creating 3 issues" and notes[-1]["params"]["total"] == 4
    assert answer["result"]["structuredContent"]["counts"] == {"created": 3}


async def test_legacy_session_carries_progress_before_the_answer(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http, http.stream("GET", "/sse", headers=HEADERS) as sse:
        lines = sse.aiter_lines()
        endpoint = ""
        async for line in lines:
            if line.startswith("data: "):
                endpoint = line[6:]
                break
        assert (await http.post(endpoint, json=changelogs(11, KEYS[:3], token="legacy"))).status_code == 202
        got: list[dict[str, Any]] = []
        async for line in lines:
            if line.startswith("data: "):
                got.append(json.loads(line[6:]))
                if "id" in got[-1]:
                    break
    *notes, answer = got
    check_progress(notes, "legacy", 3)
    assert answer["id"] == 11 and not answer["result"]["isError"]


async def _first_progress(lines: Any) -> dict[str, Any]:
    async for line in lines:
        if line.startswith("data: "):
            message: dict[str, Any] = json.loads(line[6:])
            if message.get("method") == "notifications/progress":
                return message
    raise AssertionError("no progress before the stream ended")


async def _settled(jira: FakeJira, seconds: float) -> int:
    """How many issue reads the fake answered, once nothing more arrives for `seconds`."""
    count = -1
    while True:
        await asyncio.sleep(seconds)
        now = len([r for r in jira.requests if "/issue/DEMO-" in r.path])
        if now == count:
            return now
        count = now


@pytest.mark.parametrize("how", ["streamable-cancelled", "legacy-cancelled", "stateless-closed"])
async def test_a_cancelled_call_sends_its_upstream_nothing_more(jira: FakeJira, url: str, how: str) -> None:
    """20 issues read four at a time, 0.3 s each: cancelled at the first progress, the fake sees at most the reads
    already under way (two waves of four), and none after, however long one waits."""
    jira.delay = 0.3
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        if how == "streamable-cancelled":
            sid = (await http.post("/mcp", json=INIT, headers=HEADERS)).headers["Mcp-Session-Id"]
            session = {**HEADERS, **SSE, "Mcp-Session-Id": sid}
            async with http.stream("POST", "/mcp", json=changelogs(21, KEYS), headers=session) as call:
                lines = call.aiter_lines()
                await _first_progress(lines)
                note = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 21}}
                assert (await http.post("/mcp", json=note, headers=session)).status_code == 202
                rest = [json.loads(line[6:]) async for line in lines if line.startswith("data: ")]
            assert rest[-1] == {"jsonrpc": "2.0", "id": 21, "error": {"code": -32800, "message": "Request cancelled"}}
        elif how == "legacy-cancelled":
            async with http.stream("GET", "/sse", headers=HEADERS) as sse:
                lines = sse.aiter_lines()
                endpoint = ""
                async for line in lines:
                    if line.startswith("data: "):
                        endpoint = line[6:]
                        break
                assert (await http.post(endpoint, json=changelogs(22, KEYS))).status_code == 202
                await _first_progress(lines)
                note = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 22}}
                assert (await http.post(endpoint, json=note)).status_code == 202
                settled = await _settled(jira, 1.0)
        else:
            modern = {**HEADERS, **SSE, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call"}
            headers = {**modern, "Mcp-Name": "jira_batch_get_changelogs"}
            body = changelogs(23, KEYS, meta=modern_meta())
            async with http.stream("POST", "/mcp", json=body, headers=headers) as call:
                await _first_progress(call.aiter_lines())
            # leaving the block closes the response stream: the revision's way to cancel
    settled = await _settled(jira, 1.0)
    assert 4 <= settled <= 8, f"{settled} issue reads: the work went on after the cancel"
    await asyncio.sleep(1.0)
    assert len([r for r in jira.requests if "/issue/DEMO-" in r.path]) == settled, "a read came after the cancel"
    jira.delay = 0
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        after = await http.post("/mcp", json=changelogs(24, KEYS[:2], token=None), headers={"X-Jira-Token": BOB.token})
    assert not after.json()["result"]["isError"], "the upstream is usable for the next caller"
