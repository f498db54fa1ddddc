"""Streamable HTTP: one POST per stdin message, JSON or SSE answers relayed as they arrive.

The session (`Mcp-Session-Id`, negotiated version) is remembered from the
client's own initialize. A 404 while a session is held means passthrough lost
it (restarted, or the session idled out): the client's initialize and
`notifications/initialized` are replayed, their answers swallowed, and the
message is sent once more. After `notifications/initialized` a GET stream
carries server-initiated messages, if the server offers one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx

from passthrough.sse_client._http import (
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
    Message,
    encode,
    error_message,
    id_key,
    one_line,
    response_ids,
    routing_headers,
    sse_events,
    sse_events_in,
)

log = logging.getLogger("passthrough.sse_client")

SESSION_HEADER = "Mcp-Session-Id"
VERSION_HEADER = "MCP-Protocol-Version"
_GOODBYE = httpx.Timeout(1.5)  # the DELETE at exit is a courtesy; clients kill a shim that lingers (2 s in the SDK)

Observer = Callable[[Any], None]


class StreamableRelay:
    def __init__(self, url: str, http: httpx.AsyncClient, out: Output, label: str) -> None:
        self._url = url
        self._http = http
        self._out = out
        self._label = label
        self._session_id: str | None = None
        self._version: str | None = None
        self._initialize: Message | None = None
        self._initialized: Message | None = None
        self._generation = 0  # bumped whenever a session is (re)opened
        self._reopening = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    async def send(self, message: Message) -> None:
        answered: set[str] = set()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                await self._deliver(message, answered)
        except Exception as exc:  # any failure becomes an answer: the client must never wait forever
            code, text = failure(self._label, exc)
            self._out.fail(_unanswered(message, answered), code, text)
            return
        if missing := _unanswered(message, answered):
            self._out.fail(missing, CONNECTION_CLOSED, f"{self._label} ended its response without answering")

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        if self._session_id is None:
            return
        try:
            await self._http.delete(self._url, headers=self._session_headers(), timeout=_GOODBYE)
            log.info("ended the session with %s", self._label)
        except httpx.HTTPError as exc:
            log.info("could not end the session with %s: %s", self._label, type(exc).__name__)

    async def _deliver(self, message: Message, answered: set[str]) -> None:
        if message.is_initialize:
            await self._open(message, answered)
            return
        if message.is_initialized_notification:
            self._initialized = message  # kept for replay even if this delivery fails
        generation = self._generation
        if not await self._post(message, answered, may_reopen=True):
            await self._reopen(generation)
            await self._post(message, answered, may_reopen=False)
        if message.is_initialized_notification:
            self._listen()

    async def _open(self, message: Message, answered: set[str]) -> None:
        """The client's initialize: sent without a session; its answer names the new one."""
        self._initialize, self._initialized = message, None
        self._session_id = self._version = None
        if self._listener is not None:
            self._listener.cancel()
        async with self._http.stream("POST", self._url, content=message.raw, headers=POST_HEADERS) as response:
            if response.is_success:
                self._session_id = response.headers.get(SESSION_HEADER)
            await self._relay(response, message, answered, observe=self._adopt_version)
        self._generation += 1
        if self._version is not None:
            kind = "a session" if self._session_id else "no session (stateless)"
            log.info("initialized with %s: %s, protocol %s", self._label, kind, self._version)

    async def _post(self, message: Message, answered: set[str], *, may_reopen: bool) -> bool:
        """False when the server no longer knows the session and the caller should reopen it."""
        # a 2026-07-28 request carries its own envelope and needs no session; others ride the session
        headers = {**POST_HEADERS, **(routing_headers(message.value) or self._session_headers())}
        async with self._http.stream("POST", self._url, content=message.raw, headers=headers) as response:
            if response.status_code == 404 and SESSION_HEADER in headers and may_reopen:
                return False
            await self._relay(response, message, answered)
        return True

    async def _reopen(self, generation: int) -> None:
        """Replay the client's handshake once per lost session, however many requests noticed the loss."""
        async with self._reopening:
            if generation != self._generation or self._initialize is None:
                return
            log.warning("%s no longer knows this session (restarted?); re-initializing", self._label)
            response = await post_initialize(self._http, self._url, self._initialize.raw, self._label)
            for value in _messages_in(response):
                check_answer(self._label, value)
                self._adopt_version(value)
            self._session_id = response.headers.get(SESSION_HEADER)
            self._generation += 1
            await post_initialized(self._http, self._url, self._initialized, self._label, self._session_headers())
            self._listen()

    def _session_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self._session_id is not None:
            headers[SESSION_HEADER] = self._session_id
        if self._version is not None:
            headers[VERSION_HEADER] = self._version
        return headers

    def _adopt_version(self, value: Any) -> None:
        result = value.get("result") if isinstance(value, dict) else None
        version = result.get("protocolVersion") if isinstance(result, dict) else None
        if isinstance(version, str):
            self._version = version

    async def _relay(
        self, response: httpx.Response, message: Message, answered: set[str], observe: Observer | None = None
    ) -> None:
        if response.status_code in (202, 204):
            await response.aread()
            return
        ctype = media_type(response)
        if response.is_success and ctype == "text/event-stream":
            async for event, data in sse_events(response.aiter_lines()):
                if event == "message":
                    self._emit(data.encode(), message, answered, observe)
            return
        body = await response.aread()
        try:
            value = json.loads(body)
        except ValueError:
            value = None
        if response.is_success and isinstance(value, dict | list) and value:
            self._emit(body, message, answered, observe)
        elif not response.is_success and error_message(value) is not None:
            self._emit(body, message, answered, observe, give_id=True)
        elif response.is_success:
            raise Refused(f"{self._label} answered with {ctype or 'no content type'}, not JSON-RPC")
        else:
            raise refusal(self._label, response.status_code, body)

    def _emit(
        self, data: bytes, message: Message, answered: set[str], observe: Observer | None, give_id: bool = False
    ) -> None:
        try:
            value = json.loads(data)
        except ValueError:
            log.warning("skipped a message from %s that is not JSON", self._label)
            return
        if observe is not None:
            observe(value)
        if give_id and (claimed := message.claim(value)) is not value:
            value, data = claimed, encode(claimed)
        answered.update(id_key(i) for i in response_ids(value))
        self._out.write(one_line(data))

    def _listen(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        self._listener = asyncio.create_task(self._server_stream(self._generation)) if self._session_id else None

    async def _server_stream(self, generation: int) -> None:
        """Server-initiated messages on `GET /mcp`, for as long as this session lasts."""
        delay = 0.5
        while generation == self._generation:
            headers = {**SSE_HEADERS, **self._session_headers()}
            with contextlib.suppress(httpx.HTTPError, httpx.StreamError, OSError):  # reconnect below
                async with self._http.stream("GET", self._url, headers=headers) as response:
                    ctype = media_type(response)
                    if response.status_code != 200 or ctype != "text/event-stream":
                        log.debug("%s offers no server stream (HTTP %d)", self._label, response.status_code)
                        return
                    delay = 0.5
                    async for event, data in sse_events(response.aiter_lines()):
                        if event == "message" and generation == self._generation and _is_json(data):
                            self._out.write(one_line(data))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


def _unanswered(message: Message, answered: set[str]) -> list[Any]:
    return [rid for rid in message.request_ids if id_key(rid) not in answered]


def _messages_in(response: httpx.Response) -> list[Any]:
    ctype = media_type(response)
    if ctype == "text/event-stream":
        texts = [data for event, data in sse_events_in(response.text) if event == "message"]
    else:
        texts = [response.text]
    values = []
    for text in texts:
        with contextlib.suppress(ValueError):
            values.append(json.loads(text))
    return values


def _is_json(data: str) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True
