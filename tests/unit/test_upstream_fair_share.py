"""One user's many calls to a slow upstream do not make another user wait."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from passthrough.errors import UpstreamUnavailable
from passthrough.providers import Upstream
from passthrough.settings import Limits
from tests.unit.test_upstream import ALICE, BOB, jira_at, loopback

UPSTREAM_SECONDS = 1.0


async def slow(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(UPSTREAM_SECONDS)
    return web.json_response({"path": request.path})


async def test_a_busy_user_holds_only_a_share_and_another_user_is_answered_at_once() -> None:
    async with loopback(slow) as fake:
        up = Upstream(jira_at(fake.url), Limits(upstream_max_connections=16))  # a share: 16 // 4 = 4
        try:
            flood = [asyncio.create_task(up.call("GET", f"/a/{i}", credential=ALICE)) for i in range(64)]
            await asyncio.sleep(0.1)
            started = time.perf_counter()
            answer = await up.call("GET", "/b", credential=BOB)
            took = time.perf_counter() - started
            assert answer.json() == {"path": "/b"}
            assert took < UPSTREAM_SECONDS + 0.5, f"Bob waited {took:.1f} s behind Alice"
            assert sum(not task.done() for task in flood) >= 56, "Alice's calls were not queued"
            assert fake.peak[ALICE.authorization()] == 4
            for task in flood:
                task.cancel()
            await asyncio.gather(*flood, return_exceptions=True)
            assert len(up.fair_share) == 0
        finally:
            await up.aclose()


async def test_a_users_queue_runs_in_order_within_the_share() -> None:
    async with loopback(slow) as fake:
        up = Upstream(jira_at(fake.url), Limits(upstream_per_user_connections=3))
        try:
            started = time.perf_counter()
            results = await asyncio.gather(*(up.call("GET", f"/a/{i}", credential=ALICE) for i in range(7)))
            took = time.perf_counter() - started
        finally:
            await up.aclose()
    assert [r.json()["path"] for r in results] == [f"/a/{i}" for i in range(7)]
    assert fake.peak[ALICE.authorization()] == 3
    assert 3 * UPSTREAM_SECONDS - 0.1 < took < 3 * UPSTREAM_SECONDS + 1.0  # three rounds of at most three
    assert sorted(r.path for r in fake.requests[:3]) == ["/a/0", "/a/1", "/a/2"]
    assert len(up.fair_share) == 0


async def test_waiting_for_a_turn_counts_against_the_deadline() -> None:
    async with loopback(slow) as fake:
        up = Upstream(jira_at(fake.url), Limits(upstream_per_user_connections=1, upstream_deadline_seconds=1.5))
        try:
            first = asyncio.create_task(up.call("GET", "/first", credential=ALICE))
            await asyncio.sleep(0.05)
            second = asyncio.create_task(up.call("GET", "/second", credential=ALICE))
            assert (await first).json() == {"path": "/first"}
            try:
                await second
            except UpstreamUnavailable as exc:
                assert "1.5 s deadline" in exc.message
            else:
                raise AssertionError("the second call outlived its deadline")
            assert len(up.fair_share) == 0
        finally:
            await up.aclose()
