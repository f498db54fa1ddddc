"""Revision 2026-07-28: one self-contained request per POST, its `_meta` envelope checked before dispatch.

The checks are the SDK's inbound ladder (a pure function of the message and
the routing headers); this module turns its verdicts into what a transport
sends: a request to dispatch under the revision the envelope names, or a
JSON-RPC error with the HTTP status the specification gives it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from passthrough.errors import ProtocolError
from passthrough.protocol._dispatcher import SUPPORTED_VERSIONS
from passthrough.protocol._jsonrpc import Request, RequestId, decode, error, message, request_id_of
from passthrough.protocol._sdk import (
    ERROR_CODE_HTTP_STATUS,
    HEADER_MISMATCH,
    INVALID_REQUEST,
    UNSUPPORTED_PROTOCOL_VERSION,
    InboundLadderRejection,
    classify_inbound_request,
    find_duplicated_routing_header,
    unsupported_protocol_version_rejection,
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A body turned away before dispatch: the JSON-RPC error to send and its HTTP status."""

    error: dict[str, Any]
    status: int = 400

    @classmethod
    def of(cls, exc: ProtocolError, rid: RequestId | None = None) -> Refusal:
        return cls(error(rid if rid is not None else exc.rid, exc.code, exc.message, exc.data))


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request whose envelope passed the ladder, and the revision it runs under."""

    request: Request
    version: str


def _ladder(rejection: InboundLadderRejection, rid: RequestId | None) -> Refusal:
    status = ERROR_CODE_HTTP_STATUS.get(rejection.code, 400)
    return Refusal(error(rid, rejection.code, rejection.message, rejection.data), status)


def admit(body: bytes, version: str, headers: Iterable[tuple[str, str]]) -> Admitted | Refusal | None:
    """What one 2026-07-28 POST asks for; None for a notification, which is accepted and not answered.

    `version` is the body's `MCP-Protocol-Version` header and `headers` all of
    its headers, repeats included: a routing header sent twice is refused.
    """
    try:
        value = decode(body)
    except ProtocolError as exc:
        return Refusal.of(exc)
    if isinstance(value, dict) and "id" not in value:
        try:
            message(value)
        except ProtocolError as exc:
            return Refusal.of(exc)
        rejection = unsupported_protocol_version_rejection(version)
        return _ladder(rejection, None) if rejection else None
    try:
        msg = message(value)
        if not isinstance(msg, Request):
            raise ProtocolError(INVALID_REQUEST, "Body must be a single JSON-RPC request or notification object")
    except ProtocolError as exc:
        return Refusal.of(exc, request_id_of(value))
    raw = list(headers)
    duplicated = find_duplicated_routing_header(raw)
    if duplicated is not None:
        return _ladder(InboundLadderRejection(HEADER_MISMATCH, f"{duplicated} header appears more than once"), msg.id)
    verdict = classify_inbound_request(value, headers={k.lower(): v for k, v in raw})
    if isinstance(verdict, InboundLadderRejection):
        return _ladder(verdict, msg.id)
    return Admitted(msg, verdict.protocol_version)


def reply_status(reply: dict[str, Any]) -> int:
    """The HTTP status a 2026-07-28 reply travels with: 200, or the one its error code calls for."""
    return ERROR_CODE_HTTP_STATUS.get(reply["error"]["code"], 200) if "error" in reply else 200


def unsupported_version(requested: str) -> Refusal:
    """The answer to an `MCP-Protocol-Version` this server does not speak, naming the ones it does."""
    data = {"supported": list(SUPPORTED_VERSIONS), "requested": requested}
    return Refusal(error(None, UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version", data))
