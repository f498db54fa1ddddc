"""Stopping the server with event streams open ends them at once instead of at aiohttp's graceful timeout."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time

import httpx


async def test_sigterm_with_open_streams_exits_promptly() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIRA_", "CONFLUENCE_", "OPENPROJECT_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "passthrough",
        "serve",
        "--port",
        "0",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    url = None
    async with asyncio.timeout(20):
        while url is None:
            line = (await proc.stdout.readline()).decode()
            assert line, "server exited early"
            if m := re.search(r"listening on (http://127\.0\.0\.1:\d+)", line):
                url = m.group(1)
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        streams = []
        for _ in range(3):
            cm = http.stream("GET", "/sse")
            response = await cm.__aenter__()
            assert response.status_code == 200
            streams.append((cm, response))
        init = {
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        sid = (await http.post("/mcp", json=init)).headers["Mcp-Session-Id"]
        get_cm = http.stream("GET", "/mcp", headers={"Mcp-Session-Id": sid})
        get_response = await get_cm.__aenter__()
        assert get_response.status_code == 200
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 15)
        elapsed = time.monotonic() - started
        for cm, _ in streams:
            await cm.__aexit__(None, None, None)
        await get_cm.__aexit__(None, None, None)
    assert proc.returncode == 0
    assert elapsed < 4, f"shutdown took {elapsed:.1f}s with streams open"
