"""The fast JSON path gives what the standard library gives, and the event loop is chosen as documented."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from passthrough import _json
from passthrough.cli import loop_factory
from passthrough.errors import UpstreamError
from passthrough.protocol import _jsonrpc as jsonrpc
from passthrough.providers._upstream import Answer


def _answer(body: bytes) -> Answer:
    return Answer(200, CIMultiDictProxy(CIMultiDict()), body, "jira", "Jira")


@pytest.mark.parametrize(
    "value",
    [
        {"text": "é ☃ \u2028 \U0001f600", "n": [1, -2, 3.5, True, None], "nested": {"a": {"b": []}}},
        {"big": 2**70, "negative": -(2**65)},  # past 64 bits: written by the standard library
        {"key": "x" * 100_000},
    ],
)
def test_replies_are_the_standard_librarys_bytes(value: Any) -> None:
    assert jsonrpc.encode(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def test_non_string_keys_fall_back() -> None:
    assert _json.dumps({1: "a"}) == b'{"1":"a"}'


@pytest.mark.parametrize(
    "body",
    [
        b'{"key":"DEMO-1","fields":{"summary":"caf\xc3\xa9","n":[1,2.5,null,true]}}',
        b'\xef\xbb\xbf{"bom": 1}',  # orjson refuses a byte-order mark; the standard library reads it
        b'{"x": NaN}',  # not JSON, but read as the standard library reads it
    ],
)
def test_upstream_bodies_read_as_the_standard_library_reads_them(body: bytes) -> None:
    got = _answer(body).json()
    want = json.loads(body.decode("utf-8-sig"))
    assert json.dumps(got) == json.dumps(want)


@pytest.mark.parametrize(
    ("body", "why"),
    [(b'{"a": "\xff"}', "not UTF-8"), (b"[" * 5000 + b"]" * 5000, "nested too deeply"), (b"{nope", "line 1 column 2")],
)
def test_unreadable_upstream_bodies_keep_their_messages(body: bytes, why: str) -> None:
    with pytest.raises(UpstreamError, match=why):
        _answer(body).json()


def test_client_request_ids_past_64_bits_are_kept_exactly() -> None:
    rid = 2**70
    decoded = jsonrpc.decode(json.dumps({"jsonrpc": "2.0", "id": rid, "method": "ping"}).encode())
    assert decoded["id"] == rid and isinstance(decoded["id"], int)
    assert json.loads(jsonrpc.encode(jsonrpc.result(rid, {})))["id"] == rid


def test_event_loop_choice() -> None:
    assert loop_factory("asyncio") is None
    with pytest.raises(SystemExit, match="PASSTHROUGH_EVENT_LOOP"):
        loop_factory("trio")
    uvloop = pytest.importorskip("uvloop")
    factory = loop_factory("auto")
    assert factory is uvloop.new_event_loop
    loop = factory()
    try:
        assert isinstance(loop, asyncio.AbstractEventLoop)
    finally:
        loop.close()
    assert loop_factory("uvloop") is uvloop.new_event_loop
