"""Confluence tools for page history and diffs, move, copy, delete, the space's page tree, section updates."""

from __future__ import annotations
