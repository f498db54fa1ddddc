"""Confluence REST calls for footer and inline comments: read, reply, anchor."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class DiscussionCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""
