"""The dispatcher's two fast paths around the SDK's schemas give exactly what the SDK gives.

`shape_result` passes a plain tool result through unchanged and `params_problem` accepts a plain
call without the SDK's validator; everything else still goes through the SDK. (tests/conftest.py
also compares both against the SDK for every call the suite's in-process servers handle.)
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from passthrough.protocol import _sdk
from passthrough.protocol._dispatcher import SUPPORTED_VERSIONS

TEXT = {"type": "text", "text": "# DEMO-1: a summary\n\nwith **Markdown**"}
META = {"io.passthrough/credential": "header", "io.passthrough/provider": "jira"}

PLAIN: list[dict[str, Any]] = [
    {"content": [TEXT], "isError": False},
    {"content": [TEXT], "isError": False, "_meta": META},
    {"content": [TEXT, TEXT], "isError": True, "_meta": META},
    {"content": [], "isError": False},
    {"content": [TEXT], "isError": False, "_meta": META, "structuredContent": {"key": "DEMO-1", "x": None}},
    {"content": [TEXT], "isError": False, "structuredContent": {"rows": [{"a": 1, "b": None}, [1.5, "é"]]}},
]

# shapes the SDK's dump may change: they must not take the fast path
OTHER: list[dict[str, Any]] = [
    {"content": [{"type": "text", "text": "x", "annotations": None}], "isError": False},
    {"content": [{"type": "text", "text": "x", "annotations": {"audience": ["user"]}}], "isError": False},
    {"content": [{"type": "image", "data": "AAAA", "mimeType": "image/png"}], "isError": False},
    {"content": [{"type": "text", "text": 3}], "isError": False},
    {"content": [TEXT], "isError": None},
    {"content": [TEXT], "isError": False, "structuredContent": None},
    {"content": [TEXT], "isError": False, "_meta": {"n": 1}},
    {"content": [TEXT], "isError": False, "extra": 1},
    {"content": (TEXT,), "isError": False},
]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("result", PLAIN)
def test_a_plain_tool_result_is_what_the_sdk_dumps(version: str, result: dict[str, Any]) -> None:
    if version in _sdk.MODERN_PROTOCOL_VERSIONS:
        result = {**result, "resultType": "complete"}
    assert _sdk.plain_tool_result(version, result)
    expected = _sdk.sdk_shape_result("tools/call", version, copy.deepcopy(result))
    assert _sdk.shape_result("tools/call", version, result) == expected


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("result", OTHER)
def test_other_tool_results_go_through_the_sdk(version: str, result: dict[str, Any]) -> None:
    assert not _sdk.plain_tool_result(version, result)


@pytest.mark.parametrize("version", _sdk.HANDSHAKE_PROTOCOL_VERSIONS)
def test_result_type_is_dropped_where_a_revision_lacks_it(version: str) -> None:
    result = {"content": [TEXT], "isError": False, "resultType": "complete"}
    assert not _sdk.plain_tool_result(version, result)
    assert "resultType" not in _sdk.shape_result("tools/call", version, result)


def test_other_methods_always_go_through_the_sdk() -> None:
    listing: dict[str, Any] = {"tools": [], "nextCursor": None}
    assert _sdk.shape_result("tools/list", "2025-06-18", listing) == {"tools": []}


PARAMS: list[Any] = [
    {"name": "jira_get_issue", "arguments": {"issue_key": "DEMO-1"}},
    {"name": "jira_get_issue"},
    {"name": "jira_get_issue", "arguments": None},
    {"name": "jira_get_issue", "arguments": {}},
    {"name": 3, "arguments": {}},
    {"arguments": {}},
    {"name": "x", "arguments": [1]},
    {"name": "x", "arguments": "text"},
    {"name": "x", "_meta": {"progressToken": "p1"}},
    {"name": "x", "_meta": {"progressToken": 1.5}},
    {"name": "x", "_meta": None},
    {"name": "x", "other": True},
    {},
    None,
]


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("params", PARAMS)
def test_params_problem_agrees_with_the_sdk(version: str, params: Any) -> None:
    assert _sdk.params_problem("tools/call", version, params) == _sdk.sdk_params_problem("tools/call", version, params)
