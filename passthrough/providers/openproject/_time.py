"""OpenProject API v3 calls for time entries and their activities, and versions."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class TimeCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""
