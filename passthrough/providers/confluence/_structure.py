"""Confluence REST calls that change where a page lives or who may see it: move, copy, delete, restrictions."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class StructureCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""
