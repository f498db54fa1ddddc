"""The one place passthrough imports the MCP SDK (`mcp` and its wire types `mcp_types`).

An SDK upgrade that moves or renames something touches this file only. Wire
types and the version registry come from `mcp_types`; the 2026-07-28 inbound
envelope ladder (a pure function) comes from `mcp.shared.inbound`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from mcp_types import PROTOCOL_VERSION_META_KEY, SERVER_INFO_META_KEY
from mcp_types.jsonrpc import (
    HEADER_MISMATCH,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    UNSUPPORTED_PROTOCOL_VERSION,
)
from mcp_types.methods import serialize_server_result, validate_client_request
from mcp_types.version import (
    HANDSHAKE_PROTOCOL_VERSIONS,
    LATEST_HANDSHAKE_VERSION,
    MODERN_PROTOCOL_VERSIONS,
)
from pydantic import ValidationError

_INBOUND = "mcp.shared.inbound"


def _load_inbound() -> ModuleType:
    """The SDK's `mcp.shared.inbound`, without what importing it through `mcp` costs.

    The module needs only the standard library and `mcp_types`, but `import mcp.shared.inbound`
    runs `mcp/__init__.py` first, which imports the SDK's client and server (a quarter of a
    second of start-up that the server never uses). So the file is run on its own, under its
    own name, unless `mcp` is already imported (a test process) or the file cannot be found or
    run that way (an SDK that changed its layout): then it is imported as usual.
    """
    if "mcp" in sys.modules or _INBOUND in sys.modules:
        return importlib.import_module(_INBOUND)
    try:
        found = importlib.util.find_spec("mcp")
        places = list(found.submodule_search_locations or ()) if found is not None else []
        spec = importlib.util.spec_from_file_location(_INBOUND, f"{places[0]}/shared/inbound.py")
        if spec is None or spec.loader is None:
            raise ImportError(_INBOUND)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_INBOUND] = module  # one module object, whoever imports it later
        spec.loader.exec_module(module)
    except Exception:  # any failure to run it alone: import it the ordinary way
        sys.modules.pop(_INBOUND, None)
        return importlib.import_module(_INBOUND)
    return module


if TYPE_CHECKING:
    from mcp.shared.inbound import (
        ERROR_CODE_HTTP_STATUS,
        MCP_PROTOCOL_VERSION_HEADER,
        InboundLadderRejection,
        classify_inbound_request,
        find_duplicated_routing_header,
        unsupported_protocol_version_rejection,
    )
else:
    _inbound = _load_inbound()
    ERROR_CODE_HTTP_STATUS = _inbound.ERROR_CODE_HTTP_STATUS
    MCP_PROTOCOL_VERSION_HEADER = _inbound.MCP_PROTOCOL_VERSION_HEADER
    InboundLadderRejection = _inbound.InboundLadderRejection
    classify_inbound_request = _inbound.classify_inbound_request
    find_duplicated_routing_header = _inbound.find_duplicated_routing_header
    unsupported_protocol_version_rejection = _inbound.unsupported_protocol_version_rejection

__all__ = [
    "BATCHING_VERSIONS",
    "ERROR_CODE_HTTP_STATUS",
    "HANDSHAKE_PROTOCOL_VERSIONS",
    "HEADER_MISMATCH",
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "LATEST_HANDSHAKE_VERSION",
    "MCP_PROTOCOL_VERSION_HEADER",
    "METHOD_NOT_FOUND",
    "MODERN_PROTOCOL_VERSIONS",
    "PARSE_ERROR",
    "PROTOCOL_VERSION_META_KEY",
    "SERVER_INFO_META_KEY",
    "UNSUPPORTED_PROTOCOL_VERSION",
    "InboundLadderRejection",
    "classify_inbound_request",
    "find_duplicated_routing_header",
    "params_problem",
    "shape_result",
    "unsupported_protocol_version_rejection",
]

BATCHING_VERSIONS = ("2024-11-05", "2025-03-26")


_PLAIN_CALL_KEYS = frozenset({"name", "arguments"})


def params_problem(method: str, version: str, params: Mapping[str, Any] | None) -> str | None:
    """Why `params` do not fit `method` at `version` per the SDK's schemas, or None when they do.

    A method the schema does not know at that version is not a params problem:
    dispatch owns method existence.
    """
    if (
        method == "tools/call"
        and version in HANDSHAKE_PROTOCOL_VERSIONS
        and type(params) is dict
        and params.keys() <= _PLAIN_CALL_KEYS
        and type(params.get("name")) is str
        and (params.get("arguments") is None or type(params["arguments"]) is dict)
    ):
        # the plain call (a name, an argument object, no _meta), which those schemas always accept, is not put
        # through the SDK's validator; tests/conftest.py checks this against the SDK for every call of the suite
        return None
    return sdk_params_problem(method, version, params)


def sdk_params_problem(method: str, version: str, params: Mapping[str, Any] | None) -> str | None:
    """`params_problem` through the SDK's schemas, always."""
    try:
        validate_client_request(method, version, params)
    except KeyError:
        return None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("params",))
        return f"{where or 'params'}: {first.get('msg', 'invalid')}"
    return None


_PLAIN_RESULT_KEYS = frozenset({"content", "isError", "_meta", "structuredContent", "resultType"})
_TEXT_ITEM = frozenset({"type", "text"})


def shape_result(method: str, version: str, result: Mapping[str, Any]) -> dict[str, Any]:
    """Dump `result` in the shape `version` defines (fields a revision lacks are dropped).

    A tool result made only of text items, `isError`, string `_meta` and structured content (every
    successful call's shape) is what every revision's dump gives back unchanged, so it is returned
    as it is: the SDK's validate-and-dump round trip of the whole answer is a twentieth of a call's
    CPU. tests/conftest.py checks this against the SDK for every tool result the suite produces.
    """
    if method == "tools/call" and plain_tool_result(version, result):
        return cast("dict[str, Any]", result)
    return sdk_shape_result(method, version, result)


def plain_tool_result(version: str, result: Mapping[str, Any]) -> bool:
    """Whether `result` has the one shape `shape_result` passes through at `version` (see there)."""
    if type(result) is not dict or not result.keys() <= _PLAIN_RESULT_KEYS:
        return False
    if "resultType" in result and version not in MODERN_PROTOCOL_VERSIONS:
        return False  # the handshake revisions' schema has no resultType: their dump drops it
    content, meta = result.get("content"), result.get("_meta")
    if type(content) is not list or type(result.get("isError")) is not bool:
        return False
    if result.get("resultType", "complete") != "complete" or type(result.get("structuredContent", {})) is not dict:
        return False
    if meta is not None and (type(meta) is not dict or not all(type(v) is str for v in meta.values())):
        return False
    for item in content:
        if type(item) is not dict or item.keys() != _TEXT_ITEM:
            return False
        if item["type"] != "text" or type(item["text"]) is not str:
            return False
    return True


def sdk_shape_result(method: str, version: str, result: Mapping[str, Any]) -> dict[str, Any]:
    """`shape_result` through the SDK's schemas, always."""
    try:
        return serialize_server_result(method, version, result)
    except KeyError:
        return dict(result)
