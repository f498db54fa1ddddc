"""JSON-RPC as the relay sees it: lines in, lines out, which ids a message asks or answers; SSE framing."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

PARSE_ERROR = -32700
CONNECTION_CLOSED = -32000  # the MCP SDK's code for a transport that failed under a request
REQUEST_TIMEOUT = -32001

PROTOCOL_VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion"
_NAME_BEARING = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
_HEADER_SAFE = re.compile(r"^[\x20-\x7E]*$")
_B64_SENTINEL = re.compile(r"^=\?base64\?.*\?=$")


def id_key(rid: Any) -> str:
    """A hashable key that keeps 1 and "1" apart, as JSON-RPC does."""
    return json.dumps(rid, sort_keys=True)


@dataclass(frozen=True)
class Message:
    """One line from stdin: the bytes as received (relayed unchanged) and their parse."""

    raw: bytes
    value: Any

    @property
    def items(self) -> list[Any]:
        return self.value if isinstance(self.value, list) else [self.value]

    @property
    def request_ids(self) -> list[Any]:
        return [item["id"] for item in self.items if _is_request(item)]

    @property
    def method(self) -> str | None:
        method = self.value.get("method") if isinstance(self.value, dict) else None
        return method if isinstance(method, str) else None

    @property
    def is_initialize(self) -> bool:
        return self.method == "initialize" and _is_request(self.value)

    @property
    def is_initialized_notification(self) -> bool:
        return self.method == "notifications/initialized" and "id" not in self.value

    def claim(self, value: Any) -> Any:
        """`value` with this message's id when it is a reply with id null and the message is one request.

        An HTTP-level refusal carries id null; the client can only match it to its request by id.
        """
        if isinstance(self.value, dict) and _is_request(self.value) and isinstance(value, dict):
            if value.get("id") is None:
                return {**value, "id": self.value["id"]}
        return value


def parse(line: bytes) -> Message:
    """Raises ValueError when the line is not JSON."""
    return Message(raw=line, value=json.loads(line))


def _is_request(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("method"), str) and "id" in item


def response_ids(value: Any) -> list[Any]:
    """Ids answered by a message from the server (a response or a batch of them)."""
    items = value if isinstance(value, list) else [value]
    return [item["id"] for item in items if isinstance(item, dict) and "id" in item and "method" not in item]


def one_line(data: bytes | str) -> bytes:
    """A JSON text as one stdout line: newlines can only be whitespace between tokens, so blank them."""
    raw = data.encode() if isinstance(data, str) else data
    return raw.strip().replace(b"\r", b" ").replace(b"\n", b" ")


def error_line(rid: Any, code: int, message: str) -> bytes:
    return encode({"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}})


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def error_message(value: Any) -> str | None:
    """The message of a JSON-RPC error object (or of the first in a batch), if that is what `value` is."""
    item = value[0] if isinstance(value, list) and value else value
    if isinstance(item, dict) and isinstance(item.get("error"), dict):
        message = item["error"].get("message")
        return message if isinstance(message, str) else None
    return None


def routing_headers(value: Any) -> dict[str, str]:
    """Headers a 2026-07-28 request must carry over HTTP, mirrored from its own `_meta` envelope.

    Handshake-era messages have no envelope and get none: the session's negotiated version applies.
    """
    if not isinstance(value, dict) or not isinstance(value.get("method"), str):
        return {}
    params = value.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    version = meta.get(PROTOCOL_VERSION_META_KEY) if isinstance(meta, dict) else None
    if not isinstance(version, str) or not isinstance(params, dict):
        return {}
    method: str = value["method"]
    headers = {"MCP-Protocol-Version": version, "Mcp-Method": _header_value(method)}
    name = params.get(_NAME_BEARING.get(method, ""))
    if isinstance(name, str):
        headers["Mcp-Name"] = _header_value(name)
    return headers


def _header_value(value: str) -> str:
    """Printable ASCII passes as is; anything else travels in the spec's `=?base64?…?=` wrapper."""
    if _HEADER_SAFE.fullmatch(value) and value == value.strip() and not _B64_SENTINEL.fullmatch(value):
        return value
    return f"=?base64?{base64.b64encode(value.encode()).decode('ascii')}?="


class SseParser:
    """Server-sent events, one line at a time; comments (keepalives) and ids are ignored."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> tuple[str, str] | None:
        """Returns (event, data) when `line` completes an event."""
        if not line:
            event, data = self._event or "message", self._data
            self._event, self._data = "", []
            return (event, "\n".join(data)) if data else None
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    parser = SseParser()
    async for line in lines:
        if (event := parser.feed(line.rstrip("\r\n"))) is not None:
            yield event


def sse_events_in(text: str) -> Iterable[tuple[str, str]]:
    parser = SseParser()
    for line in [*text.splitlines(), ""]:
        if (event := parser.feed(line)) is not None:
            yield event
