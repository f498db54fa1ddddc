"""The one place passthrough imports the MCP SDK (`mcp` and its wire types `mcp_types`).

An SDK upgrade that moves or renames something touches this file only. Wire
types and the version registry come from `mcp_types`; the 2026-07-28 inbound
envelope ladder (a pure function) comes from `mcp.shared.inbound`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.shared.inbound import (
    ERROR_CODE_HTTP_STATUS,
    MCP_PROTOCOL_VERSION_HEADER,
    InboundLadderRejection,
    classify_inbound_request,
    find_duplicated_routing_header,
    unsupported_protocol_version_rejection,
)
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


def params_problem(method: str, version: str, params: Mapping[str, Any] | None) -> str | None:
    """Why `params` do not fit `method` at `version` per the SDK's schemas, or None when they do.

    A method the schema does not know at that version is not a params problem:
    dispatch owns method existence.
    """
    try:
        validate_client_request(method, version, params)
    except KeyError:
        return None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("params",))
        return f"{where or 'params'}: {first.get('msg', 'invalid')}"
    return None


def shape_result(method: str, version: str, result: Mapping[str, Any]) -> dict[str, Any]:
    """Dump `result` in the shape `version` defines (fields a revision lacks are dropped)."""
    try:
        return serialize_server_result(method, version, result)
    except KeyError:
        return dict(result)
