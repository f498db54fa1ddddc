"""Cancellation storms: hundreds of calls cancelled mid-flight, over every transport, leave every upstream usable.

Each storm sends 200 `jira_get_myself` calls at an upstream that answers in
1 s through a pool of 16 connections, and cancels them all after 0.5 s: by
client disconnect, by `notifications/cancelled`, by closing a legacy stream,
and by the SDK client giving up. Right after, another user's call must be
answered in about the upstream's own time, and the upstream must have seen it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from passthrough.http import build_app
from passthrough.http._keys import ADMISSION, LEGACY_SESSIONS
from tests.conftest import ALICE, BOB, jira_env, make_settings, serve
from tests.e2e._clients import connect
from tests.fakes import FakeJira

STORM = 200
UPSTREAM_SECONDS = 1.0
INIT = {
    "jsonrpc": "2.0",
    "id": "init",
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def call(rid: int | str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": "jira_get_myself", "arguments": {}}}


def cancelled(rid: int | str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": rid}}


async def disconnects(url: str) -> None:
    """Bare posts whose client gives up after 0.5 s and drops the connection."""
    limits = httpx.Limits(max_connections=STORM)
    async with httpx.AsyncClient(base_url=url, timeout=0.5, limits=limits) as http:

        async def one(i: int) -> None:
            try:
                await http.post("/mcp", json=call(i), headers={"X-Jira-Token": ALICE.token})
            except httpx.TimeoutException:
                pass

        await asyncio.gather(*(one(i) for i in range(STORM)))


async def streamable_cancels(url: str) -> None:
    """One Streamable session, every call cancelled by notifications/cancelled while in flight."""
    limits = httpx.Limits(max_connections=STORM + 4)
    headers = {"X-Jira-Token": ALICE.token}
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        sid = (await http.post("/mcp", json=INIT, headers=headers)).headers["Mcp-Session-Id"]
        session = {**headers, "Mcp-Session-Id": sid}
        posts = [asyncio.create_task(http.post("/mcp", json=call(i), headers=session)) for i in range(STORM)]
        await asyncio.sleep(0.5)
        notes = await asyncio.gather(*(http.post("/mcp", json=cancelled(i), headers=session) for i in range(STORM)))
        assert {n.status_code for n in notes} == {202}
        answers = await asyncio.gather(*posts)
    codes = {a.json()["error"]["code"] for a in answers if a.status_code == 200 and "error" in a.json()}
    assert -32800 in codes, "no call reported its cancellation"


async def legacy_stream_closes(url: str) -> None:
    """A legacy session with a batch of calls in flight whose stream is closed after 0.5 s."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(STORM // 32):
            async with http.stream("GET", "/sse", headers={"X-Jira-Token": ALICE.token}) as stream:
                endpoint = ""
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        endpoint = line[6:]
                        break
                batch = [call(i) for i in range(32)]
                assert (await http.post(endpoint, json=batch)).status_code == 202
                await asyncio.sleep(0.5 / (STORM // 32))
            # leaving the block closes the stream: the session ends and its work is cancelled


async def legacy_notifications(url: str) -> None:
    """A legacy session whose calls are each cancelled by notifications/cancelled."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        async with http.stream("GET", "/sse", headers={"X-Jira-Token": ALICE.token}) as stream:
            endpoint = ""
            lines = stream.aiter_lines()  # kept: a dropped line iterator closes the stream when collected
            async for line in lines:
                if line.startswith("data: "):
                    endpoint = line[6:]
                    break
            for i in range(32):
                assert (await http.post(endpoint, json=call(i))).status_code == 202
            await asyncio.sleep(0.5)
            for i in range(32):
                assert (await http.post(endpoint, json=cancelled(i))).status_code == 202


def sdk_gives_up(transport: str) -> Callable[[str], Awaitable[None]]:
    async def storm(url: str) -> None:
        async with connect(url, transport, {"X-Jira-Token": ALICE.token}) as client:
            calls = [asyncio.create_task(client.call_tool("jira_get_myself", {})) for _ in range(32)]
            await asyncio.sleep(0.5)
            for task in calls:
                task.cancel()
            await asyncio.gather(*calls, return_exceptions=True)

    return storm


STORMS: dict[str, Callable[[str], Awaitable[None]]] = {
    "client-disconnect": disconnects,
    "streamable-cancelled": streamable_cancels,
    "legacy-stream-closed": legacy_stream_closes,
    "legacy-cancelled": legacy_notifications,
    "sdk-sse": sdk_gives_up("sse"),
    "sdk-auto": sdk_gives_up("auto"),
    "sdk-2026-07-28": sdk_gives_up("2026-07-28"),
}


@pytest.fixture
async def slow_jira() -> AsyncIterator[FakeJira]:
    fake = FakeJira("server", [ALICE, BOB])
    async with fake.serve():
        yield fake


@pytest.mark.parametrize("kind", list(STORMS))
async def test_a_cancellation_storm_leaves_the_upstream_usable_for_everyone(slow_jira: FakeJira, kind: str) -> None:
    settings = make_settings(
        jira_env(slow_jira, PASSTHROUGH_FALLBACK="off"),
        upstream_max_connections=16,
        max_inflight_per_client=STORM,
        max_inflight_per_session=STORM,
    )
    app = build_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as other:
        for round_ in range(2):
            slow_jira.delay = UPSTREAM_SECONDS
            await STORMS[kind](url)
            before = len(slow_jira.requests)
            started = time.perf_counter()
            reply = await other.post("/mcp", json=call("after"), headers={"X-Jira-Token": BOB.token})
            took = time.perf_counter() - started
            body = reply.json()
            assert "result" in body, json.dumps(body)[:300]
            result = body["result"]
            assert not result["isError"], result["content"][0]["text"]
            assert result["structuredContent"]["display_name"] == BOB.display_name
            assert took < UPSTREAM_SECONDS + 2.0, f"round {round_}: the next user waited {took:.1f} s after a storm"
            assert any(r.identity == BOB.name for r in slow_jira.requests[before:]), "the upstream never saw it"
        for _ in range(100):
            if not len(app[ADMISSION]) and not len(app[LEGACY_SESSIONS]):
                break
            await asyncio.sleep(0.05)
        assert len(app[ADMISSION]) == 0, "cancelled calls left in-flight slots held"
        assert app[ADMISSION].clients() == 0
