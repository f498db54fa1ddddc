"""ClickUp API v2 calls for task comments (added with their tools)."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class DiscussionCalls(ProviderClient):
    """Mixed into ClickUpClient; paths are under `self.api` (/api/v2)."""
