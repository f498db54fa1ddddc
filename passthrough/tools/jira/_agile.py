"""Jira tools for Jira Software agile: boards and sprints (/rest/agile/1.0)."""

from __future__ import annotations
