"""OpenProject API v3 calls for work package attachments."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class AttachmentCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""
