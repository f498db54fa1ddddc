"""Protocol: JSON-RPC envelopes and MCP method dispatch, shared by every transport."""

from passthrough.protocol import _jsonrpc as jsonrpc
from passthrough.protocol._dispatcher import SUPPORTED_VERSIONS, Dispatcher, Exchange, negotiate, revision_of

__all__ = ["SUPPORTED_VERSIONS", "Dispatcher", "Exchange", "jsonrpc", "negotiate", "revision_of"]
