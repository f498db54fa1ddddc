"""Confluence REST calls for page history and diffs, the space's page tree, section updates."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class HistoryCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""
