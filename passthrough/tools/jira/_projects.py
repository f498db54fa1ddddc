"""Jira tools for projects, versions, components and fields."""

from __future__ import annotations
