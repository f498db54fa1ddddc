"""The in-flight allowance and the session tables: bounded, fair, and left clean by cancellation at any point."""

from __future__ import annotations

import asyncio

import pytest
from multidict import CIMultiDict

from passthrough.credentials import extract
from passthrough.errors import ServerBusy, SessionNotFound
from passthrough.http._admission import Admission
from passthrough.http._sessions import LegacySessions, McpSessions, Outbox


async def _hold(admission: Admission, client: str, release: asyncio.Event, n: int = 1) -> None:
    async with admission.slot(client, n):
        await release.wait()


async def test_a_client_past_its_allowance_waits_in_its_own_line_and_others_pass() -> None:
    admission = Admission(total=100, per_client=2, wait_seconds=5)
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(admission, "a", release)) for _ in range(5)]
    await asyncio.sleep(0)
    assert len(admission) == 2, "only two of a's calls run at once"
    async with admission.slot("b"):
        assert len(admission) == 3, "b is not held up by a's line"
    release.set()
    await asyncio.gather(*holders)
    assert len(admission) == 0 and admission.clients() == 0


async def test_past_the_line_is_refused_naming_the_limit() -> None:
    admission = Admission(total=100, per_client=1, wait_seconds=5)
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(admission, "a", release)) for _ in range(5)]  # 1 running + 4 waiting
    await asyncio.sleep(0)
    with pytest.raises(ServerBusy, match="PASSTHROUGH_MAX_INFLIGHT_PER_CLIENT"):
        async with admission.slot("a"):
            pass
    release.set()
    await asyncio.gather(*holders)
    assert len(admission) == 0 and admission.clients() == 0


async def test_waiting_too_long_is_refused_and_leaves_nothing_held() -> None:
    admission = Admission(total=100, per_client=1, wait_seconds=0.05)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(admission, "a", release))
    await asyncio.sleep(0)
    with pytest.raises(ServerBusy, match=r"No room within 0\.05 s"):
        async with admission.slot("a"):
            pass
    release.set()
    await holder
    assert len(admission) == 0 and admission.clients() == 0


async def test_the_whole_server_limit_holds_across_clients() -> None:
    admission = Admission(total=3, per_client=10, wait_seconds=5)
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(admission, f"c{i}", release)) for i in range(6)]
    await asyncio.sleep(0)
    assert len(admission) == 3
    release.set()
    await asyncio.gather(*holders)
    assert len(admission) == 0 and admission.clients() == 0


@pytest.mark.parametrize("cancel_at", ["waiting", "granted-not-resumed", "running"])
async def test_cancellation_at_any_point_releases_everything(cancel_at: str) -> None:
    admission = Admission(total=100, per_client=1, wait_seconds=5)
    first_release = asyncio.Event()
    first = asyncio.create_task(_hold(admission, "a", first_release))
    await asyncio.sleep(0)
    second_release = asyncio.Event()
    second = asyncio.create_task(_hold(admission, "a", second_release))
    third = asyncio.create_task(_hold(admission, "a", asyncio.Event()))
    await asyncio.sleep(0)
    if cancel_at == "waiting":
        second.cancel()
    elif cancel_at == "granted-not-resumed":
        first_release.set()
        await first  # hands the slot to `second`, which has not run since
        second.cancel()
    else:
        first_release.set()
        await first
        await asyncio.sleep(0)
        second.cancel()  # inside its slot
    await asyncio.gather(second, return_exceptions=True)
    first_release.set()
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.sleep(0)
    assert len(admission) == 1, "the slot given up went on to the next in line"
    third.cancel()
    await asyncio.gather(third, return_exceptions=True)
    assert len(admission) == 0 and admission.clients() == 0


async def test_outbox_is_bounded_in_bytes_and_ends_on_overflow() -> None:
    box = Outbox(max_bytes=10)
    assert box.put(b"12345") and box.put(b"67890")
    assert not box.put(b"x")
    assert box.overflowed and box.ended and box.size == 0
    with pytest.raises(EOFError):
        await box.get(0.01)
    fresh = Outbox(max_bytes=10)
    assert await fresh.get(0.01) is None  # nothing to send: a keepalive is due
    fresh.put(b"abc")
    assert await fresh.get(0.01) == b"abc" and fresh.size == 0


def test_legacy_sessions_are_capped_per_client_and_in_all() -> None:
    sessions = LegacySessions(max_sessions=3, per_client=2, max_inflight=4, outbox_bytes=1000)
    alice = extract(CIMultiDict({"X-Jira-Token": "alice"}))
    opened = [sessions.open(alice, "alice"), sessions.open(alice, "alice")]
    with pytest.raises(ServerBusy, match="PASSTHROUGH_MAX_SESSIONS_PER_CLIENT"):
        sessions.open(alice, "alice")
    sessions.open(extract(CIMultiDict({})), "anon")
    with pytest.raises(ServerBusy, match="PASSTHROUGH_MAX_SESSIONS"):
        sessions.open(extract(CIMultiDict({})), "other")
    sessions.close(opened[0])
    sessions.open(alice, "alice")
    sessions.close_all()
    assert len(sessions) == 0 and sessions._per_client.counts == {}


def test_streamable_sessions_expire_when_idle_and_give_way_only_to_their_own_client() -> None:
    now = [0.0]
    sessions = McpSessions(max_sessions=4, per_client=2, idle_seconds=10, max_inflight=4, clock=lambda: now[0])
    alice = extract(CIMultiDict({"X-Jira-Token": "alice"}))
    mine = sessions.open(alice, "bind-a", "alice", "2025-06-18")
    for _ in range(10):
        sessions.open(extract(CIMultiDict({})), "bind-x", "stranger", "2025-06-18")
    assert len(sessions) == 3
    found, presented = sessions.find(mine.id, extract(CIMultiDict({})), "bind-none")
    assert found is mine and presented is alice
    with pytest.raises(SessionNotFound):
        sessions.find(mine.id, extract(CIMultiDict({"X-Jira-Token": "bob"})), "bind-b")
    now[0] = 11.0
    with pytest.raises(SessionNotFound):
        sessions.find(mine.id, alice, "bind-a")
    assert mine.ended.is_set()
