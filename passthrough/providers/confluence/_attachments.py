"""Confluence REST calls for attachments and page images."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class AttachmentCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""
