"""OpenProject API v3 calls for relations, parent and children, work package deletion and activities."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class RelationCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""
