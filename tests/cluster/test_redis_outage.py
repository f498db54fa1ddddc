"""Redis stopped under three running replicas, then started again: nothing crashes, every session goes on (each
on its own replica, and through the others at the addresses they already knew), stateless requests go on, each
replica says once, clearly, that Redis is unreachable, then that it is reachable again, and routing among all
resumes with the records written again. MONITOR over both of the server's lives holds no credential."""

from __future__ import annotations

import asyncio
import itertools
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx

from tests.cluster._harness import Cluster, cluster, cluster_users, eventually, leaked, require_tools, secret_forms
from tests.cluster._load import open_client
from tests.e2e._clients import text_of
from tests.fakes import FakeJira, JiraUser

require_tools("redis-server", "haproxy", "redis (Python package)")

VERSION = "2025-06-18"
UNREACHABLE = r"Redis at redis://127\.0\.0\.1:{port}/0 is unreachable"
REACHABLE = r"Redis at redis://127\.0\.0\.1:{port}/0 is reachable again"
ids = itertools.count(1)


def initialize() -> dict[str, Any]:
    params = {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "outage", "version": "1"}}
    return {"jsonrpc": "2.0", "id": next(ids), "method": "initialize", "params": params}


def myself() -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": next(ids), "method": "tools/call", "params": {"name": "jira_get_myself"}}


async def open_session(http: httpx.AsyncClient, url: str, user: JiraUser) -> str:
    opened = await http.post(url + "/mcp", json=initialize(), headers={"Authorization": f"Bearer {user.token}"})
    assert opened.status_code == 200, opened.text
    sid: str = opened.headers["Mcp-Session-Id"]
    done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (await http.post(url + "/mcp", json=done, headers=on(sid))).status_code == 202
    return sid


def on(sid: str) -> dict[str, str]:
    return {"Mcp-Session-Id": sid, "MCP-Protocol-Version": VERSION}


async def answers_as(http: httpx.AsyncClient, url: str, sid: str, user: JiraUser) -> None:
    """A call on session `sid` sent to `url` runs as `user` (no credential sent: the owner holds it)."""
    reply = await http.post(url + "/mcp", json=myself(), headers=on(sid))
    assert reply.status_code == 200, (url, reply.status_code, reply.text[:300])
    assert f"as {user.display_name}" in reply.json()["result"]["content"][0]["text"]


async def health(found: Cluster) -> set[str]:
    async with httpx.AsyncClient(timeout=10) as http:
        return {(await http.get(r.url + "/healthz")).json()["cluster"]["redis"] for r in found.replicas}


async def test_redis_stopped_and_started_again_under_running_replicas(tmp_path: Path) -> None:
    users = cluster_users(6, "redis")
    fake = FakeJira("server", users)
    async with (
        fake.serve(),
        cluster(tmp_path, fake, PASSTHROUGH_FALLBACK="off") as found,
        httpx.AsyncClient(timeout=15) as http,
        AsyncExitStack() as clients,
    ):
        port = found.redis.port
        # one session opened on each replica, used through every replica (so that each knows each one's address)
        own = {r.name: await open_session(http, r.url, users[i]) for i, r in enumerate(found.replicas)}
        for (i, owner), other in itertools.product(enumerate(found.replicas), found.replicas):
            await answers_as(http, other.url, own[owner.name], users[i])
        # SDK clients through HAProxy: legacy SSE and Streamable HTTP sessions, and the stateless revision
        sdk = {}
        for transport, user in zip(("sse", "legacy", "2026-07-28"), users[3:], strict=True):
            headers = {"Authorization": f"Bearer {user.token}"}
            sdk[transport] = (user, await clients.enter_async_context(open_client(found.url, transport, headers, [])))

        async def everything_answers() -> None:
            for i, owner in enumerate(found.replicas):
                for other in found.replicas:
                    await answers_as(http, other.url, own[owner.name], users[i])
            for user, client in sdk.values():
                for _ in range(6):  # twice round the balancer
                    result = await client.call_tool("jira_get_myself", {})
                    assert not result.is_error and f"as {user.display_name}" in text_of(result)

        await everything_answers()
        assert await health(found) == {"ok"}

        await found.redis.stop()
        for replica in found.replicas:
            await replica.service.output.wait_for(UNREACHABLE.format(port=port), 10)
        assert await health(found) == {"unreachable"}
        await everything_answers()
        await asyncio.sleep(3.5)  # past the lookups' cache and a renewal: the replicas ask Redis again, and fail
        await everything_answers()
        # a session no replica knows the owner of: 404 at once, as for a replica that is gone
        stranger = "0badc0de" + "0" * 32
        gone = await http.post(found.url + "/mcp", json=myself(), headers=on(stranger))
        assert gone.status_code == 404 and "initialize again" in gone.text

        await found.redis.start()
        for replica in found.replicas:
            await replica.service.output.wait_for(REACHABLE.format(port=port), 10)
        assert await health(found) == {"ok"}

        async def written_again() -> bool:  # at the next renewal
            return len(await found.redis.keys()) == len(found.replicas)

        await eventually(written_again, 10, every=0.2)
        assert await found.redis.keys() == sorted(f"passthrough:node:{r.node}" for r in found.replicas)
        await everything_answers()
        # a session opened now, used through every replica
        fresh = await open_session(http, found.replicas[0].url, users[0])
        for other in found.replicas:
            await answers_as(http, other.url, fresh, users[0])

        for replica in found.replicas:
            assert replica.service.running, f"{replica.name} exited:\n{replica.service.output.tail()}"
            lines = replica.service.output.lines
            assert len(replica.service.output.matching(UNREACHABLE.format(port=port))) == 1, "said once per outage"
            assert not [line for line in lines if "Traceback" in line or " ERROR " in line], "\n".join(lines[-30:])
    assert {r.identity for r in fake.requests} <= {u.name for u in users}
    assert leaked(found.redis.captured, secret_forms(users)) == []
    assert b'"SET" "passthrough:node:' in found.redis.captured
