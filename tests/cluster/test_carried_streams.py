"""A node that stops ends, at once, the event streams it carries for the other nodes' sessions (as it ends its
own): a graceful stop never waits out its timeout for a stream that would never end by itself. Two nodes in
this process, finding each other through socket files as the workers of `serve --workers N` do."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from passthrough.http import build_app, listen
from tests.conftest import ALICE, jira_env, jira_headers, make_settings
from tests.fakes import FakeJira

VERSION = "2025-06-18"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "stop", "version": "1"}},
}
GRACE = 5.0  # the graceful stop's timeout, as `passthrough serve` has it


async def test_a_stopping_node_ends_the_streams_it_carries_for_others_at_once(
    server_jira: FakeJira, tmp_path: Path
) -> None:
    sockets = tmp_path / "nodes"
    sockets.mkdir(mode=0o700)
    settings = make_settings(jira_env(server_jira, PASSTHROUGH_WORKER_SOCKETS=str(sockets)))
    owner = await listen(build_app(settings), settings, "127.0.0.1", 0, shutdown_timeout=GRACE)
    carrier = await listen(build_app(settings), settings, "127.0.0.1", 0, shutdown_timeout=GRACE)
    try:
        a, b = f"http://127.0.0.1:{owner.port}", f"http://127.0.0.1:{carrier.port}"
        async with httpx.AsyncClient(timeout=30) as http:
            opened = await http.post(a + "/mcp", json=INIT, headers=jira_headers(ALICE, "server"))
            sid = opened.headers["Mcp-Session-Id"]
            headers = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": VERSION, "Accept": "text/event-stream"}
            async with http.stream("GET", b + "/mcp", headers=headers) as stream:
                assert stream.status_code == 200 and stream.headers["content-type"] == "text/event-stream"
                started = time.monotonic()
                stopping = asyncio.create_task(carrier.stop())
                async with asyncio.timeout(GRACE + 5):
                    try:
                        async for _ in stream.aiter_bytes():
                            pass
                    except httpx.HTTPError:
                        pass  # cut rather than ended: the same to the client, which opens it again elsewhere
                    await stopping
                took = time.monotonic() - started
            assert took < GRACE / 2, f"the carrying node took {took:.1f} s to stop, its graceful timeout"
            # the session itself is the owner's, untouched
            ping = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
            alive = await http.post(a + "/mcp", json=ping, headers={**headers, "Accept": "application/json"})
            assert alive.status_code == 200, alive.text
    finally:
        await carrier.stop()
        await owner.stop()
