"""Confluence tools for attachments and page images."""

from __future__ import annotations
