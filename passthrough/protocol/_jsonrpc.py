"""JSON-RPC 2.0 envelopes: decoding a body into messages, and building replies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passthrough.errors import ProtocolError
from passthrough.protocol._sdk import INVALID_REQUEST, PARSE_ERROR

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
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
