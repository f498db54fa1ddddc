"""Confluence REST calls for users, page views, templates and permissions."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class PeopleCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""
