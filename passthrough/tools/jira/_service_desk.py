"""Jira tools for Jira Service Management (/rest/servicedeskapi)."""

from __future__ import annotations
