"""One client, by accident or on purpose, cannot stall or break the server for anyone else.

Each test starts a real passthrough on loopback with small limits, runs a
hostile client against it, and checks both that the hostile part is refused
with an error naming its limit and that another user is served meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest

from passthrough.http import build_app
from passthrough.http._keys import ADMISSION, LEGACY_SESSIONS, MCP_SESSIONS
from tests.conftest import ALICE, BOB, jira_env, make_settings, serve
from tests.e2e._clients import assert_no_stall
from tests.fakes import FakeJira

ALICE_H = {"X-Jira-Token": ALICE.token}
BOB_H = {"X-Jira-Token": BOB.token}
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def call(name: str, args: dict[str, Any], rid: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}


def tools_list(rid: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/list", "params": {}}


async def healthz_times(url: str, stop: asyncio.Event, every: float = 0.01) -> list[float]:
    """Time GET /healthz over and over until `stop`; what another user would feel."""
    times: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while not stop.is_set():
            started = time.perf_counter()
            assert (await http.get("/healthz")).status_code == 200
            times.append(time.perf_counter() - started)
            await asyncio.sleep(every)
    return times


@pytest.fixture
async def jira_fake() -> AsyncIterator[FakeJira]:
    fake = FakeJira("server", [ALICE, BOB])
    async with fake.serve():
        yield fake


async def test_an_oversized_batch_is_refused_naming_its_limit(jira_fake: FakeJira) -> None:
    settings = make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_body_bytes=4 << 20)
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        stop = asyncio.Event()
        timing = asyncio.create_task(healthz_times(url, stop))
        body = json.dumps([tools_list(i) for i in range(20_500)])
        r = await http.post("/mcp", content=body, headers={**ALICE_H, "Content-Type": "application/json"})
        stop.set()
        times = await timing
        assert r.status_code == 400
        error = r.json()["error"]
        assert "at most 32 messages" in error["message"] and "PASSTHROUGH_MAX_BATCH" in error["message"]
        assert max(times) < 0.5, f"healthz stalled {max(times):.2f} s behind one batch"
        # a batch within the limit is answered whole
        ok = await http.post("/mcp", json=[tools_list(i) for i in range(32)], headers=ALICE_H)
        assert ok.status_code == 200 and [m["id"] for m in ok.json()] == list(range(32))


async def test_replies_are_bounded_in_bytes(jira_fake: FakeJira) -> None:
    settings = make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_reply_bytes=200_000)
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        one = await http.post("/mcp", json=tools_list(1), headers=ALICE_H)
        size = len(one.content)
        assert one.status_code == 200 and size < 200_000
        many = (await http.post("/mcp", json=[tools_list(i) for i in range(32)], headers=ALICE_H)).json()
        fitted = 200_000 // size
        assert all("result" in m for m in many[:fitted])
        refused = [m for m in many if "error" in m]
        assert refused and all("PASSTHROUGH_MAX_REPLY_BYTES" in m["error"]["message"] for m in refused)
        assert [m["id"] for m in many] == list(range(32)), "every request still gets its own answer"


async def test_a_flood_from_one_client_neither_starves_another_nor_grows_without_bound(jira_fake: FakeJira) -> None:
    jira_fake.delay = 0.3
    settings = make_settings(
        jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_inflight_per_client=8, max_inflight=64
    )
    app = build_app(settings)
    async with serve(app) as url:
        # The flood goes through aiohttp's client: cheap enough that the test's own loop is not what is measured.
        connector = aiohttp.TCPConnector(limit=400)
        async with (
            aiohttp.ClientSession(url, connector=connector) as flood,
            httpx.AsyncClient(base_url=url, timeout=60) as other,
        ):

            async def one(i: int) -> tuple[int, dict[str, Any], str]:
                async with flood.post("/mcp", json=call("jira_get_myself", {}, i), headers=ALICE_H) as r:
                    return r.status, await r.json(), r.headers.get("Retry-After", "")

            storm = [asyncio.create_task(one(i)) for i in range(300)]
            for _ in range(100):
                if len(app[ADMISSION]) == 8:
                    break
                await asyncio.sleep(0.05)
            assert app[ADMISSION].clients() == 1
            assert len(app[ADMISSION]) <= 8, "one client holds more than its share"
            started = time.perf_counter()
            mine = await other.post("/mcp", json=call("jira_get_myself", {}), headers=BOB_H)
            waited = time.perf_counter() - started
            answers = await asyncio.gather(*storm)
    assert mine.json()["result"]["structuredContent"]["display_name"] == BOB.display_name
    assert waited < 0.3 + 1.0, f"another user waited {waited:.2f} s behind one client's flood"
    busy = [a for a in answers if a[0] == 503]
    served = [a for a in answers if a[0] == 200]
    assert served and busy, "the flood should be partly served (its line) and partly refused (past it)"
    assert "PASSTHROUGH_MAX_INFLIGHT_PER_CLIENT" in busy[0][1]["error"]["message"]
    assert busy[0][2] == "1"
    assert all(a[1]["result"]["structuredContent"]["display_name"] == ALICE.display_name for a in served)
    assert len(served) <= 8 * 5, "more of one client's calls were let in than its allowance and line"
    assert len(app[ADMISSION]) == 0 and app[ADMISSION].clients() == 0, "slots were left held"


async def test_legacy_session_messages_share_the_clients_allowance(jira_fake: FakeJira) -> None:
    jira_fake.delay = 0.3
    settings = make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_inflight_per_client=4)
    app = build_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        async with http.stream("GET", "/sse", headers=ALICE_H) as stream:
            lines = stream.aiter_lines()
            endpoint = ""
            async for line in lines:
                if line.startswith("data: "):
                    endpoint = line[6:]
                    break
            batch = [call("jira_get_myself", {}, i) for i in range(4)]
            assert (await http.post(endpoint, json=batch)).status_code == 202
            await asyncio.sleep(0.1)
            assert len(app[ADMISSION]) == 4, "a batch on a legacy session counts against the client's allowance"
            async for line in lines:
                if line.startswith("data: "):
                    replies = json.loads(line[6:])
                    break
            assert [r["result"]["structuredContent"]["display_name"] for r in replies] == [ALICE.display_name] * 4
    assert len(app[ADMISSION]) == 0


def _raw_socket(url: str, rcvbuf: int | None = None) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    return sock


async def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sent until it closed the connection; fails if it is still open after `seconds`."""
    loop = asyncio.get_running_loop()
    received = b""
    async with asyncio.timeout(seconds):
        while True:
            chunk = await loop.sock_recv(sock, 65536)
            if not chunk:
                return received
            received += chunk


@pytest.mark.usefixtures("frozen_heap")
async def test_a_reader_that_never_reads_is_cut_off_and_nobody_else_notices(jira_fake: FakeJira) -> None:
    settings = make_settings(
        jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), sse_buffer_bytes=300_000, sse_write_timeout_seconds=30
    )
    app = build_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        sock = _raw_socket(url, rcvbuf=4096)
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(
            sock, f"GET /sse HTTP/1.1\r\nHost: {url[7:]}\r\nX-Jira-Token: {ALICE.token}\r\n\r\n".encode()
        )
        head = b""
        while b"session_id=" not in head or b"\n\n" not in head.split(b"session_id=", 1)[1]:
            head += await loop.sock_recv(sock, 4096)
        sid = head.split(b"session_id=", 1)[1].split(b"\n", 1)[0].decode()
        assert len(app[LEGACY_SESSIONS]) == 1
        # From now on the client reads nothing; every answer goes to its stream. (Its buffer fills in a tenth of
        # a second or so: probed every millisecond, so that the probes cover it.)
        stop = asyncio.Event()
        timing = asyncio.create_task(healthz_times(url, stop, every=0.001))
        posted = 0
        for i in range(400):
            r = await http.post(f"/messages?session_id={sid}", json=tools_list(i), headers=ALICE_H)
            if r.status_code == 404:
                break
            assert r.status_code == 202
            posted += 1
            await asyncio.sleep(0)
        for _ in range(100):
            if len(app[LEGACY_SESSIONS]) == 0:
                break
            await asyncio.sleep(0.05)
        stop.set()
        times = await timing
        assert len(app[LEGACY_SESSIONS]) == 0, "a reader that never reads kept its session"
        assert posted < 400, "messages were still accepted for a session whose reader stopped"
        assert_no_stall(times, "a reader that never reads")
        # the connection is gone, not merely idle
        await _closed_within(sock, 5)
        sock.close()
        # and another user's session works as ever
        async with http.stream("GET", "/sse", headers=BOB_H) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    assert (await http.post(line[6:], json=tools_list(1))).status_code == 202
                    break


async def test_sessions_are_capped_per_client_and_never_evicted_by_strangers(jira_fake: FakeJira) -> None:
    settings = make_settings(
        jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_sessions=12, max_sessions_per_client=3
    )
    app = build_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        alice = (await http.post("/mcp", json=INIT, headers=ALICE_H)).headers["Mcp-Session-Id"]
        # a stranger opening sessions without end only ever replaces its own
        for _ in range(200):
            assert (await http.post("/mcp", json=INIT)).status_code == 200
        assert len(app[MCP_SESSIONS]) == 1 + 3
        mine = await http.post("/mcp", json=call("jira_get_myself", {}), headers={**ALICE_H, "Mcp-Session-Id": alice})
        assert mine.json()["result"]["structuredContent"]["display_name"] == ALICE.display_name
        # many strangers with made-up tokens fill the server: newcomers are refused, live sessions stay
        refused = None
        for i in range(20):
            r = await http.post("/mcp", json=INIT, headers={"X-Jira-Token": f"made-up-{i}"})
            if r.status_code == 503:
                refused = r
                break
        assert refused is not None and "PASSTHROUGH_MAX_SESSIONS" in refused.json()["error"]["message"]
        mine = await http.post("/mcp", json=call("jira_get_myself", {}), headers={**ALICE_H, "Mcp-Session-Id": alice})
        assert mine.status_code == 200, "a live session was evicted to make room for a stranger"

        # legacy streams: one client's fourth is refused, naming the limit; another user still gets one
        async with http.stream("GET", "/sse") as a, http.stream("GET", "/sse") as b, http.stream("GET", "/sse") as c:
            assert {a.status_code, b.status_code, c.status_code} == {200}
            fourth = await http.get("/sse")
            assert fourth.status_code == 503 and "PASSTHROUGH_MAX_SESSIONS_PER_CLIENT" in fourth.text
            async with http.stream("GET", "/sse", headers=BOB_H) as bob:
                assert bob.status_code == 200


async def test_slow_and_idle_connections_are_closed(jira_fake: FakeJira) -> None:
    settings = make_settings(
        jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), idle_timeout_seconds=0.5, body_timeout_seconds=0.5
    )
    async with serve(settings) as url:
        loop = asyncio.get_running_loop()
        idle = _raw_socket(url)
        partial = _raw_socket(url)
        await loop.sock_sendall(partial, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic")
        slow_body = _raw_socket(url)
        await loop.sock_sendall(
            slow_body,
            b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        )
        kept_alive = _raw_socket(url)
        await loop.sock_sendall(kept_alive, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        started = time.perf_counter()
        assert await _closed_within(idle, 5) == b""
        assert await _closed_within(partial, 5) == b""
        answer = await _closed_within(slow_body, 5)
        assert answer.startswith(b"HTTP/1.1 408") and b"PASSTHROUGH_BODY_TIMEOUT_SECONDS" in answer
        assert b"HTTP/1.1 200" in await _closed_within(kept_alive, 5)
        assert time.perf_counter() - started < 4
        for sock in (idle, partial, slow_body, kept_alive):
            sock.close()


async def test_connections_beyond_the_cap_are_answered_503_and_the_rest_keep_working(jira_fake: FakeJira) -> None:
    settings = make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_connections=20)
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        assert (await http.get("/healthz")).status_code == 200  # the client's own keep-alive connection
        held = [_raw_socket(url) for _ in range(30)]
        await asyncio.sleep(0.2)
        refused = 0
        for sock in held[19:]:
            answer = await _closed_within(sock, 5)
            assert answer.startswith(b"HTTP/1.1 503") and b"PASSTHROUGH_MAX_CONNECTIONS" in answer
            refused += 1
        assert refused == 11
        assert (await http.get("/healthz")).status_code == 200, "a connection already open stopped working"
        for sock in held:
            sock.close()
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=url, timeout=10) as fresh:
            assert (await fresh.get("/healthz")).status_code == 200


async def test_host_must_be_one_the_server_is_known_by(jira_fake: FakeJira) -> None:
    async with serve(make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"))) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            rebound = await http.get("/sse", headers={"Host": "attacker.example:8000"})
            assert rebound.status_code == 403 and "PASSTHROUGH_ALLOWED_HOSTS" in rebound.text
            posted = await http.post("/mcp", json=tools_list(1), headers={**ALICE_H, "Host": "attacker.example"})
            assert posted.status_code == 403
            for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
                assert (
                    await http.post("/mcp", json=tools_list(1), headers={**ALICE_H, "Host": host})
                ).status_code == 200
    env = jira_env(jira_fake, PASSTHROUGH_FALLBACK="off", PASSTHROUGH_ALLOWED_HOSTS="mcp.example.com")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        allowed = await http.post("/mcp", json=tools_list(1), headers={**ALICE_H, "Host": "mcp.example.com"})
        assert allowed.status_code == 200
        assert (
            await http.post("/mcp", json=tools_list(1), headers={**ALICE_H, "Host": "other.example"})
        ).status_code == 403


async def test_bad_input_is_answered_as_such_never_as_an_internal_error(jira_fake: FakeJira) -> None:
    async with serve(make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"))) as url:
        loop = asyncio.get_running_loop()
        sock = _raw_socket(url)
        body = json.dumps(tools_list(1)).encode()
        await loop.sock_sendall(
            sock,
            b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"X-Jira-Token: t\r\nX-Jira-Email: me\xff@example.com\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body),
        )
        answer = await _closed_within(sock, 5)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 400") and b"X-Jira-Email must be an email address" in answer
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            for token in ("²", "9" * 5000, "-1", "1e3"):
                for tool, args in (
                    ("jira_search", {"jql": "project = DEMO", "page_token": token}),
                    ("jira_get_comments", {"issue_key": "DEMO-1", "page_token": token}),
                ):
                    r = (await http.post("/mcp", json=call(tool, args), headers=ALICE_H)).json()["result"]
                    text = r["content"][0]["text"]
                    assert r["isError"] and "inside passthrough" not in text, (tool, token[:10], text)


async def test_modern_requests_over_a_legacy_stream_get_modern_results(jira_fake: FakeJira) -> None:
    """As the Inspector's `auto` era does: discover over SSE, then send 2026-07-28 envelopes on the session."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    async with serve(make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"))) as url:
        async with (
            httpx.AsyncClient(base_url=url, timeout=10) as http,
            http.stream("GET", "/sse", headers=ALICE_H) as s,
        ):
            lines = s.aiter_lines()
            endpoint = ""
            async for line in lines:
                if line.startswith("data: "):
                    endpoint = line[6:]
                    break
            listing = {"jsonrpc": "2.0", "id": 5, "method": "tools/list", "params": {"_meta": meta}}
            assert (
                await http.post(endpoint, json=listing, headers={"MCP-Protocol-Version": "2026-07-28"})
            ).status_code == 202
            legacy = {"jsonrpc": "2.0", "id": 6, "method": "tools/list", "params": {}}
            assert (await http.post(endpoint, json=legacy)).status_code == 202
            results: dict[int, Any] = {}
            async for line in lines:
                if line.startswith("data: "):
                    reply = json.loads(line[6:])
                    results[reply["id"]] = reply["result"]
                    if len(results) == 2:
                        break
    assert results[5]["resultType"] == "complete" and results[5]["tools"]
    assert "resultType" not in results[6] and results[6]["tools"]


async def test_a_call_cancelled_by_its_client_is_logged_as_cancelled(
    jira_fake: FakeJira, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="passthrough")
    jira_fake.delay = 2.0
    async with serve(make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"))) as url:
        async with httpx.AsyncClient(base_url=url, timeout=0.3) as http:
            with pytest.raises(httpx.TimeoutException):
                await http.post("/mcp", json=call("jira_get_myself", {}), headers=ALICE_H)
        for _ in range(40):
            if any("tool jira_get_myself" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    outcomes = [r.getMessage() for r in caplog.records if "tool jira_get_myself" in r.getMessage()]
    assert outcomes and all(" cancelled in " in m for m in outcomes), outcomes


async def test_one_address_cannot_take_every_connection(jira_fake: FakeJira) -> None:
    settings = make_settings(jira_env(jira_fake, PASSTHROUGH_FALLBACK="off"), max_connections_per_address=6)
    async with serve(settings) as url:
        held = [_raw_socket(url) for _ in range(10)]
        await asyncio.sleep(0.2)
        answers = []
        for sock in held[6:]:
            answers.append(await _closed_within(sock, 5))
        assert all(b" 503 " in a and b"PASSTHROUGH_MAX_CONNECTIONS_PER_ADDRESS" in a for a in answers)
        for sock in held:
            sock.close()
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            assert (await http.get("/healthz")).status_code == 200, "closed connections were not given back"
