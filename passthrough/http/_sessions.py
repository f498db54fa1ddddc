"""Session state for the two stateful transports, bounded in count (in all and per client) and in work.

A session holds the credential headers of the request that opened it, in
memory only and for as long as it lives, because a later message may carry no
credential header at all and must then run as the session's user (CONTRACT §4).
Sessions are never evicted to make room for someone else: when the server is
full a newcomer is refused, and a client at its own cap gives up its own least
recently used Streamable session (legacy sessions end with their streams).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any

from passthrough.credentials import Presented
from passthrough.errors import ServerBusy, SessionNotFound

_NOT_FOUND = "Session not found: it ended, expired, or belongs to another credential"


def _new_id(node: str) -> str:
    """A session id: the owning node's id (passthrough/cluster), then 128 random bits."""
    return node + secrets.token_hex(16)


class _Work:
    """The in-flight tasks of one session, cancelled together when the session ends."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self.tasks: dict[Any, asyncio.Task[Any]] = {}
        self._anonymous: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self.tasks) + len(self._anonymous)

    def check(self, n: int = 1) -> None:
        if len(self) + n > self._limit:
            raise ServerBusy(
                f"Too many requests in flight on this session (limit {self._limit}, "
                "PASSTHROUGH_MAX_INFLIGHT_PER_CLIENT bounds them per client too); wait for some to finish"
            )

    def start(self, coro: Coroutine[Any, Any, Any], key: Any = None) -> asyncio.Task[Any]:
        try:
            self.check()
        except ServerBusy:
            coro.close()
            raise
        task = asyncio.ensure_future(coro)
        if key is None or key in self.tasks:
            self._anonymous.add(task)
            task.add_done_callback(self._anonymous.discard)
        else:
            self.tasks[key] = task
            task.add_done_callback(functools.partial(self._forget, key))
        return task

    def _forget(self, key: Any, task: asyncio.Task[Any]) -> None:
        if self.tasks.get(key) is task:
            del self.tasks[key]

    def cancel(self, key: Any) -> bool:
        task = self.tasks.get(key)
        if task is None:
            return False
        task.cancel()
        return True

    def cancel_all(self) -> None:
        for task in [*self.tasks.values(), *self._anonymous]:
            task.cancel()


class Outbox:
    """Events waiting for a legacy stream, bounded in bytes: a reader that falls behind is cut off, not buffered."""

    def __init__(self, max_bytes: int) -> None:
        self._queue: collections.deque[bytes] = collections.deque()
        self._bytes = 0
        self._max = max_bytes
        self._ready = asyncio.Event()
        self.ended = False
        self.overflowed = False

    @property
    def size(self) -> int:
        return self._bytes

    def put(self, data: bytes) -> bool:
        """Queue `data`; False (and the outbox ends) when that would pass the byte limit."""
        if self.ended:
            return False
        if self._bytes + len(data) > self._max:
            self.overflowed = True
            self.end()
            return False
        self._queue.append(data)
        self._bytes += len(data)
        self._ready.set()
        return True

    def end(self) -> None:
        self.ended = True
        self._queue.clear()
        self._bytes = 0
        self._ready.set()

    async def get(self, seconds: float) -> bytes | None:
        """The next event, None after `seconds` with nothing to send; raises EOFError once ended."""
        if not self._queue and not self.ended:
            self._ready.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), seconds)
        if self.ended:
            raise EOFError
        if not self._queue:
            return None
        data = self._queue.popleft()
        self._bytes -= len(data)
        return data


class LegacySession:
    def __init__(self, sid: str, presented: Presented, client: str, limit: int, outbox_bytes: int) -> None:
        self.id = sid
        self.presented = presented
        self.client = client
        self.version = "2024-11-05"
        self.outbox = Outbox(outbox_bytes)
        self.work = _Work(limit)
        self.abort: Callable[[], None] | None = None  # drops the stream's connection at once


class _PerClient:
    """How many sessions each client holds; entries go when they reach zero."""

    def __init__(self, cap: int, what: str) -> None:
        self.cap = max(1, cap)
        self._what = what
        self.counts: dict[str, int] = {}

    def full(self, client: str) -> bool:
        return self.counts.get(client, 0) >= self.cap

    def refusal(self) -> ServerBusy:
        return ServerBusy(
            f"This client already holds {self.cap} {self._what} sessions, its limit "
            "(PASSTHROUGH_MAX_SESSIONS_PER_CLIENT); close some first"
        )

    def add(self, client: str) -> None:
        self.counts[client] = self.counts.get(client, 0) + 1

    def remove(self, client: str) -> None:
        left = self.counts.get(client, 0) - 1
        if left > 0:
            self.counts[client] = left
        else:
            self.counts.pop(client, None)


def _server_full(limit: int) -> ServerBusy:
    return ServerBusy(f"The server holds {limit} sessions, its limit (PASSTHROUGH_MAX_SESSIONS); try again later")


class LegacySessions:
    def __init__(
        self, max_sessions: int, per_client: int, max_inflight: int, outbox_bytes: int, node: str = ""
    ) -> None:
        self._node = node
        self._sessions: dict[str, LegacySession] = {}
        self._max = max_sessions
        self._per_client = _PerClient(per_client, "event-stream")
        self._inflight = max_inflight
        self._outbox_bytes = outbox_bytes

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, presented: Presented, client: str) -> LegacySession:
        if self._per_client.full(client):
            raise self._per_client.refusal()
        if len(self._sessions) >= self._max:
            raise _server_full(self._max)
        session = LegacySession(_new_id(self._node), presented, client, self._inflight, self._outbox_bytes)
        self._sessions[session.id] = session
        self._per_client.add(client)
        return session

    def find(self, sid: str | None, presented: Presented) -> tuple[LegacySession, Presented]:
        """The session and the headers to use for one message; SessionNotFound if absent or another identity."""
        session = self._sessions.get(sid or "")
        if session is None:
            raise SessionNotFound(_NOT_FOUND)
        merged = presented.over(session.presented)
        if merged is None:
            raise SessionNotFound(_NOT_FOUND)
        return session, merged

    def close(self, session: LegacySession) -> None:
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]
            self._per_client.remove(session.client)
        session.work.cancel_all()
        session.outbox.end()

    def close_all(self) -> None:
        for session in list(self._sessions.values()):
            self.close(session)


class McpSession:
    def __init__(self, sid: str, presented: Presented, binding: str, client: str, version: str, limit: int) -> None:
        self.id = sid
        self.presented = presented
        self.binding = binding
        self.client = client
        self.version = version
        self.work = _Work(limit)
        self.ended = asyncio.Event()
        self.used = 0.0


class McpSessions:
    """Streamable HTTP sessions: idle ones expire; a full server refuses rather than evicts."""

    def __init__(
        self,
        max_sessions: int,
        per_client: int,
        idle_seconds: float,
        max_inflight: int,
        clock: Callable[[], float] = time.monotonic,
        node: str = "",
    ) -> None:
        self._node = node
        self._sessions: dict[str, McpSession] = {}
        # Per client, its sessions from least to most recently used.
        self._by_client: dict[str, collections.OrderedDict[str, None]] = {}
        self._max = max_sessions
        self._per_client = max(1, per_client)
        self._idle = idle_seconds
        self._inflight = max_inflight
        self._clock = clock
        self._swept = 0.0

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, presented: Presented, binding: str, client: str, version: str) -> McpSession:
        mine = self._by_client.get(client)
        if mine is not None and len(mine) >= self._per_client:
            # The client's own oldest session gives way; nobody else's ever does.
            self.close(self._sessions[next(iter(mine))])
        if len(self._sessions) >= self._max:
            self._sweep()
            if len(self._sessions) >= self._max:
                raise _server_full(self._max)
        session = McpSession(_new_id(self._node), presented, binding, client, version, self._inflight)
        session.used = self._clock()
        self._sessions[session.id] = session
        self._by_client.setdefault(client, collections.OrderedDict())[session.id] = None
        return session

    def find(self, sid: str, presented: Presented, binding: str) -> tuple[McpSession, Presented]:
        """The session and the headers its message runs with; SessionNotFound if absent, expired or another's."""
        session = self._sessions.get(sid)
        if session is None or self._expired(session):
            if session is not None:
                self.close(session)
            raise SessionNotFound(_NOT_FOUND)
        if not presented.empty and not secrets.compare_digest(session.binding, binding):
            raise SessionNotFound(_NOT_FOUND)
        session.used = self._clock()
        self._by_client[session.client].move_to_end(sid)
        return session, session.presented

    def _expired(self, session: McpSession) -> bool:
        return not len(session.work) and self._clock() - session.used > self._idle

    def _sweep(self) -> None:
        now = self._clock()
        if now - self._swept < 1.0:
            return
        self._swept = now
        for session in [s for s in self._sessions.values() if self._expired(s)]:
            self.close(session)

    def alive(self, session: McpSession) -> bool:
        return not session.ended.is_set() and self._sessions.get(session.id) is session

    def close(self, session: McpSession) -> None:
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]
            mine = self._by_client[session.client]
            mine.pop(session.id, None)
            if not mine:
                del self._by_client[session.client]
        session.ended.set()
        session.work.cancel_all()

    def close_all(self) -> None:
        for session in list(self._sessions.values()):
            self.close(session)
