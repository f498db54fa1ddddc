"""Session state for the two stateful transports, bounded in count and in work per session.

Legacy SSE sessions must hold the credential headers of the `GET /sse` that
opened them (later POSTs may carry none); they hold them in memory only, for
as long as that stream is open. Streamable HTTP sessions hold no credential at
all, only a keyed digest of the one that opened them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
from collections.abc import Coroutine
from typing import Any

from cachetools import TTLCache

from passthrough.credentials import Presented
from passthrough.errors import ServerBusy, SessionNotFound

END_OF_STREAM = b""  # put in a legacy session's outbox to end its event stream
_NOT_FOUND = "Session not found: it ended, expired, or belongs to another credential"


def _new_id() -> str:
    return secrets.token_hex(16)


class _Work:
    """The in-flight tasks of one session, cancelled together when the session ends."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self.tasks: dict[Any, asyncio.Task[Any]] = {}
        self._anonymous: set[asyncio.Task[Any]] = set()

    def start(self, coro: Coroutine[Any, Any, Any], key: Any = None) -> asyncio.Task[Any]:
        if len(self.tasks) + len(self._anonymous) >= self._limit:
            coro.close()
            raise ServerBusy(f"Too many requests in flight on this session (limit {self._limit}); wait for some")
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


class LegacySession:
    def __init__(self, sid: str, presented: Presented, limit: int, outbox_size: int) -> None:
        self.id = sid
        self.presented = presented
        self.version = "2024-11-05"
        self.outbox: asyncio.Queue[bytes] = asyncio.Queue(outbox_size)
        self.work = _Work(limit)


class LegacySessions:
    def __init__(self, max_sessions: int, max_inflight: int) -> None:
        self._sessions: dict[str, LegacySession] = {}
        self._max = max_sessions
        self._inflight = max_inflight

    def __len__(self) -> int:
        return len(self._sessions)

    def open(self, presented: Presented) -> LegacySession:
        if len(self._sessions) >= self._max:
            raise ServerBusy("Too many open sessions on this server; try again later")
        session = LegacySession(_new_id(), presented, self._inflight, outbox_size=self._inflight * 2)
        self._sessions[session.id] = session
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
        session.work.cancel_all()
        with contextlib.suppress(asyncio.QueueFull):
            session.outbox.put_nowait(END_OF_STREAM)

    def close_all(self) -> None:
        for session in list(self._sessions.values()):
            self.close(session)


class McpSession:
    def __init__(self, sid: str, binding: str, version: str, limit: int) -> None:
        self.id = sid
        self.binding = binding
        self.version = version
        self.work = _Work(limit)
        self.ended = asyncio.Event()


class McpSessions:
    """Streamable HTTP sessions: least recently used beyond the cap, and idle ones, are forgotten."""

    def __init__(self, max_sessions: int, idle_seconds: float, max_inflight: int) -> None:
        self._cache: TTLCache[str, McpSession] = TTLCache(maxsize=max_sessions, ttl=idle_seconds)
        self._inflight = max_inflight

    def __len__(self) -> int:
        return len(self._cache)

    def open(self, binding: str, version: str) -> McpSession:
        session = McpSession(_new_id(), binding, version, self._inflight)
        self._cache[session.id] = session
        return session

    def find(self, sid: str, binding: str) -> McpSession:
        session = self._cache.get(sid)
        if session is None or not secrets.compare_digest(session.binding, binding):
            raise SessionNotFound(_NOT_FOUND)
        self._cache[sid] = session
        return session

    def alive(self, session: McpSession) -> bool:
        return not session.ended.is_set() and self._cache.get(session.id) is session

    def close(self, session: McpSession) -> None:
        if self._cache.get(session.id) is session:
            del self._cache[session.id]
        session.ended.set()
        session.work.cancel_all()

    def close_all(self) -> None:
        for session in list(self._cache.values()):
            self.close(session)
