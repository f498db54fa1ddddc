"""The fake Jira's delete, move, bulk create, changelogs, comment edits, remote links."""

from __future__ import annotations

from .._call import JiraRoutes

routes = JiraRoutes()
