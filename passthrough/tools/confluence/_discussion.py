"""Confluence tools for footer and inline comments: read, reply, anchor."""

from __future__ import annotations
