"""OpenProject API v3 calls for users, groups, placeholder users, assignable users, watchers, memberships and roles."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class PeopleCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""
