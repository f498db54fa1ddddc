"""Confluence tools for page history and diffs, the space's page tree, section updates."""

from __future__ import annotations
