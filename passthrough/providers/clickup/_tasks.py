"""ClickUp API v2 calls for tasks: search (list and filtered team tasks, paged by `page`), read, create,
update, delete (added with their tools)."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class TaskCalls(ProviderClient):
    """Mixed into ClickUpClient; paths are under `self.api` (/api/v2)."""
