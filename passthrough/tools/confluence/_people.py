"""Confluence tools for users, page views, templates and permissions."""

from __future__ import annotations
