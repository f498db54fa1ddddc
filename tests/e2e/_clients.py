"""Real MCP clients (the official SDK) over every transport passthrough serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

# "sse" is the legacy HTTP+SSE transport; the others are Streamable HTTP client modes.
TRANSPORTS = ("sse", "legacy", "auto", "2026-07-28")


@asynccontextmanager
async def connect(base_url: str, transport: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    if transport == "sse":
        async with Client(sse_client(base_url + "/sse", headers=headers), mode="legacy", cache=None) as client:
            yield client
        return
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http:
        async with Client(
            streamable_http_client(base_url + "/mcp", http_client=http), mode=transport, cache=None
        ) as client:
            yield client


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")
