"""API keys that authenticate a client to passthrough itself; the server holds only digests."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_KEY = re.compile(r"^mcp_[0-9a-f]{64}$")


def new_api_key() -> tuple[str, str]:
    """A fresh key and the SHA-256 digest an operator puts in PASSTHROUGH_API_KEY_HASHES."""
    key = "mcp_" + secrets.token_hex(32)
    return key, digest(key)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def well_formed(key: str) -> bool:
    return _KEY.match(key) is not None


def accepted(key: str, digests: tuple[str, ...]) -> bool:
    """Constant-time with respect to which digest matches, and where two digests differ."""
    presented = digest(key).encode()
    found = False
    for known in digests:
        found |= hmac.compare_digest(presented, known.encode())
    return found
