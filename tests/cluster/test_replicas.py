"""Three replicas sharing session routing through a real redis-server, behind HAProxy in round-robin with no
stickiness: the SDK over legacy SSE, Streamable HTTP sessions and the stateless revision, many users at once,
every answer and every upstream request checked; one replica killed (or stopped) mid-run and every client
recovering with no call run twice; Redis MONITOR over the whole run holding no credential in any form."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from passthrough.credentials import new_api_key
from tests.cluster._harness import Cluster, cluster, cluster_users, leaked, require_tools, secret_forms
from tests.cluster._load import Outcome, plan, ran_at_most_once, run_client
from tests.fakes import FakeJira

require_tools("redis-server", "haproxy", "redis (Python package)")

# legacy HTTP+SSE; Streamable HTTP with a session (the initialize handshake); the stateless revision, pinned
# and as the SDK discovers it
TRANSPORTS = ("sse", "legacy", "2026-07-28", "auto")
USERS = 20
CALLS = 30
KEY_CLIENTS = 2  # anonymous clients with an X-MCP-API-Key, run as the service account


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def check_directory(found: Cluster) -> None:
    """Redis holds one record per replica, its peer address, and nothing else; each replica says so too."""
    assert await found.redis.keys() == sorted(f"passthrough:node:{r.node}" for r in found.replicas)
    for replica in found.replicas:
        assert await found.redis.command("GET", f"passthrough:node:{replica.node}") == replica.peer
    async with httpx.AsyncClient(timeout=10) as http:
        for replica in found.replicas:
            health = (await http.get(replica.url + "/healthz")).json()["cluster"]
            assert health == {"node": replica.node, "mode": "redis", "redis": "ok"}


def carried(found: Cluster, path: str) -> tuple[int, int]:
    """(requests HAProxy sent to a replica other than the session's owner, all requests naming a session) on
    `path`: the first are the ones the replicas had to carry to the owner."""
    names = {r.name: r.node for r in found.replicas}
    routes = [r for r in found.balancer.routes() if r.path == path and r.session is not None and r.method == "POST"]
    elsewhere = [r for r in routes if names[r.server] != r.session[:8].lower()]  # type: ignore[index]
    return len(elsewhere), len(routes)


async def test_twenty_users_through_a_round_robin_balancer_over_three_replicas(tmp_path: Path) -> None:
    users = cluster_users(USERS, "user")
    service = cluster_users(1, "svc")[0]
    key, digest = new_api_key()
    fake = FakeJira("server", [*users, service])
    started = time.monotonic()
    async with (
        fake.serve(),
        cluster(
            tmp_path,
            fake,
            PASSTHROUGH_FALLBACK="apikey",
            PASSTHROUGH_API_KEY_HASHES=digest,
            JIRA_PERSONAL_TOKEN=service.token,
        ) as found,
    ):
        await check_directory(found)
        runs = [
            run_client(
                found.url, bearer(u.token), Outcome(u.name, TRANSPORTS[i % 4], plan(i, u, CALLS)), call_seconds=10
            )
            for i, u in enumerate(users)
        ]
        runs += [
            run_client(
                found.url,
                {"X-MCP-API-Key": key},
                Outcome(service.name, TRANSPORTS[i % 4], plan(USERS + i, service, CALLS, label=f"key{i}")),
                call_seconds=10,
            )
            for i in range(KEY_CLIENTS)
        ]
        async with asyncio.timeout(90):
            outcomes: list[Outcome] = list(await asyncio.gather(*runs))
        ran = time.monotonic() - started
        await check_directory(found)
        messages, message_total = carried(found, "/messages")
        mcp, mcp_total = carried(found, "/mcp")
        servers = Counter(r.server for r in found.balancer.routes() if r.path != "/healthz")
        logs = found.outputs()
        balancer_log = "\n".join(found.balancer.service.output.lines) if found.balancer.service else ""
    captured = found.redis.captured

    # every call answered once, with its own content, and nothing else happened to any client
    for outcome in outcomes:
        assert not outcome.problems, (outcome.identity, outcome.transport, outcome.problems)
        assert len(outcome.answered) == CALLS and not outcome.lost and not outcome.gone, outcome
        assert outcome.opened == 1
    assert sum(len(o.answered) for o in outcomes) == (USERS + KEY_CLIENTS) * CALLS
    # every upstream request is one call's, made with the credential of the user who made the call
    assert Counter(r.identity for r in fake.requests) == {u.name: CALLS for u in users} | {
        service.name: CALLS * KEY_CLIENTS
    }
    assert ran_at_most_once(fake, outcomes) == []
    tokens = {u.name: u.token for u in [*users, service]}
    assert all(r.identity is not None and tokens[r.identity] in r.headers["authorization"] for r in fake.requests)
    # sessions were really served across replicas: HAProxy sent most of their requests to another one than the
    # owner (round-robin over three: about two in three), which carried them there
    stateful = [o for o in outcomes if o.transport in ("sse", "legacy")]
    assert all(len(o.sessions) == 1 for o in stateful)
    assert message_total >= 10 * CALLS // 2 and messages >= message_total // 3, (messages, message_total)
    assert mcp_total >= 5 * CALLS and mcp >= mcp_total // 3, (mcp, mcp_total)
    assert len(servers) == 3 and min(servers.values()) >= sum(servers.values()) // 5, servers
    # nothing secret in Redis (MONITOR saw every command: the records, and the lookups of carried sessions)
    assert b'"SET" "passthrough:node:' in captured and b'"GET" "passthrough:node:' in captured
    forms = secret_forms([*users, service], [key])
    assert leaked(captured, forms) == []
    # nor in the replicas' logs or the balancer's (the schemes' names may be logged; no credential is)
    assert leaked((logs + balancer_log).encode(), forms[2:]) == []
    print(
        f"\n{len(outcomes)} clients, {sum(len(o.answered) for o in outcomes)} calls in {ran:.1f} s (with start-up); "
        f"carried to the owner: {messages}/{message_total} legacy messages, {mcp}/{mcp_total} /mcp posts; "
        f"per replica {dict(servers)}"
    )


HELD_AT = 4  # the call before which the held clients wait for the replica to stop


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
async def test_a_replica_gone_mid_run_every_client_recovers_and_no_call_runs_twice(
    tmp_path: Path, how: signal.Signals
) -> None:
    users = cluster_users(12, "kill")
    fake = FakeJira("server", users)
    fake.delay = 0.005  # an upstream that takes a moment: calls are under way when the replica goes
    transports = ("legacy", "sse", "legacy", "2026-07-28")
    held = {u.name for i, u in enumerate(users) if i % 2 == 0}  # these wait, idle, while the replica goes
    arrived: set[str] = set()
    everyone_held = asyncio.Event()
    gone_now = asyncio.Event()

    def gate(name: str) -> Callable[[int], Awaitable[None]]:
        async def before(index: int) -> None:
            if name in held and index == HELD_AT and not gone_now.is_set():
                arrived.add(name)
                if arrived == held:
                    everyone_held.set()
                await gone_now.wait()

        return before

    outcomes = [Outcome(u.name, transports[i % len(transports)], plan(i, u, 16)) for i, u in enumerate(users)]
    async with fake.serve(), cluster(tmp_path, fake, PASSTHROUGH_FALLBACK="off") as found:
        runs = [
            asyncio.create_task(
                run_client(found.url, bearer(u.token), o, call_seconds=5, pause=0.02, before=gate(u.name))
            )
            for u, o in zip(users, outcomes, strict=True)
        ]
        async with asyncio.timeout(30):
            await everyone_held.wait()
        assert not any(r.done() for r in runs)
        # the sessions in use now; the victim: the replica that owns most of the held clients' Streamable HTTP
        # sessions (each of those must come back through a 404), while the other clients run on
        sessions_now = {o.identity: (o.transport, o.sessions[-1]) for o in outcomes if o.sessions}
        owners = Counter(s[:8] for n, (t, s) in sessions_now.items() if n in held and t == "legacy")
        victim = found.by_node(owners.most_common(1)[0][0])
        victim.service.send(how)
        stopped_at = time.monotonic()
        await victim.service.exited(15)
        took = time.monotonic() - stopped_at
        # the held clients call once the replica is gone (calls racing its end are the running clients'): a
        # moment for the others to see its connections close, far less than its record's life in Redis
        await asyncio.sleep(0.3)
        gone_now.set()
        async with asyncio.timeout(60):
            await asyncio.gather(*runs)
        survivors = {r.node for r in found.replicas if r is not victim}

    if how == signal.SIGTERM:
        # at once, though it carried event streams for the others (the SDK's GET streams): not at the graceful
        # stop's timeout
        assert took < 4, f"the replica took {took:.1f} s to stop"
    by_name = {u.name: o for u, o in zip(users, outcomes, strict=True)}
    for name, outcome in by_name.items():
        assert not outcome.problems, (name, outcome.problems)
        assert outcome.finished, (name, outcome)
        assert len(outcome.lost) <= 1, f"{name} lost more than the call under way: {outcome.lost}"
    # the clients whose session the victim held came back on another replica
    victims = [n for n, (_, s) in sessions_now.items() if s[:8] == victim.node]
    assert victims
    for name in victims:
        outcome = by_name[name]
        assert outcome.opened >= 2 and outcome.sessions[-1][:8] in survivors, (name, outcome)
    # a held client's next call on the gone replica's session was the 404 "initialize again", answered at once
    # (no wait for the record to expire), and sent again on the new session
    for name in victims:
        if name in held and sessions_now[name][0] == "legacy":
            outcome = by_name[name]
            assert [i for i, _ in outcome.gone] == [HELD_AT], (name, outcome)
            assert max(seconds for _, seconds in outcome.gone) < 3
            assert HELD_AT in outcome.answered
    assert ran_at_most_once(fake, outcomes) == []
    lost = sum(len(o.lost) for o in outcomes)
    print(
        f"\n{how.name}: {len(victims)} clients on the victim recovered; "
        f"{sum(len(o.answered) for o in outcomes)} answered, {lost} lost under way, "
        f"{sum(len(o.gone) for o in outcomes)} answered 404 and sent again; "
        f"{time.monotonic() - stopped_at:.1f} s from the stop to the end; lost: "
        + "; ".join(f"{o.identity} {o.transport} {why[:90]}" for o in outcomes for why in o.lost.values())
    )
