"""ClickUp API v2 calls for time entries of a Workspace (added with their tools)."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class TimeCalls(ProviderClient):
    """Mixed into ClickUpClient; paths are under `self.api` (/api/v2)."""
