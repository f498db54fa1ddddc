"""`passthrough serve --workers 2` without Redis: two processes on one port (the kernel spreads connections),
each serving the other's sessions through their socket files, and SIGTERM to the supervisor stopping them all.

Every request here goes on a connection of its own, so that the kernel chooses a worker for each."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from tests.cluster._harness import Service, cluster_users, eventually, free_port, replica_env, start_service
from tests.conftest import LISTENING
from tests.fakes import FakeJira, JiraUser

VERSION = "2025-06-18"
CALLS = 24
STARTED = (
    r"starting 2 workers on http://127\.0\.0\.1:\d+; sessions are routed among them through their sockets in (\S+)"
)
ids = itertools.count(1)


def call(key: str) -> dict[str, Any]:
    params = {"name": "jira_get_issue", "arguments": {"issue_key": key, "comment_limit": 0}}
    return {"jsonrpc": "2.0", "id": next(ids), "method": "tools/call", "params": params}


def initialize(version: str = VERSION) -> dict[str, Any]:
    params = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "workers", "version": "1"}}
    return {"jsonrpc": "2.0", "id": next(ids), "method": "initialize", "params": params}


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def carried_lines(service: Service, request: str) -> int:
    """Access lines for `request` that came over a worker's socket file: the owner's, for a request the other
    worker received and carried to it (a client's come from 127.0.0.1)."""
    return len([line for line in service.output.matching(re.escape(request)) if "127.0.0.1 " not in line])


async def stream_events(lines: AsyncIterator[str], count: int) -> list[dict[str, Any]]:
    """The next `count` JSON-RPC messages on a legacy event stream."""
    events: list[dict[str, Any]] = []
    async for line in lines:
        if line.startswith("data:") and line[5:].strip().startswith("{"):
            events.append(json.loads(line[5:]))
            if len(events) == count:
                break
    return events


async def test_two_workers_serve_each_others_sessions_and_stop_together(tmp_path: Path) -> None:
    user: JiraUser = cluster_users(1, "worker")[0]
    fake = FakeJira("server", [user])
    started: list[Service] = []
    async with fake.serve():
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = replica_env(fake, None, PASSTHROUGH_FALLBACK="off")
        argv = [sys.executable, "-m", "passthrough", "serve", "--workers", "2", "--host", "127.0.0.1"]
        try:
            supervisor, found = await start_service("supervisor", [*argv, "--port", str(port)], env, started, STARTED)
            assert found is not None
            sockets = found.group(1)
            await eventually(lambda: len(supervisor.output.matching(LISTENING)) == 2, 30)
            workers = children_of(supervisor.process.pid)
            assert len(workers) == 2
            headers = {"Authorization": f"Bearer {user.token}"}
            async with httpx.AsyncClient(timeout=15, limits=httpx.Limits(max_keepalive_connections=0)) as fresh:
                # connections reach both workers, each a node of its own, routing through socket files
                nodes: set[str] = set()
                for _ in range(64):
                    health = (await fresh.get(url + "/healthz")).json()["cluster"]
                    assert health["mode"] == "workers"
                    nodes.add(health["node"])
                    if len(nodes) == 2:
                        break
                assert len(nodes) == 2, "the kernel sent every connection to one worker"

                # Streamable HTTP: a session opened on one worker, its calls on whichever receives them
                opened = await fresh.post(url + "/mcp", json=initialize(), headers=headers)
                sid = opened.headers["Mcp-Session-Id"]
                assert sid[:8] in nodes
                on = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": VERSION}
                for n in range(CALLS):
                    reply = await fresh.post(url + "/mcp", json=call(f"DEMO-{n + 1}"), headers=on)
                    assert reply.status_code == 200, reply.text
                    assert reply.json()["result"]["content"][0]["text"].startswith(f"# DEMO-{n + 1}:")
                await eventually(lambda: carried_lines(supervisor, '"POST /mcp" 200') > 0, 5)

                # legacy SSE: the stream on one worker, the messages posted to either
                async with httpx.AsyncClient(timeout=15) as streaming:
                    async with streaming.stream("GET", url + "/sse", headers=headers) as stream:
                        lines = stream.aiter_lines()
                        endpoint = ""
                        async for line in lines:
                            if line.startswith("data:"):
                                endpoint = line[5:].strip()
                                break
                        assert endpoint.startswith("/messages?session_id=")
                        init = await fresh.post(url + endpoint, json=initialize("2024-11-05"))
                        assert init.status_code == 202
                        keys = [f"DEMO-{n + 1}" for n in range(CALLS)]
                        for key in keys:
                            assert (await fresh.post(url + endpoint, json=call(key))).status_code == 202
                        events = await stream_events(lines, CALLS + 1)
                texts = [e["result"]["content"][0]["text"] for e in events if "content" in e.get("result", {})]
                assert sorted(t.split(":", 1)[0] for t in texts) == sorted(f"# {k}" for k in keys)
                assert carried_lines(supervisor, '"POST /messages" 202') > 0
            assert {r.identity for r in fake.requests} == {user.name} and len(fake.requests) == 2 * CALLS

            # SIGTERM to the supervisor stops every worker, and it cleans up after them
            supervisor.send(signal.SIGTERM)
            assert await supervisor.exited(15) == 0
            assert not [pid for pid in workers if alive(pid)], "a worker outlived its supervisor"
            assert not Path(sockets).exists(), "the socket directory was left behind"  # noqa: ASYNC240
            async with httpx.AsyncClient(timeout=2) as late:
                try:
                    await late.get(url + "/healthz")
                except httpx.ConnectError:
                    pass
                else:
                    raise AssertionError("something still answers on the workers' port")
        finally:
            for service in started:
                await service.stop()
