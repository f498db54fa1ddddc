"""Re-opening a session the server lost, for either transport: the client's handshake replayed, its answers swallowed.

The transports differ in where the answer to the replayed initialize arrives
(the legacy stream, or the POST's own response) and in the headers a session
needs; what counts as the server refusing the replay, and the
`notifications/initialized` that completes it, are the same and live here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from passthrough.sse_client._http import CONNECT_TIMEOUT, HANDSHAKE_TIMEOUT, POST_HEADERS, Refused, refusal
from passthrough.sse_client._wire import Message, error_message

log = logging.getLogger("passthrough.sse_client")

HANDSHAKE = httpx.Timeout(HANDSHAKE_TIMEOUT, connect=CONNECT_TIMEOUT)
INITIALIZED = b'{"jsonrpc":"2.0","method":"notifications/initialized"}'
"""Sent after a replayed initialize when the client's own notification was never seen."""


async def post_initialize(http: httpx.AsyncClient, url: str, body: bytes, label: str) -> httpx.Response:
    """POST a replayed initialize; Refused when the server turns it away at the HTTP level."""
    response = await http.post(url, content=body, headers=POST_HEADERS, timeout=HANDSHAKE)
    if not response.is_success:
        raise Refused(f"re-initializing failed: {refusal(label, response.status_code, response.content)}")
    return response


def check_answer(label: str, answer: Any) -> None:
    """Refused when the answer to a replayed initialize is an error: the session cannot be had back."""
    if (reason := error_message(answer)) is not None:
        raise Refused(f"{label} refused the replayed initialize: {reason}")


async def post_initialized(
    http: httpx.AsyncClient, url: str, initialized: Message | None, label: str, session: Mapping[str, str] | None = None
) -> None:
    """Complete a replayed handshake with the client's own `notifications/initialized` (or a plain one).

    `session`: the headers that name the re-opened session, where the transport has them.
    """
    note = initialized.raw if initialized is not None else INITIALIZED
    await http.post(url, content=note, headers={**POST_HEADERS, **(session or {})}, timeout=HANDSHAKE)
    log.info("session re-opened with %s", label)
