"""Requests in flight, bounded for the whole server and for each client, whatever transport carries them.

A client is the keyed digest of the credential headers it sent together with
its address: the same person on two connections is one client, two people
behind one proxy are two (each has their own token), and anonymous callers
from one address share one allowance. A client past its allowance waits its
turn in a short line of its own (an honest burst is only slowed); past that
line, or after waiting too long, it is refused with an error naming the limit.
Nobody's line delays anybody else's turn.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator

from passthrough.errors import ServerBusy

_QUEUE_FACTOR = 4  # a client may have this many times its allowance waiting


class _Client:
    __slots__ = ("active", "waiting")

    def __init__(self) -> None:
        self.active = 0
        self.waiting = 0


class Admission:
    def __init__(self, total: int, per_client: int, wait_seconds: float = 30.0) -> None:
        self._total = max(1, total)
        self._per_client = max(1, per_client)
        self._wait = wait_seconds
        self._count = 0
        self._clients: dict[str, _Client] = {}
        self._line: collections.deque[tuple[_Client, int, asyncio.Future[None]]] = collections.deque()

    def __len__(self) -> int:
        return self._count

    def clients(self) -> int:
        """How many clients have something in flight or waiting (the bookkeeping never outgrows this)."""
        return len(self._clients)

    def _fits(self, state: _Client, n: int) -> bool:
        return state.active + n <= self._per_client and self._count + n <= self._total

    def _take(self, state: _Client, n: int) -> None:
        state.active += n
        self._count += n

    def _give_back(self, state: _Client, n: int) -> None:
        state.active -= n
        self._count -= n
        # Hand freed slots to waiters in arrival order; one that does not fit does not hold up the others.
        for entry in list(self._line):
            waiter, wanted, future = entry
            if future.done():
                self._line.remove(entry)
            elif self._fits(waiter, wanted):
                self._take(waiter, wanted)
                future.set_result(None)
                self._line.remove(entry)

    @contextlib.asynccontextmanager
    async def slot(self, client: str, n: int = 1) -> AsyncIterator[None]:
        """Hold `n` of the client's slots for the body of the `async with`; ServerBusy if none come in time."""
        n = min(max(1, n), self._per_client)
        state = self._clients.setdefault(client, _Client())
        try:
            if self._fits(state, n):
                self._take(state, n)
            else:
                await self._queue(state, n)
            try:
                yield
            finally:
                self._give_back(state, n)
        finally:
            if not state.active and not state.waiting and self._clients.get(client) is state:
                del self._clients[client]

    async def _queue(self, state: _Client, n: int) -> None:
        if state.waiting + n > self._per_client * _QUEUE_FACTOR or len(self._line) >= self._total * _QUEUE_FACTOR:
            raise ServerBusy(
                f"This client has {state.active} requests in flight and {state.waiting} waiting; it may have "
                f"{self._per_client} in flight (PASSTHROUGH_MAX_INFLIGHT_PER_CLIENT) and "
                f"{self._per_client * _QUEUE_FACTOR} waiting. Wait for some to finish"
            )
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (state, n, future)
        self._line.append(entry)
        state.waiting += n
        try:
            async with asyncio.timeout(self._wait):
                await future
        except BaseException as exc:
            if future.done() and not future.cancelled():
                self._give_back(state, n)  # granted just as it gave up: pass the slots on
            elif entry in self._line:
                self._line.remove(entry)
            if isinstance(exc, TimeoutError):
                raise ServerBusy(
                    f"No room within {self._wait:g} s: the server allows {self._total} requests in flight "
                    f"(PASSTHROUGH_MAX_INFLIGHT) and {self._per_client} per client "
                    "(PASSTHROUGH_MAX_INFLIGHT_PER_CLIENT); try again shortly"
                ) from None
            raise
        finally:
            state.waiting -= n
