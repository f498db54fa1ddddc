"""`python -m passthrough.sse_client`, launched as Claude Desktop does, against a real passthrough and a fake Jira."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import pytest
from aiohttp import web
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

from passthrough.credentials import new_api_key
from passthrough.http import build_app
from passthrough.http._keys import LEGACY_SESSIONS, MCP_SESSIONS
from passthrough.settings import Settings
from tests.conftest import ALICE, BOB, SHARED, jira_env, make_settings, serve
from tests.e2e._clients import text_of
from tests.fakes import FakeJira

ROOT = Path(__file__).resolve().parents[2]
SHIM = ["-m", "passthrough.sse_client"]
FORMS = ("base", "sse", "mcp")
CONFLUENCE_SECRET = "confluence-secret-5b1d"
OPENPROJECT_SECRET = "openproject-secret-c3a8"


def endpoint(base: str, form: str) -> str:
    return base if form == "base" else f"{base}/{form}"


def shim_env(url: str, **credentials: str) -> dict[str, str]:
    return {"SSE_SERVER_URL": url, "PASSTHROUGH_LOG_LEVEL": "DEBUG", **credentials}


@asynccontextmanager
async def shim(url: str, errlog: TextIO, **credentials: str) -> AsyncIterator[Client]:
    """The shim as Claude Desktop runs it: a subprocess speaking MCP over stdio, driven by the SDK client."""
    params = StdioServerParameters(command=sys.executable, args=SHIM, env=shim_env(url, **credentials), cwd=ROOT)
    async with Client(stdio_client(params, errlog=errlog), mode="legacy", cache=None) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start(settings: Settings, port: int) -> web.AppRunner:
    """passthrough on a fixed port, so a test can stop it and start a new one in its place."""
    runner = web.AppRunner(build_app(settings), handler_cancellation=True, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def mcp_error(exc: BaseException) -> MCPError:
    """The MCPError inside whatever exception groups the client's task groups wrapped it in."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    assert isinstance(exc, MCPError), repr(exc)
    return exc


async def wait_for_log(errlog: TextIO, text: str, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if text in logged(errlog):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in the shim's stderr")


def logged(errlog: TextIO) -> str:
    errlog.flush()
    errlog.seek(0)
    return errlog.read()


@pytest.fixture
def errlog(tmp_path: Path) -> TextIO:
    return (tmp_path / "shim-stderr.log").open("w+", encoding="utf-8")


@pytest.mark.parametrize("form", FORMS)
async def test_relays_a_session_as_the_env_tokens_user(server_jira: FakeJira, form: str, errlog: TextIO) -> None:
    key, digest = new_api_key()
    # a shared fallback the API key unlocks: the user's own token must still win
    env = jira_env(server_jira, JIRA_PERSONAL_TOKEN=SHARED.token, PASSTHROUGH_API_KEY_HASHES=digest)
    credentials = {
        "JIRA_PERSONAL_TOKEN": ALICE.token,
        "CONFLUENCE_PERSONAL_TOKEN": CONFLUENCE_SECRET,
        "CONFLUENCE_EMAIL": "alice@wiki.example.com",
        "OPENPROJECT_API_KEY": OPENPROJECT_SECRET,
        "MCP_API_KEY": key,
    }
    async with serve(make_settings(env)) as url:
        async with shim(endpoint(url, form), errlog, **credentials) as client:
            assert client.protocol_version == "2025-11-25"
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"jira_get_myself", "jira_get_issue", "jira_search"} <= tools

            me = await client.call_tool("jira_get_myself", {})
            assert not me.is_error, text_of(me)
            assert me.structured_content["display_name"] == ALICE.display_name

            missing = await client.call_tool("jira_get_issue", {"issue_key": "DEMO-999"})
            assert missing.is_error and "404" in text_of(missing)

            issue = await client.call_tool("jira_get_issue", {"issue_key": "DEMO-1"})
            assert not issue.is_error and issue.structured_content["key"] == "DEMO-1"

    assert server_jira.requests
    assert {r.identity for r in server_jira.requests} == {ALICE.name}
    assert {r.headers.get("authorization") for r in server_jira.requests} == {f"Bearer {ALICE.token}"}
    log = logged(errlog)
    assert "X-Jira-Token" in log and "X-MCP-API-Key" in log, "the shim names the headers it sends"
    for secret in (*credentials.values(), SHARED.token):
        assert secret not in log


async def test_cloud_email_and_token_become_basic_auth(errlog: TextIO) -> None:
    cloud = FakeJira("cloud", [ALICE, BOB])
    async with cloud.serve(), serve(make_settings(jira_env(cloud, PASSTHROUGH_FALLBACK="off"))) as url:
        async with shim(url, errlog, JIRA_PERSONAL_TOKEN=BOB.token, JIRA_EMAIL=BOB.email) as client:
            me = await client.call_tool("jira_get_myself", {})
    assert not me.is_error, text_of(me)
    assert me.structured_content["display_name"] == BOB.display_name
    assert {(r.identity, r.auth_via) for r in cloud.requests} == {(BOB.name, "basic")}
    assert BOB.token not in logged(errlog) and BOB.email not in logged(errlog)


async def test_no_credential_reaches_the_server_as_nothing(server_jira: FakeJira, errlog: TextIO) -> None:
    """Unset and empty variables send no header: the server's own missing-credential answer comes back."""
    settings = make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))
    async with serve(settings) as url, shim(url, errlog, JIRA_PERSONAL_TOKEN="", MCP_API_KEY="") as client:
        result = await client.call_tool("jira_get_myself", {})
    assert result.is_error and "X-Jira-Token" in text_of(result)
    assert server_jira.requests == []
    assert "credential headers: none" in logged(errlog)


async def test_concurrent_calls_are_not_serialized(server_jira: FakeJira, errlog: TextIO) -> None:
    server_jira.delay = 0.5
    async with serve(make_settings(jira_env(server_jira))) as url:
        async with shim(url, errlog, JIRA_PERSONAL_TOKEN=ALICE.token) as client:
            started = time.monotonic()
            keys = [f"DEMO-{n}" for n in range(1, 7)]
            results = await asyncio.gather(*(client.call_tool("jira_get_issue", {"issue_key": k}) for k in keys))
            elapsed = time.monotonic() - started
    assert [r.structured_content["key"] for r in results] == keys
    assert elapsed < 2.0, f"6 calls of 0.5 s each took {elapsed:.1f} s: they were serialized"


@pytest.mark.parametrize("form", ("base", "sse"))
async def test_server_not_running_is_a_quick_clear_error(form: str, errlog: TextIO) -> None:
    url = endpoint(f"http://127.0.0.1:{free_port()}", form)
    started = time.monotonic()
    async with asyncio.timeout(15):
        with pytest.raises(BaseException) as caught:  # the SDK wraps the MCPError in exception groups
            async with shim(url, errlog, JIRA_PERSONAL_TOKEN=ALICE.token):
                pass
    assert time.monotonic() - started < 8
    expected = f"passthrough at {url if form == 'sse' else url + '/mcp'} is not reachable: ConnectError"
    assert mcp_error(caught.value).error.message == expected
    log = logged(errlog)
    assert expected in log and ALICE.token not in log


@pytest.mark.parametrize("form", FORMS)
async def test_server_restart_reinitializes_transparently(server_jira: FakeJira, form: str, errlog: TextIO) -> None:
    settings = make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runner = await start(settings, port)
    try:
        async with shim(endpoint(base, form), errlog, JIRA_PERSONAL_TOKEN=ALICE.token) as client:
            assert not (await client.call_tool("jira_get_myself", {})).is_error

            await runner.cleanup()
            async with asyncio.timeout(10):
                with pytest.raises(MCPError, match="is not reachable"):
                    await client.call_tool("jira_get_myself", {})

            runner = await start(settings, port)
            async with asyncio.timeout(10):
                me = await client.call_tool("jira_get_myself", {})
                assert not me.is_error, text_of(me)
                assert me.structured_content["display_name"] == ALICE.display_name
                assert len((await client.list_tools()).tools) >= 3
    finally:
        await runner.cleanup()
    assert {r.identity for r in server_jira.requests} == {ALICE.name}
    log = logged(errlog)
    assert "re-opened" in log and ALICE.token not in log


@pytest.mark.parametrize("form", ("sse", "mcp"))
async def test_forgotten_session_is_reopened(server_jira: FakeJira, form: str, errlog: TextIO) -> None:
    """The server forgets the session but stays up (idle expiry): the next call gets 404, then succeeds."""
    app = build_app(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off")))
    async with serve(app) as url, shim(endpoint(url, form), errlog, JIRA_PERSONAL_TOKEN=ALICE.token) as client:
        await client.list_tools()
        sessions = app[LEGACY_SESSIONS] if form == "sse" else app[MCP_SESSIONS]
        assert len(sessions) == 1
        sessions.close_all()
        async with asyncio.timeout(10):
            results = await asyncio.gather(*(client.call_tool("jira_get_myself", {}) for _ in range(3)))
        assert all(r.structured_content["display_name"] == ALICE.display_name for r in results)
        assert len(sessions) == 1
    log = logged(errlog)
    if form != "sse":  # a forgotten legacy session also ends its stream, so the shim may reconnect before any 404
        assert "no longer knows this session" in log
    assert log.count("session re-opened") == 1, "concurrent 404s re-open the session once"


async def test_sse_stream_drop_reconnects_in_the_background(server_jira: FakeJira, errlog: TextIO) -> None:
    """Legacy SSE: after a drop the shim reconnects and replays initialize before the next call arrives."""
    settings = make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))
    port = free_port()
    runner = await start(settings, port)
    try:
        async with shim(f"http://127.0.0.1:{port}/sse", errlog, JIRA_PERSONAL_TOKEN=ALICE.token) as client:
            await client.list_tools()
            await runner.cleanup()
            runner = await start(settings, port)
            await wait_for_log(errlog, "session re-opened")
            me = await client.call_tool("jira_get_myself", {})
            assert me.structured_content["display_name"] == ALICE.display_name
    finally:
        await runner.cleanup()
    assert "was not delivered" not in logged(errlog) and "ERROR" not in logged(errlog)


class RawShim:
    """The shim with plain pipes, for what the SDK client never sends (bad JSON) or hides (exit status)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def send(self, line: bytes | dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(line).encode() if isinstance(line, dict) else line) + b"\n")
        await self.process.stdin.drain()

    async def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 10)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        reply: dict[str, Any] = json.loads(line)
        return reply


@asynccontextmanager
async def raw_shim(url: str, **credentials: str) -> AsyncIterator[RawShim]:
    env = {"PATH": os.environ.get("PATH", ""), **shim_env(url, **credentials)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *SHIM,
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=16 << 20,  # one message a line, and a full tools/list is well over asyncio's 64 KiB default
    )
    try:
        yield RawShim(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


@pytest.mark.parametrize("form", ("base", "sse"))
async def test_bad_json_is_a_parse_error_and_stdin_close_ends_the_session(server_jira: FakeJira, form: str) -> None:
    app = build_app(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off")))
    async with serve(app) as url, raw_shim(endpoint(url, form), JIRA_PERSONAL_TOKEN=ALICE.token) as shim_:
        await shim_.send(INITIALIZE)
        init = await shim_.receive()
        assert init["id"] == 0 and init["result"]["protocolVersion"] == "2025-06-18"
        await shim_.send(INITIALIZED)

        await shim_.send(b'{"jsonrpc": "2.0", "id": 7, "method": ')
        assert await shim_.receive() == {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": -32700, "message": "Parse error: the line is not valid JSON"},
        }

        call = {"jsonrpc": "2.0", "id": "a", "method": "tools/call", "params": {"name": "jira_get_myself"}}
        await shim_.send(call)
        reply = await shim_.receive()
        assert reply["id"] == "a" and ALICE.display_name in reply["result"]["content"][0]["text"]
        if form == "base":
            assert len(app[MCP_SESSIONS]) == 1

        assert shim_.process.stdin is not None and shim_.process.stderr is not None
        shim_.process.stdin.close()
        assert await asyncio.wait_for(shim_.process.wait(), 10) == 0
        stderr = (await shim_.process.stderr.read()).decode()
        if form == "base":
            assert len(app[MCP_SESSIONS]) == 0, "the shim ended its session with DELETE /mcp"
    assert ALICE.token not in stderr
    assert "stdin closed" in stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_sigterm_ends_the_session_and_exits_zero(server_jira: FakeJira) -> None:
    app = build_app(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off")))
    async with serve(app) as url, raw_shim(url, JIRA_PERSONAL_TOKEN=ALICE.token) as shim_:
        await shim_.send(INITIALIZE)
        assert "result" in await shim_.receive()
        assert len(app[MCP_SESSIONS]) == 1
        shim_.process.terminate()
        assert await asyncio.wait_for(shim_.process.wait(), 10) == 0
        assert len(app[MCP_SESSIONS]) == 0


@pytest.mark.parametrize("form", ("base", "sse"))
async def test_http_refusal_answers_the_request(server_jira: FakeJira, form: str) -> None:
    """A 401 for an unknown X-MCP-API-Key (a JSON-RPC error with id null) reaches the client as its answer."""
    _, digest = new_api_key()
    app = build_app(make_settings(jira_env(server_jira, PASSTHROUGH_API_KEY_HASHES=digest)))
    other_key, _ = new_api_key()
    async with serve(app) as url, raw_shim(endpoint(url, form), MCP_API_KEY=other_key) as shim_:
        await shim_.send(INITIALIZE)
        reply = await shim_.receive()
    assert reply["id"] == 0
    assert "X-MCP-API-Key is not one this server accepts" in reply["error"]["message"]


async def test_stateless_2026_requests_and_batches_relay_as_they_come(server_jira: FakeJira) -> None:
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
    async with (
        serve(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))) as url,
        raw_shim(url, JIRA_PERSONAL_TOKEN=ALICE.token) as shim_,
    ):
        call = {"name": "jira_get_myself", "arguments": {}, "_meta": meta}
        await shim_.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call})
        modern = await shim_.receive()
        assert modern["id"] == 1 and modern["result"]["structuredContent"]["display_name"] == ALICE.display_name
        await shim_.send(b'[{"jsonrpc":"2.0","id":2,"method":"tools/list"},{"jsonrpc":"2.0","id":3,"method":"ping"}]')
        batch: Any = await shim_.receive()
        assert isinstance(batch, list) and [reply["id"] for reply in batch] == [2, 3]


def sse_event(value: dict[str, Any], event: str | None = "message") -> str:
    lines = "".join(f"data: {line}\n" for line in json.dumps(value, indent=1).split("\n"))  # multi-line data
    return (f"event: {event}\n" if event else "") + lines + "\n"


def stub_server() -> web.Application:
    """A Streamable HTTP server unlike passthrough: SSE answers with notifications first, and a GET stream."""

    async def post(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if "id" not in body:
            return web.Response(status=202)
        if body["method"] == "initialize":
            info = {"name": "stub", "version": "0"}
            result = {"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": info}
            text = sse_event({"jsonrpc": "2.0", "id": body["id"], "result": result})
            return web.Response(text=text, content_type="text/event-stream", headers={"Mcp-Session-Id": "s-1"})
        assert request.headers["Mcp-Session-Id"] == "s-1"
        assert request.headers["MCP-Protocol-Version"] == "2025-06-18"
        progress = {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}}
        reply = {"jsonrpc": "2.0", "id": body["id"], "result": {"method": body["method"]}}
        text = ": keepalive\n\n" + sse_event(progress, event=None) + sse_event(reply)
        return web.Response(text=text, content_type="text/event-stream")

    async def get(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hello"}}
        await response.write(sse_event(note).encode())
        await asyncio.sleep(30)
        return response

    app = web.Application()
    app.router.add_post("/mcp", post)
    app.router.add_get("/mcp", get)
    return app


async def test_event_stream_answers_and_server_notifications_are_relayed() -> None:
    async with serve(stub_server()) as url, raw_shim(url) as shim_:
        await shim_.send(INITIALIZE)
        assert (await shim_.receive())["result"]["serverInfo"]["name"] == "stub"
        await shim_.send(INITIALIZED)
        await shim_.send({"jsonrpc": "2.0", "id": 5, "method": "ping"})
        received = [await shim_.receive() for _ in range(3)]
    by_kind = {message.get("method", "reply"): message for message in received}
    assert by_kind["notifications/message"]["params"]["data"] == "hello"  # from the GET stream
    assert by_kind["notifications/progress"]["params"]["progress"] == 1
    assert by_kind["reply"] == {"jsonrpc": "2.0", "id": 5, "result": {"method": "ping"}}
    assert [m.get("method", "reply") for m in received if m.get("method") != "notifications/message"] == [
        "notifications/progress",
        "reply",
    ]
