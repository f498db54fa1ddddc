"""Protocol: JSON-RPC envelopes and MCP method dispatch, shared by every transport.

Transports import from here only; `_sdk` stays the one module that imports the MCP SDK.
"""

from passthrough.protocol import _jsonrpc as jsonrpc
from passthrough.protocol._batch import Batch, read_batch
from passthrough.protocol._dispatcher import (
    SUPPORTED_VERSIONS,
    Dispatcher,
    Exchange,
    Notify,
    negotiate,
    progress_token,
    revision_of,
)
from passthrough.protocol._sdk import (
    HANDSHAKE_PROTOCOL_VERSIONS,
    INTERNAL_ERROR,
    INVALID_REQUEST,
    LATEST_HANDSHAKE_VERSION,
    MCP_PROTOCOL_VERSION_HEADER,
    MODERN_PROTOCOL_VERSIONS,
)
from passthrough.protocol._stateless import Admitted, Refusal, admit, reply_status, unsupported_version

__all__ = [
    "HANDSHAKE_PROTOCOL_VERSIONS",
    "INTERNAL_ERROR",
    "INVALID_REQUEST",
    "LATEST_HANDSHAKE_VERSION",
    "MCP_PROTOCOL_VERSION_HEADER",
    "MODERN_PROTOCOL_VERSIONS",
    "SUPPORTED_VERSIONS",
    "Admitted",
    "Batch",
    "Dispatcher",
    "Exchange",
    "Notify",
    "Refusal",
    "admit",
    "jsonrpc",
    "negotiate",
    "progress_token",
    "read_batch",
    "reply_status",
    "revision_of",
    "unsupported_version",
]
