"""The load generator: a lean HTTP/1.1 client on asyncio streams and one "caller" per kind of target.

The client is deliberately small (keep-alive, Content-Length, chunked, Server-Sent Events) so that the
load process spends as little CPU as possible per call: on a 2-core machine the load generator, the fake
upstream and the server under test share the cores, and a heavy client would throttle the server it
measures. Every target (including the floor) is driven by this same client, so differences between rows
are differences between servers, not between clients. (The httpx floor row uses httpx, as a reference.)

A caller does one ``jira_get_issue`` (or, for the floor, one upstream GET) per ``call()`` and says whether
the answer was the issue. Everything here is bounded: the drivers stop after a count or a deadline.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from _common import ISSUE_KEY

_READ_LIMIT = 4 << 20


class HttpError(Exception):
    pass


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[bytes, bytes]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection; requests on it are sequential."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.host_header = f"{host}:{port}".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=_READ_LIMIT)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    def head_bytes(self, method: bytes, target: bytes, headers: bytes, length: int | None) -> bytes:
        """The request head; ``headers`` is a block of ``Name: value\\r\\n`` lines."""
        out = method + b" " + target + b" HTTP/1.1\r\nHost: " + self.host_header + b"\r\n" + headers
        if length is not None:
            out += b"Content-Length: " + str(length).encode() + b"\r\n"
        return out + b"\r\n"

    async def send(self, method: bytes, target: bytes, headers: bytes = b"", body: bytes | None = None) -> None:
        if self.writer is None:
            await self.connect()
        assert self.writer is not None
        head = self.head_bytes(method, target, headers, None if body is None else len(body))
        self.writer.write(head + body if body else head)

    async def read_head(self) -> tuple[int, dict[bytes, bytes]]:
        assert self.reader is not None
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            raise HttpError("connection closed before a response") from exc
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
        return status, headers

    async def read_body(self, status: int, headers: dict[bytes, bytes], method: bytes) -> bytes:
        reader = self.reader
        assert reader is not None
        if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
        length = headers.get(b"content-length")
        if length is not None:
            return await reader.readexactly(int(length))
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                        pass
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            return b"".join(chunks)
        body = await reader.read()  # delimited by the end of the connection
        self.close()
        return body

    async def request(self, method: bytes, target: bytes, headers: bytes = b"", body: bytes | None = None) -> Response:
        fresh = self.writer is None
        try:
            await self.send(method, target, headers, body)
            status, resp_headers = await self.read_head()
        except (HttpError, ConnectionError):
            if fresh:
                raise
            self.close()  # the server closed an idle keep-alive connection: one retry on a new one
            await self.send(method, target, headers, body)
            status, resp_headers = await self.read_head()
        payload = await self.read_body(status, resp_headers, method)
        if resp_headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return Response(status, resp_headers, payload)


class EventStream:
    """A response body read as Server-Sent Events, for streams that do not end (``GET /sse``)."""

    def __init__(self, conn: Connection, headers: dict[bytes, bytes]) -> None:
        assert conn.reader is not None
        self.reader = conn.reader
        self.chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        self.buffer = b""
        self.eof = False

    async def _more(self) -> None:
        if self.chunked:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                self.eof = True
                return
            data = await self.reader.readexactly(size)
            await self.reader.readexactly(2)
        else:
            data = await self.reader.read(65536)
            if not data:
                self.eof = True
                return
        self.buffer += data.replace(b"\r\n", b"\n")

    async def next_event(self) -> tuple[str, str]:
        """The next event with data (comments and keep-alives skipped): (event name, data)."""
        while True:
            end = self.buffer.find(b"\n\n")
            while end < 0:
                if self.eof:
                    raise HttpError("event stream ended")
                await self._more()
                end = self.buffer.find(b"\n\n")
            block, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            name, data = "message", []
            for line in block.split(b"\n"):
                if line.startswith(b"data:"):
                    data.append(line[5:].removeprefix(b" ").decode())
                elif line.startswith(b"event:"):
                    name = line[6:].strip().decode()
            if data:
                return name, "\n".join(data)


def sse_data(body: bytes) -> list[str]:
    """The data of each event in a complete SSE body."""
    events = []
    for block in body.replace(b"\r\n", b"\n").split(b"\n\n"):
        data = [line[5:].removeprefix(b" ").decode() for line in block.split(b"\n") if line.startswith(b"data:")]
        if data:
            events.append("\n".join(data))
    return events


@dataclass(frozen=True)
class ToolCall:
    """The tools/call a caller makes, and the text its answer must carry (with no error) to count."""

    tool: str
    arguments: dict[str, Any]
    marker: str

    def body(self, rid: int) -> bytes:
        params = {"name": self.tool, "arguments": self.arguments}
        return b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":' % rid + json.dumps(params).encode() + b"}"

    def answered(self, payload: bytes) -> bool:
        return self.marker.encode() in payload and b'"isError":true' not in payload and b'"error":{' not in payload


GET_ISSUE = ToolCall("jira_get_issue", {"issue_key": ISSUE_KEY}, ISSUE_KEY)


def answered_issue(payload: bytes) -> bool:
    """Whether a tools/call answer (or the floor's upstream answer) carries the issue and no error."""
    return GET_ISSUE.answered(payload)


def _initialize_body(rid: int, version: str) -> bytes:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "id": rid,
            "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
        }
    ).encode()


_INITIALIZED = b'{"jsonrpc":"2.0","method":"notifications/initialized"}'
_JSON = b"Content-Type: application/json\r\n"


# ----------------------------------------------------------------------------------------------- callers


class Caller:
    """One client of a target: ``setup()`` once (connect, handshake), then ``call()`` repeatedly."""

    async def setup(self) -> None:
        pass

    async def call(self) -> bool:
        raise NotImplementedError

    async def close(self) -> None:
        pass

    async def recover(self) -> None:
        """After a failed call (reset, garbled answer): start over on new connections."""
        await self.close()
        await self.setup()


async def _safe_call(caller: Caller) -> bool:
    try:
        return await caller.call()
    except Exception:  # reset, refused, garbled: counted as an error by the driver
        try:
            await caller.recover()
        except Exception:
            await asyncio.sleep(0.05)  # the server is down or refusing; the drivers' bounds end the phase
        return False


class FloorCaller(Caller):
    """The floor: the upstream GET itself, sent straight to the fake Jira."""

    def __init__(
        self, host: str, port: int, token: str, path: str, marker: str = ISSUE_KEY, authorization: str = ""
    ) -> None:
        self.conn = Connection(host, port)
        self.target = path.encode()
        auth = authorization or f"Bearer {token}"
        self.headers = b"Authorization: " + auth.encode() + b"\r\nAccept: application/json\r\n"
        self.marker = marker.encode()

    async def setup(self) -> None:
        await self.conn.connect()

    async def call(self) -> bool:
        r = await self.conn.request(b"GET", self.target, self.headers)
        return r.status == 200 and self.marker in r.body

    async def close(self) -> None:
        self.conn.close()


class HttpxFloorCaller(Caller):
    """The floor as the issue words it: a direct httpx GET (one shared pooled AsyncClient)."""

    def __init__(self, client: Any, url: str, token: str) -> None:
        self.client = client
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def call(self) -> bool:
        r = await self.client.get(self.url, headers=self.headers)
        return bool(r.status_code == 200 and answered_issue(r.content))


class McpPostCaller(Caller):
    """passthrough's bare JSON-RPC post on /mcp: no handshake, no session (as its README shows)."""

    def __init__(self, host: str, port: int, token: str, call: ToolCall = GET_ISSUE, extra: bytes = b"") -> None:
        """``extra``: more header lines (``Name: value\\r\\n``), e.g. the email Jira Cloud wants with a token."""
        self.conn = Connection(host, port)
        self.headers = _JSON + b"Authorization: Bearer " + token.encode() + b"\r\n" + extra
        self.ids = itertools.count(1)
        self.tool_call = call

    async def setup(self) -> None:
        await self.conn.connect()

    async def call(self) -> bool:
        r = await self.conn.request(b"POST", b"/mcp", self.headers, self.tool_call.body(next(self.ids)))
        return r.status == 200 and self.tool_call.answered(r.body)

    async def close(self) -> None:
        self.conn.close()


MODERN_VERSION = "2026-07-28"
_MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
    "io.modelcontextprotocol/clientCapabilities": {},
}


class StatelessCaller(McpPostCaller):
    """The stateless revision (2026-07-28): each POST stands alone, its version and capabilities in the body's
    `_meta` and its method and tool name repeated in the routing headers; no initialize, no session. Any
    process can answer it, so this is the call the replica figures use. An answer counts only if it is the
    revision's own (`"resultType":"complete"`), so a server that fell back to an older revision fails it."""

    def __init__(self, host: str, port: int, token: str, call: ToolCall = GET_ISSUE) -> None:
        extra = (
            b"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: "
            + MODERN_VERSION.encode()
            + b"\r\nMcp-Method: tools/call\r\nMcp-Name: "
            + call.tool.encode()
            + b"\r\n"
        )
        super().__init__(host, port, token, call, extra)
        params = {"name": call.tool, "arguments": call.arguments, "_meta": _MODERN_META}
        self.params = json.dumps(params, separators=(",", ":")).encode()

    async def call(self) -> bool:
        body = b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":' % next(self.ids) + self.params + b"}"
        r = await self.conn.request(b"POST", b"/mcp", self.headers, body)
        return r.status == 200 and b'"resultType":"complete"' in r.body and self.tool_call.answered(r.body)


class LegacySseCaller(Caller):
    """The 2024-11-05 HTTP+SSE transport: GET /sse, initialize, then POSTs whose answers come on the stream.

    The GET carries the credential (the session's); the POSTs carry none, as the README describes.
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.stream_conn = Connection(host, port)
        self.post_conn = Connection(host, port)
        self.token = token.encode()
        self.ids = itertools.count(1)
        self.endpoint = b""
        self.events: EventStream | None = None

    async def open_stream(self) -> None:
        """Open ``GET /sse`` and read the ``endpoint`` event (all an idle session does)."""
        conn = self.stream_conn
        await conn.send(b"GET", b"/sse", b"Accept: text/event-stream\r\nAuthorization: Bearer " + self.token + b"\r\n")
        status, headers = await conn.read_head()
        if status != 200:
            raise HttpError(f"GET /sse answered {status}")
        self.events = EventStream(conn, headers)
        name, data = await self.events.next_event()
        if name != "endpoint":
            raise HttpError(f"first SSE event was {name!r}, not 'endpoint'")
        self.endpoint = data.strip().encode()

    async def _exchange(self, body: bytes, rid: int | None) -> str | None:
        r = await self.post_conn.request(b"POST", self.endpoint, _JSON, body)
        if r.status != 202:
            raise HttpError(f"POST {self.endpoint.decode()} answered {r.status}: {r.body[:200]!r}")
        if rid is None:
            return None
        assert self.events is not None
        wanted = tuple(f'"id":{sep}{rid}{end}' for sep in ("", " ") for end in (",", "}"))
        while True:
            _, data = await self.events.next_event()
            if any(w in data for w in wanted):
                return data

    async def setup(self) -> None:
        await self.open_stream()
        await self._exchange(_initialize_body(0, "2024-11-05"), 0)
        await self._exchange(_INITIALIZED, None)

    async def call(self) -> bool:
        rid = next(self.ids)
        data = await self._exchange(GET_ISSUE.body(rid), rid)
        return data is not None and answered_issue(data.encode())

    async def close(self) -> None:
        self.stream_conn.close()
        self.post_conn.close()


class StreamableCaller(Caller):
    """A Streamable HTTP client done properly: initialize, keep the Mcp-Session-Id, notifications/initialized,
    then tools/call with the session and protocol-version headers, accepting JSON or an SSE answer.

    ``auth`` is the whole Authorization value (the peer takes ``Token <PAT>`` for a Server/DC PAT).
    """

    VERSION = "2025-06-18"

    def __init__(self, host: str, port: int, auth: str, path: str = "/mcp") -> None:
        self.conn = Connection(host, port)
        self.path = path.encode()
        self.base = _JSON + b"Accept: application/json, text/event-stream\r\nAuthorization: " + auth.encode() + b"\r\n"
        self.headers = self.base
        self.ids = itertools.count(1)

    @staticmethod
    def _payload(r: Response) -> bytes:
        if r.headers.get(b"content-type", b"").startswith(b"text/event-stream"):
            return "\n".join(sse_data(r.body)).encode()
        return r.body

    async def setup(self) -> None:
        r = await self.conn.request(b"POST", self.path, self.base, _initialize_body(0, self.VERSION))
        if r.status != 200:
            raise HttpError(f"initialize answered {r.status}: {r.body[:300]!r}")
        sid = r.headers.get(b"mcp-session-id")
        self.headers = self.base + b"MCP-Protocol-Version: " + self.VERSION.encode() + b"\r\n"
        if sid:
            self.headers += b"Mcp-Session-Id: " + sid + b"\r\n"
        r = await self.conn.request(b"POST", self.path, self.headers, _INITIALIZED)
        if r.status not in (200, 202):
            raise HttpError(f"notifications/initialized answered {r.status}")

    async def call(self) -> bool:
        r = await self.conn.request(b"POST", self.path, self.headers, GET_ISSUE.body(next(self.ids)))
        return r.status == 200 and answered_issue(self._payload(r))

    async def close(self) -> None:
        self.conn.close()


# ----------------------------------------------------------------------------------------------- drivers


@dataclass
class LatencyResult:
    samples_ms: list[float]
    errors: int
    seconds: float


async def run_latency(caller: Caller, calls: int, max_seconds: float) -> LatencyResult:
    """Sequential calls (concurrency 1) until ``calls`` are done or ``max_seconds`` have passed."""
    samples: list[float] = []
    errors = 0
    clock = time.perf_counter
    started = clock()
    deadline = started + max_seconds

    async def loop() -> None:
        nonlocal errors
        for _ in range(calls):
            t0 = clock()
            ok = await _safe_call(caller)
            t1 = clock()
            if ok:
                samples.append((t1 - t0) * 1000.0)
            else:
                errors += 1
            if t1 > deadline:
                break

    await asyncio.wait_for(loop(), max_seconds + 30.0)
    return LatencyResult(samples, errors, clock() - started)


@dataclass
class ThroughputResult:
    calls: int
    errors: int
    window: float
    cpu: dict[str, float] = field(default_factory=dict)  # process name -> CPU seconds in the window
    samples_ms: list[float] = field(default_factory=list)  # each call completed in the window, its latency

    @property
    def per_second(self) -> float:
        return self.calls / self.window if self.window > 0 else 0.0


async def run_throughput(
    callers: list[Caller],
    window: float,
    warmup: float,
    sample_cpu: Callable[[], dict[str, float]],
) -> ThroughputResult:
    """Every caller calls in a loop; calls completed inside the measured window are counted.

    ``sample_cpu`` is read at the window's start and end; the result holds the differences.
    """
    clock = time.perf_counter
    stop = False
    start_at = clock() + warmup
    end_at = start_at + window
    done = 0
    errors = 0
    samples: list[float] = []

    async def worker(caller: Caller) -> None:
        nonlocal done, errors
        while not stop:
            began = clock()
            ok = await _safe_call(caller)
            ended = clock()
            if not ok:
                errors += 1  # anywhere in the run, warm-up included
            elif start_at <= ended <= end_at:
                done += 1
                samples.append((ended - began) * 1000.0)

    tasks = [asyncio.ensure_future(worker(c)) for c in callers]
    try:
        await asyncio.sleep(max(0.0, start_at - clock()))
        before = sample_cpu()
        t0 = clock()
        await asyncio.sleep(max(0.0, end_at - clock()))
        after = sample_cpu()
        t1 = clock()
        stop = True
        finished, pending = await asyncio.wait(tasks, timeout=30.0)
        for task in pending:
            task.cancel()
        for task in finished:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        stop = True
        for task in tasks:
            task.cancel()
    cpu = {name: after[name] - before[name] for name in before}
    return ThroughputResult(done, errors, t1 - t0, cpu, samples)


async def gather_bounded(factories: list[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Run coroutine factories with at most ``limit`` at once; results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(factory: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await factory()

    return list(await asyncio.gather(*(one(f) for f in factories)))
