"""Legacy HTTP+SSE: one `GET /sse` stream carries every answer; each stdin message is POSTed to its endpoint.

The stream is opened on the first message. If it drops after the client has
initialized, it is reopened in the background with backoff and the client's
initialize (under a private id, its answer swallowed) and
`notifications/initialized` are replayed; requests that were waiting for an
answer on the lost stream are answered with an error. A message always gets
at least one fresh connection attempt before it is refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from passthrough.sse_client._http import (
    CONNECT_TIMEOUT,
    HANDSHAKE_TIMEOUT,
    POST_HEADERS,
    REQUEST_TIMEOUT_SECONDS,
    SSE_HEADERS,
    Refused,
    failure,
    media_type,
    refusal,
)
from passthrough.sse_client._replay import check_answer, post_initialize, post_initialized
from passthrough.sse_client._stdio import Output
from passthrough.sse_client._wire import (
    CONNECTION_CLOSED,
    REQUEST_TIMEOUT,
    Message,
    encode,
    error_message,
    id_key,
    one_line,
    response_ids,
    sse_events,
)

log = logging.getLogger("passthrough.sse_client")

BACKOFF_MIN = 0.1
BACKOFF_MAX = 10.0


@dataclass
class _Pending:
    rid: Any
    timer: asyncio.TimerHandle
    posted: bool = False
    """The POST was accepted: the answer can only come on the stream, so a dropped stream means no answer."""


class LegacyRelay:
    def __init__(self, url: str, http: httpx.AsyncClient, out: Output, label: str) -> None:
        self._sse_url = url
        self._http = http
        self._out = out
        self._label = label
        self._endpoint: str | None = None  # set while a stream is open and its session initialized
        self._generation = 0  # streams that reached their endpoint event
        self._attempt = 0  # connection attempts started
        self._sessions = 0  # streams that became ready for messages
        self._pending: dict[str, _Pending] = {}  # requests sent, answer not yet seen
        self._waiters: list[tuple[int, asyncio.Future[str]]] = []
        self._replies: dict[str, asyncio.Future[Any]] = {}  # replayed initializes, by private id
        self._wake = asyncio.Event()
        self._initialize: Message | None = None
        self._initialized: Message | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._connection: asyncio.Task[None] | None = None
        self._ended_by: BaseException | None = None

    async def send(self, message: Message) -> None:
        ids = message.request_ids
        response: httpx.Response | None = None
        reconnected = False
        while response is None:
            try:
                endpoint = await self._ready()
            except Exception as exc:  # nothing was sent: every request id still needs its answer
                self._out.fail(ids, *failure(self._label, exc))
                return
            if self._endpoint != endpoint:
                continue  # the stream dropped between being ready and now
            if message.is_initialize:
                self._initialize = message
            elif message.is_initialized_notification:
                self._initialized = message  # kept for replay even if this delivery fails
            self._track(ids)
            try:
                response = await self._http.post(endpoint, content=message.raw, headers=POST_HEADERS)
            except Exception as exc:  # any failure becomes an answer: the client must never wait forever
                self._out.fail(self._untrack(ids), *failure(self._label, exc))
                return
            if response.status_code == 404 and not reconnected:
                self._untrack(ids)
                self._restart(endpoint)
                response, reconnected = None, True
        if not response.is_success:
            self._refused(message, response)
        elif self._endpoint != endpoint:  # accepted, but the stream that would carry the answer is gone
            lost = self._untrack(ids)
            if lost:
                self._out.fail(lost, CONNECTION_CLOSED, f"the connection to {self._label} was lost before it answered")
        else:
            for rid in ids:
                if (pending := self._pending.get(id_key(rid))) is not None:
                    pending.posted = True

    async def aclose(self) -> None:
        for task in (self._supervisor, self._connection):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        for pending in self._pending.values():
            pending.timer.cancel()
        self._pending.clear()

    def _refused(self, message: Message, response: httpx.Response) -> None:
        """An HTTP refusal of a POST: relay its JSON-RPC error if it has one, else word one."""
        log.info("%s refused a message: HTTP %d", self._label, response.status_code)
        ids = self._untrack(message.request_ids)
        if not ids:
            return  # a notification or response, or already answered on the stream: nobody waits
        try:
            value = json.loads(response.content)
        except ValueError:
            value = None
        if error_message(value) is None:
            self._out.fail(ids, CONNECTION_CLOSED, str(refusal(self._label, response.status_code, response.content)))
            return
        self._out.write(encode(message.claim(value)))

    # ---- the stream --------------------------------------------------------------------------

    async def _ready(self) -> str:
        """The endpoint of a stream whose session is initialized (as far as the client got)."""
        if self._endpoint is not None:
            return self._endpoint
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)
        waiter = (self._attempt, future)
        self._waiters.append(waiter)
        if self._supervisor is None or self._supervisor.done():
            self._supervisor = asyncio.create_task(self._supervise())
        self._wake.set()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT + HANDSHAKE_TIMEOUT):
                return await future
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def _supervise(self) -> None:
        delay, streak = BACKOFF_MIN, 0
        while True:
            self._wake.clear()
            self._attempt += 1
            attempt, sessions = self._attempt, self._sessions
            self._ended_by = None
            self._connection = asyncio.create_task(self._connect())
            await asyncio.wait({self._connection})
            error = self._ended_by or _outcome(self._connection) or Refused(f"{self._label} closed the SSE stream")
            self._endpoint = None
            reached = self._sessions != sessions
            self._drop(error, attempt)
            if reached:
                delay, streak = BACKOFF_MIN, 0
                log.warning("SSE stream ended (%s); reconnecting", failure(self._label, error)[1])
            else:
                streak += 1
                if streak == 1:
                    log.warning("SSE stream: %s", failure(self._label, error)[1])
            if self._waiters:
                continue  # someone registered during that attempt: they get a fresh one now
            if self._initialize is None:
                await self._wake.wait()  # no session to keep alive: connect when asked
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, BACKOFF_MAX)

    async def _connect(self) -> None:
        setup: asyncio.Task[None] | None = None
        try:
            async with self._http.stream("GET", self._sse_url, headers=SSE_HEADERS) as response:
                if response.status_code != 200:
                    raise refusal(self._label, response.status_code, await response.aread())
                ctype = media_type(response)
                if ctype != "text/event-stream":
                    raise Refused(f"{self._label} answered with {ctype or 'no content type'}, not an event stream")
                async for event, data in sse_events(response.aiter_lines()):
                    if event == "endpoint" and setup is None:
                        endpoint = urljoin(self._sse_url, data.strip())
                        if _origin(endpoint) != _origin(self._sse_url):
                            # credentials go with every POST: never to a place the stream merely names
                            raise Refused(f"{self._label} named a message endpoint on another origin; refused")
                        self._generation += 1
                        setup = asyncio.create_task(self._setup(endpoint, self._generation))
                    elif event == "message":
                        self._on_message(data)
        finally:
            if setup is not None:
                setup.cancel()

    async def _setup(self, endpoint: str, generation: int) -> None:
        try:
            if self._initialize is not None:
                await self._replay(endpoint, generation)
        except Exception as exc:  # the stream is useless without a session: end it and let the supervisor retry
            self._ended_by = exc
            if self._connection is not None:
                self._connection.cancel()
            return
        self._endpoint = endpoint
        self._sessions += 1
        if self._sessions == 1:
            log.info("SSE stream open to %s", self._label)
        waiters, self._waiters = self._waiters, []
        for _, future in waiters:
            if not future.done():
                future.set_result(endpoint)

    async def _replay(self, endpoint: str, generation: int) -> None:
        assert self._initialize is not None
        private = f"passthrough-sse-client-reinitialize-{generation}"
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies[id_key(private)] = reply
        try:
            body = encode({**self._initialize.value, "id": private})
            await post_initialize(self._http, endpoint, body, self._label)
            check_answer(self._label, await asyncio.wait_for(reply, HANDSHAKE_TIMEOUT))
            await post_initialized(self._http, endpoint, self._initialized, self._label)
        finally:
            self._replies.pop(id_key(private), None)

    def _on_message(self, data: str) -> None:
        try:
            value = json.loads(data)
        except ValueError:
            log.warning("skipped a message from %s that is not JSON", self._label)
            return
        if isinstance(value, dict) and "method" not in value:
            reply = self._replies.get(id_key(value.get("id")))
            if reply is not None:
                if not reply.done():
                    reply.set_result(value)
                return
        for rid in response_ids(value):
            pending = self._pending.pop(id_key(rid), None)
            if pending is not None:
                pending.timer.cancel()
        self._out.write(one_line(data))

    def _restart(self, endpoint: str) -> None:
        """The server forgot the session behind `endpoint`: stop using it now, reconnect."""
        if endpoint != self._endpoint:
            return  # someone already did
        log.warning("%s no longer knows this session (restarted?); reconnecting", self._label)
        self._endpoint = None
        if self._connection is not None and not self._connection.done():
            self._ended_by = Refused(f"{self._label} lost the session")
            self._connection.cancel()

    # ---- requests waiting for an answer ----------------------------------------------------

    def _drop(self, error: BaseException, attempt: int) -> None:
        """After a stream ends: refuse those who waited for it, and requests it will never answer."""
        stale = [future for registered, future in self._waiters if registered < attempt]
        self._waiters = [(registered, future) for registered, future in self._waiters if registered >= attempt]
        for future in stale:
            if not future.done():
                future.set_exception(error)
        lost = self._untrack([pending.rid for pending in self._pending.values() if pending.posted])
        if lost:
            self._out.fail(lost, CONNECTION_CLOSED, f"the connection to {self._label} was lost before it answered")

    def _track(self, ids: list[Any]) -> None:
        loop = asyncio.get_running_loop()
        for rid in ids:
            key = id_key(rid)
            self._pending[key] = _Pending(rid, loop.call_later(REQUEST_TIMEOUT_SECONDS, self._expire, key))

    def _untrack(self, ids: list[Any]) -> list[Any]:
        """Stop waiting for these ids; returns those still unanswered."""
        left = []
        for rid in ids:
            pending = self._pending.pop(id_key(rid), None)
            if pending is not None:
                pending.timer.cancel()
                left.append(rid)
        return left

    def _expire(self, key: str) -> None:
        pending = self._pending.pop(key, None)
        if pending is not None:
            limit = f"{REQUEST_TIMEOUT_SECONDS:.0f} s"
            self._out.fail([pending.rid], REQUEST_TIMEOUT, f"{self._label} did not answer within {limit}")


def _retrieve(future: asyncio.Future[str]) -> None:
    """Mark a waiter's failure as seen even if its request gave up first (no "never retrieved" noise)."""
    if not future.cancelled():
        future.exception()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _outcome(task: asyncio.Task[None]) -> BaseException | None:
    return None if task.cancelled() else task.exception()
