"""OpenProject API v3 calls for projects, the instance, priorities, notifications, queries, boards, documents."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class WorkspaceCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""
