"""One POST body of the session transports, read once: the requests to answer and what the rest asks of the session.

Both session transports (legacy HTTP+SSE and Streamable HTTP's handshake
revisions) take a body that is one message or a JSON-RPC batch. They differ
only in where the answers go, so which messages are requests, which
cancellations to apply and which revision an initialize agrees are decided
here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passthrough.credentials import RequestCredentials
from passthrough.errors import ProtocolError
from passthrough.protocol._dispatcher import Exchange, Notify, negotiate, progress_token, revision_of
from passthrough.protocol._jsonrpc import Message, Notification, Request, decode, message, request_id_of
from passthrough.protocol._sdk import BATCHING_VERSIONS, INVALID_REQUEST

CANCELLED = "notifications/cancelled"


@dataclass(frozen=True, slots=True)
class Batch:
    """The messages of one body, sorted by what a transport does with them.

    Replies the client sent are dropped: the server never asks the client anything.
    """

    requests: tuple[Request, ...]
    batch: bool
    """The body was a JSON-RPC array, so the answer is one too."""
    cancelled: tuple[Any, ...]
    """The `requestId` of each `notifications/cancelled`, as sent."""
    agreed: str | None
    """The revision negotiated by an initialize in the body (the last one), None without one."""

    def exchanges(
        self, credentials: RequestCredentials, default: str, notify: Notify | None = None
    ) -> list[tuple[Request, Exchange]]:
        """Each request with what it runs under: the credentials, `default` unless its own envelope names one,
        and where its notifications go (`notify`, when the transport has a stream for them)."""
        return [(r, Exchange(credentials, revision_of(r, default), notify)) for r in self.requests]

    @property
    def wants_progress(self) -> bool:
        """Some request of the body asked for progress notifications (a `_meta.progressToken`)."""
        return any(progress_token(r) is not None for r in self.requests)


def parse(body: bytes, revision: str | None, max_batch: int) -> tuple[list[Message], bool]:
    """The messages of one POST body and whether they came as a batch.

    Batches are allowed only where `revision` allows them (any, while it is not
    known yet) and hold at most `max_batch` messages. Raises ProtocolError,
    carrying the request id when one could be read.
    """
    value = decode(body)
    batch = isinstance(value, list)
    if batch:
        if not value or (revision is not None and revision not in BATCHING_VERSIONS):
            raise ProtocolError(INVALID_REQUEST, f"Batches are not allowed in revision {revision}")
        if len(value) > max_batch:
            raise ProtocolError(
                INVALID_REQUEST,
                f"A batch may hold at most {max_batch} messages (this one holds {len(value)}; "
                "the server's PASSTHROUGH_MAX_BATCH); send the rest separately",
            )
    try:
        return [message(item) for item in (value if batch else [value])], batch
    except ProtocolError as exc:
        exc.rid = None if batch else request_id_of(value)
        raise


def read_batch(body: bytes, revision: str | None, max_batch: int, *, initialize_alone: bool = False) -> Batch:
    """`body` sorted into a Batch; ProtocolError when it is not one a transport may answer.

    `initialize_alone`: an initialize must come on its own, never in a batch
    (Streamable HTTP says so; the legacy transport predates the rule).
    """
    messages, batch = parse(body, revision, max_batch)
    requests = tuple(m for m in messages if isinstance(m, Request))
    initializes = [r for r in requests if r.method == "initialize"]
    if batch and initialize_alone and initializes:
        raise ProtocolError(INVALID_REQUEST, "initialize must not be part of a batch")
    cancelled = tuple(
        rid
        for m in messages
        if isinstance(m, Notification) and m.method == CANCELLED
        if (rid := (m.params or {}).get("requestId")) is not None
    )
    agreed = negotiate((initializes[-1].params or {}).get("protocolVersion")) if initializes else None
    return Batch(requests, batch, cancelled, agreed)
