"""Jira tools for issue operations beyond read and write: delete, move, batches, changelogs, comment edits, links."""

from __future__ import annotations
