"""Calls cancelled by their clients give back everything they held: the upstream stays usable for everyone.

Each storm cancels calls at a different point — waiting for the answer's head, waiting for a
pooled connection, waiting for the user's own turn, half-way through the body, asleep before
a retry — and then a call for another user must be answered in the upstream's own time.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from passthrough.credentials import Credential
from passthrough.providers import Answer, Upstream
from passthrough.settings import Limits
from tests.unit.test_upstream import ALICE, BOB, Seen, jira_at, loopback

UPSTREAM_SECONDS = 1.0
STORM = 200
POOL = 16
USERS = [Credential(scheme="bearer", source="header", secret=f"storm-user-{i}") for i in range(20)]


async def slow(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(UPSTREAM_SECONDS)
    return web.json_response({"name": "someone"})


async def answered_promptly(up: Upstream, fake_requests: list[Seen], who: Credential = BOB) -> float:
    """A fresh call for `who`: answered, seen by the upstream, in about the upstream's own time."""
    before = len(fake_requests)
    started = time.perf_counter()
    answer = await asyncio.wait_for(up.call("GET", "/rest/api/2/myself", credential=who), 10)
    took = time.perf_counter() - started
    assert answer.json() == {"name": "someone"}
    assert any(r.headers["Authorization"] == who.authorization() for r in fake_requests[before:]), "never arrived"
    assert took < UPSTREAM_SECONDS + 1.0, f"the next call waited {took:.1f} s"
    return took


async def storm(up: Upstream, users: list[Credential], moment: str) -> None:
    """STORM calls spread over `users`, all cancelled: at `moment`, or one by one as the answers come in."""
    calls = [
        asyncio.create_task(up.call("GET", "/rest/api/2/myself", credential=users[i % len(users)]))
        for i in range(STORM)
    ]
    if moment == "as-answers-arrive":
        await asyncio.sleep(UPSTREAM_SECONDS * 0.9)
        for task in calls:
            task.cancel()
            await asyncio.sleep(UPSTREAM_SECONDS * 0.2 / STORM)
    else:
        # "connecting": the calls have just started, opening connections; "answers-pending": all sent or queued.
        await asyncio.sleep(0 if moment == "connecting" else UPSTREAM_SECONDS / 2)
        for task in calls:
            task.cancel()
    done = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(d, asyncio.CancelledError | Answer) for d in done), {type(d).__name__ for d in done}


def assert_nothing_held(up: Upstream) -> None:
    if hasattr(up, "fair_share"):
        assert len(up.fair_share) == 0, "cancelled calls left per-user bookkeeping behind"


@pytest.mark.parametrize(
    ("moment", "users", "share"),
    [
        ("answers-pending", len(USERS), POOL),
        ("connecting", len(USERS), POOL),
        ("as-answers-arrive", len(USERS), POOL),
        ("answers-pending", 1, None),
    ],
    ids=["answers-pending", "connecting", "as-answers-arrive", "one-user-queued-for-turns"],
)
async def test_storms_of_cancelled_calls_leave_the_pool_usable(moment: str, users: int, share: int | None) -> None:
    """200 calls on a pool of 16, cancelled, three times over; each time, another user's call is answered at once."""
    async with loopback(slow) as fake:
        up = Upstream(jira_at(fake.url), Limits(upstream_max_connections=POOL, upstream_per_user_connections=share))
        try:
            for _ in range(3):
                await storm(up, USERS[:users], moment)
                assert_nothing_held(up)
                await answered_promptly(up, fake.requests)
        finally:
            await up.aclose()


async def test_cancelled_while_half_way_through_the_body() -> None:
    """Answers that stream slowly, abandoned mid-body on every pooled connection: none goes back half-read."""
    started_body = asyncio.Event()

    async def trickle(request: web.Request) -> web.StreamResponse:
        if request.path != "/trickle":
            return await slow(request)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"name": "some')
        started_body.set()
        await asyncio.sleep(30)
        return response

    async with loopback(trickle) as fake:
        up = Upstream(jira_at(fake.url), Limits(upstream_max_connections=4, upstream_per_user_connections=4))
        try:
            for _ in range(3):
                calls = [asyncio.create_task(up.call("GET", "/trickle", credential=ALICE)) for _ in range(4)]
                await asyncio.wait_for(started_body.wait(), 5)
                await asyncio.sleep(0.3)
                for task in calls:
                    task.cancel()
                await asyncio.gather(*calls, return_exceptions=True)
                started_body.clear()
                assert_nothing_held(up)
                await answered_promptly(up, fake.requests)
        finally:
            await up.aclose()


async def test_cancelled_while_asleep_before_a_retry() -> None:
    """A call asleep between a 429 and its retry holds no connection and no turn; cancelled, it leaves nothing."""
    asleep = asyncio.Event()

    async def limited(request: web.Request) -> web.StreamResponse:
        if request.path == "/limited":
            return web.Response(status=429, headers={"Retry-After": "5"})
        return await slow(request)

    async def sleep(seconds: float) -> None:
        asleep.set()
        await asyncio.sleep(seconds)

    async with loopback(limited) as fake:
        up = Upstream(
            jira_at(fake.url),
            Limits(upstream_max_connections=2, upstream_per_user_connections=2, retry_after_cap_seconds=10),
            sleep=sleep,
        )
        try:
            calls = [asyncio.create_task(up.call("GET", "/limited", credential=ALICE)) for _ in range(2)]
            await asyncio.wait_for(asleep.wait(), 5)
            await asyncio.sleep(0.2)
            # Both are asleep: the pool of 2 and Alice's share of 2 must be free meanwhile.
            await asyncio.gather(answered_promptly(up, fake.requests, ALICE), answered_promptly(up, fake.requests))
            for task in calls:
                task.cancel()
            await asyncio.gather(*calls, return_exceptions=True)
            assert_nothing_held(up)
            await answered_promptly(up, fake.requests, ALICE)
            assert sum(r.path == "/limited" for r in fake.requests) == 2, "a cancelled call was retried"
        finally:
            await up.aclose()


async def test_cancelled_while_waiting_for_a_turn_hands_the_turn_on() -> None:
    """Cancel some waiters of one user's queue: the rest still run, in order, and the table empties."""
    async with loopback(slow) as fake:
        up = Upstream(jira_at(fake.url), Limits(upstream_per_user_connections=2))
        try:
            calls = [asyncio.create_task(up.call("GET", f"/q/{i}", credential=ALICE)) for i in range(8)]
            await asyncio.sleep(0.2)
            for task in calls[2:6]:
                task.cancel()
            results = await asyncio.gather(*calls, return_exceptions=True)
            assert [isinstance(r, asyncio.CancelledError) for r in results] == [False] * 2 + [True] * 4 + [False] * 2
            paths = [r.path for r in fake.requests]
            assert sorted(paths[:2]) == ["/q/0", "/q/1"] and sorted(paths[2:]) == ["/q/6", "/q/7"]
            assert_nothing_held(up)
        finally:
            await up.aclose()
