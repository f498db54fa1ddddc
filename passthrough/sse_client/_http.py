"""What both transports share: the HTTP client, bounded waits, and failures worded for the user."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Protocol

import httpx

from passthrough.sse_client._wire import CONNECTION_CLOSED, REQUEST_TIMEOUT, Message, error_message

CONNECT_TIMEOUT = 10.0
REQUEST_TIMEOUT_SECONDS = 300.0
"""Longest wait for one answer: long tool calls are fine, a hang is not."""
HANDSHAKE_TIMEOUT = 30.0
"""Longest wait for a replayed initialize, a DELETE, or an SSE endpoint to be ready."""

POST_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
SSE_HEADERS = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}


class Relay(Protocol):
    async def send(self, message: Message) -> None:
        """Deliver one stdin message and write whatever answers it to stdout; never raises."""

    async def aclose(self) -> None:
        """End the session with the server (bounded)."""


class Refused(Exception):
    """The server answered, but not with something to relay; the message is for the user."""


def new_client(headers: Mapping[str, str]) -> httpx.AsyncClient:
    """One client for the process: credentials on every request, no proxies or .netrc from the environment."""
    return httpx.AsyncClient(
        headers=dict(headers),
        timeout=httpx.Timeout(REQUEST_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT),
        trust_env=False,
        follow_redirects=False,
    )


def failure(label: str, exc: BaseException) -> tuple[int, str]:
    """A JSON-RPC error code and message for a request that could not be delivered or answered."""
    kind = type(exc).__name__
    if isinstance(exc, Refused):
        return CONNECTION_CLOSED, str(exc)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return CONNECTION_CLOSED, f"{label} is not reachable: {kind}"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return REQUEST_TIMEOUT, f"{label} did not answer in time ({kind}; limit {REQUEST_TIMEOUT_SECONDS:.0f} s)"
    return CONNECTION_CLOSED, f"the connection to {label} failed: {kind}"


def media_type(response: httpx.Response) -> str:
    """The response's content type without parameters, lower-cased; empty when it names none."""
    value: str = response.headers.get("content-type", "")
    return value.partition(";")[0].strip().lower()


def refusal(label: str, status: int, body: bytes) -> Refused:
    """An HTTP error without a relayable JSON-RPC body, worded with the server's own reason if it gave one."""
    try:
        reason = error_message(json.loads(body))
    except ValueError:
        reason = None
    return Refused(f"{label} answered HTTP {status}" + (f": {reason}" if reason else ""))
