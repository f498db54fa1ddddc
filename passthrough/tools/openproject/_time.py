"""OpenProject tools for time entries (durations as people write them) and versions."""

from __future__ import annotations
