"""Confluence tools that move, copy or delete a page, and read or set its restrictions."""

from __future__ import annotations
