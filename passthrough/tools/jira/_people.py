"""Jira tools for users, watchers, worklogs and assigning."""

from __future__ import annotations
