"""Jira tools for attachments and images, dates and SLAs, development information, forms, project analysis."""

from __future__ import annotations
