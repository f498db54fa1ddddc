"""JSON-RPC 2.0 envelopes: one decoded value into a message, and replies built and encoded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passthrough import _json
from passthrough.errors import ProtocolError
from passthrough.protocol._sdk import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR

RequestId = int | str


@dataclass(frozen=True, slots=True)
class Request:
    id: RequestId
    method: str
    params: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Notification:
    method: str
    params: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Reply:
    """A response or error the client sent us; we never ask the client anything, so these are dropped."""

    id: RequestId | None


Message = Request | Notification | Reply


def decode(body: bytes) -> Any:
    """The JSON value of `body`; a ProtocolError(PARSE_ERROR) when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ProtocolError(PARSE_ERROR, "Parse error: the body is not valid JSON") from None


def _valid_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


def message(value: Any) -> Message:
    """One JSON-RPC message from a decoded JSON value; ProtocolError(INVALID_REQUEST) otherwise."""
    if not isinstance(value, dict) or value.get("jsonrpc") != "2.0":
        raise ProtocolError(INVALID_REQUEST, "Invalid request: expected a JSON-RPC 2.0 object")
    params = value.get("params")
    if params is not None and not isinstance(params, dict):
        raise ProtocolError(INVALID_REQUEST, "Invalid request: params must be an object")
    if "method" in value:
        method = value["method"]
        if not isinstance(method, str) or not method:
            raise ProtocolError(INVALID_REQUEST, "Invalid request: method must be a non-empty string")
        if "id" not in value:
            return Notification(method, params)
        if not _valid_id(value["id"]):
            raise ProtocolError(INVALID_REQUEST, "Invalid request: id must be a string or an integer")
        return Request(value["id"], method, params)
    if "result" in value or "error" in value:
        rid = value.get("id")
        return Reply(rid if _valid_id(rid) else None)
    raise ProtocolError(INVALID_REQUEST, "Invalid request: no method")


def request_id_of(value: Any) -> RequestId | None:
    """The id of a decoded message if it has a usable one, for error replies to malformed requests."""
    if isinstance(value, dict):
        rid = value.get("id")
        if _valid_id(rid):
            return rid  # type: ignore[no-any-return, unused-ignore]
    return None


def result(rid: RequestId, body: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "result": body}


def error(rid: RequestId | None, code: int, text: str, data: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": text}
    if data is not None:
        err["data"] = data
    return {"jsonrpc": "2.0", "id": rid, "error": err}


def encode(payload: Any) -> bytes:
    return _json.dumps(payload)


def encode_replies(replies: list[dict[str, Any]], batch: bool, limit: int) -> bytes:
    """The body answering one POST: each reply encoded once, their sum bounded by `limit` bytes.

    A reply that would take the body past the limit is replaced by an error
    naming it, so one large answer never builds an unbounded buffer.
    """
    parts: list[bytes] = []
    total = 0
    for reply in replies:
        data = encode(reply)
        if total + len(data) > limit:
            data = encode(too_large(reply, len(data), limit))
        total += len(data)
        parts.append(data)
    return b"[" + b",".join(parts) + b"]" if batch else parts[0]


def too_large(reply: dict[str, Any], size: int, limit: int) -> dict[str, Any]:
    text = (
        f"The answer ({size} bytes) would exceed the server's reply limit of {limit} bytes "
        "(PASSTHROUGH_MAX_REPLY_BYTES); ask for less, e.g. fewer results per page"
    )
    return error(reply.get("id"), INTERNAL_ERROR, text)
