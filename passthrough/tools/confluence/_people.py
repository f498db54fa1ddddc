"""Confluence tools for users, page views, templates, restrictions and permissions."""

from __future__ import annotations
