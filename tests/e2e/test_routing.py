"""Session routing between processes, in one test process: two nodes that find each other through socket files
(as `serve --workers N` does) or through Redis, a session opened on one used through the other on every stateful
transport, the binding rule held across nodes, an owner gone answered 404 at once, and Redis unreachable
degrading without a crash. tests/cluster/ runs the same with real replicas, Redis and a load balancer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from passthrough.cluster import HOP, owner_of
from tests.conftest import ALICE, BOB, jira_env, jira_headers, make_settings, serve
from tests.fakes import FakeJira

VERSION = "2025-06-18"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "routing", "version": "1"}},
}
GONE = "the replica that held it is gone"


def call(n: int, key: str = "DEMO-1") -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": n,
        "method": "tools/call",
        "params": {"name": "jira_get_issue", "arguments": {"issue_key": key}},
    }


def on(sid: str, **extra: str) -> dict[str, str]:
    return {"Mcp-Session-Id": sid, "MCP-Protocol-Version": VERSION, **extra}


@contextlib.asynccontextmanager
async def two_nodes(jira: FakeJira, env: dict[str, str], **limits: float) -> AsyncIterator[tuple[str, str]]:
    async with serve(make_settings(env, **limits)) as a, serve(make_settings(env, **limits)) as b:
        yield a, b


@pytest.fixture
def sockets(tmp_path: Path) -> str:
    found = tmp_path / "nodes"
    found.mkdir(mode=0o700)
    return str(found)


async def node_of(http: httpx.AsyncClient, url: str) -> str:
    found: str = (await http.get(url + "/healthz")).json()["cluster"]["node"]
    return found


async def test_a_session_opened_on_one_node_runs_through_another_as_its_own_user(
    server_jira: FakeJira, sockets: str, all_logs: pytest.LogCaptureFixture
) -> None:
    env = jira_env(server_jira, PASSTHROUGH_WORKER_SOCKETS=sockets, PASSTHROUGH_FALLBACK="off")
    async with two_nodes(server_jira, env) as (a, b), httpx.AsyncClient(timeout=30) as http:
        opened = await http.post(a + "/mcp", json=INIT, headers=jira_headers(ALICE, "server"))
        sid = opened.headers["Mcp-Session-Id"]
        assert owner_of(sid) == await node_of(http, a) != await node_of(http, b)
        assert (await http.get(b + "/healthz")).json()["cluster"]["mode"] == "workers"
        server_jira.requests.clear()
        # no credential header at all: the owner runs it with the credential the session was opened with
        answers = await asyncio.gather(*(http.post(b + "/mcp", json=call(n), headers=on(sid)) for n in range(2, 12)))
        for reply in answers:
            assert reply.status_code == 200, reply.text
            assert reply.json()["result"]["content"][0]["text"].startswith("# DEMO-1:")
        assert len(server_jira.requests) == 10 and {r.identity for r in server_jira.requests} == {ALICE.name}
        # the same credential again is fine; another's is the 404 of the binding rule, decided by the owner
        same = await http.post(b + "/mcp", json=call(20), headers=on(sid, **jira_headers(ALICE, "server")))
        assert same.status_code == 200
        server_jira.requests.clear()
        other = await http.post(b + "/mcp", json=call(21), headers=on(sid, **jira_headers(BOB, "server")))
        assert other.status_code == 404 and "Session not found" in other.text
        assert not server_jira.requests, "Bob's message on Alice's session reached nobody upstream"
        # DELETE through b ends the session on a
        assert (await http.delete(b + "/mcp", headers=on(sid))).status_code == 204
        assert (await http.post(a + "/mcp", json=call(22), headers=on(sid))).status_code == 404
    text = "\n".join(r.getMessage() for r in all_logs.records)
    for secret in (ALICE.token, BOB.token):
        assert secret not in text, "a token in the logs of two nodes"


async def test_legacy_messages_through_another_node_answer_on_the_owners_stream(
    server_jira: FakeJira, sockets: str
) -> None:
    env = jira_env(server_jira, PASSTHROUGH_WORKER_SOCKETS=sockets, PASSTHROUGH_FALLBACK="off")
    async with two_nodes(server_jira, env) as (a, b), httpx.AsyncClient(timeout=30) as http:
        async with http.stream("GET", a + "/sse", headers=jira_headers(ALICE, "server")) as stream:
            lines = stream.aiter_lines()
            endpoint = next_data = None
            async for line in lines:
                if line.startswith("data:"):
                    endpoint = line[5:].strip()
                    break
            assert endpoint is not None and endpoint.startswith("/messages?session_id=")
            init = {**INIT, "params": {**INIT["params"], "protocolVersion": "2024-11-05"}}  # type: ignore[dict-item]
            assert (await http.post(b + endpoint, json=init)).status_code == 202
            assert (await http.post(b + endpoint, json=call(2))).status_code == 202
            seen: list[str] = []
            async for line in lines:
                if line.startswith("data:"):
                    seen.append(line[5:].strip())
                    if len(seen) == 2:
                        break
            next_data = seen[1]
        assert '"id":2' in next_data and "DEMO-1" in next_data
        assert {r.identity for r in server_jira.requests} == {ALICE.name}


async def test_a_get_stream_through_another_node_is_the_owners(server_jira: FakeJira, sockets: str) -> None:
    env = jira_env(server_jira, PASSTHROUGH_WORKER_SOCKETS=sockets)
    async with (
        two_nodes(server_jira, env, sse_keepalive_seconds=0.1) as (a, b),
        httpx.AsyncClient(timeout=30) as http,
    ):
        sid = (await http.post(a + "/mcp", json=INIT, headers=jira_headers(ALICE, "server"))).headers["Mcp-Session-Id"]
        async with http.stream("GET", b + "/mcp", headers=on(sid, Accept="text/event-stream")) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"] == "text/event-stream"
            chunks = stream.aiter_bytes()
            first = await asyncio.wait_for(anext(chunks), 5)
            assert b"keepalive" in first, "the owner's keepalives came through the other node"
            await http.delete(a + "/mcp", headers=on(sid))
            async with asyncio.timeout(5):  # the stream ends when the owner ends the session
                async for _ in chunks:
                    pass


async def test_an_owner_gone_is_404_at_once_and_a_hop_is_never_carried_again(
    server_jira: FakeJira, sockets: str
) -> None:
    env = jira_env(server_jira, PASSTHROUGH_WORKER_SOCKETS=sockets)
    async with serve(make_settings(env)) as b, httpx.AsyncClient(timeout=30) as http:
        async with serve(make_settings(env)) as a:
            sid = (await http.post(a + "/mcp", json=INIT, headers=jira_headers(ALICE, "server"))).headers[
                "Mcp-Session-Id"
            ]
            carried_once = await http.post(b + "/mcp", json=call(2), headers=on(sid, **{HOP: "someone"}))
            assert carried_once.status_code == 404 and GONE in carried_once.text, "a hop is not carried further"
        server_jira.requests.clear()
        started = asyncio.get_running_loop().time()
        gone = await http.post(b + "/mcp", json=call(3), headers=on(sid))
        assert gone.status_code == 404 and GONE in gone.json()["error"]["message"]
        assert asyncio.get_running_loop().time() - started < 2.5, "no wait for a node that is not there"
        legacy = await http.post(b + f"/messages?session_id={sid}", json=call(4))
        assert legacy.status_code == 404
        unknown = await http.post(b + "/mcp", json=call(5), headers=on("ab" * 20))
        assert unknown.status_code == 404
        assert not server_jira.requests
        # the stateless revision has no session: any node answers it
        stateless = await http.post(b + "/mcp", json=call(6), headers=jira_headers(ALICE, "server"))
        assert stateless.status_code == 200


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_redis_unreachable_degrades_with_a_clear_line_and_no_crash(
    server_jira: FakeJira, all_logs: pytest.LogCaptureFixture
) -> None:
    port = _closed_port()
    url = f"redis://:not-logged-password@127.0.0.1:{port}/0"
    env = jira_env(server_jira, PASSTHROUGH_REDIS_URL=url)
    async with two_nodes(server_jira, env) as (a, b), httpx.AsyncClient(timeout=30) as http:
        health = (await http.get(a + "/healthz")).json()["cluster"]
        assert health["mode"] == "redis" and health["redis"] == "unreachable"
        sid = (await http.post(a + "/mcp", json=INIT, headers=jira_headers(ALICE, "server"))).headers["Mcp-Session-Id"]
        own = await http.post(a + "/mcp", json=call(2), headers=on(sid))
        assert own.status_code == 200, "a session on its own node works"
        started = asyncio.get_running_loop().time()
        elsewhere = await http.post(b + "/mcp", json=call(3), headers=on(sid))
        assert elsewhere.status_code == 404 and asyncio.get_running_loop().time() - started < 3
        stateless = await http.post(b + "/mcp", json=call(4), headers=jira_headers(ALICE, "server"))
        assert stateless.status_code == 200
    lines = [r.getMessage() for r in all_logs.records if r.name == "passthrough.cluster"]
    assert any("is unreachable" in line and f"127.0.0.1:{port}" in line for line in lines)
    assert all(r.levelno <= logging.WARNING for r in all_logs.records if r.name == "passthrough.cluster")
    assert "not-logged-password" not in "\n".join(r.getMessage() for r in all_logs.records)
