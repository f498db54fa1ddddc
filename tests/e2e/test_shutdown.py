"""Stopping the server with event streams open ends them at once instead of at aiohttp's graceful timeout."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx

from tests.conftest import environment_without_providers, start_server_process


async def test_sigterm_with_open_streams_exits_promptly() -> None:
    proc, url, _ = await start_server_process("serve", "--port", "0", env=environment_without_providers())
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
