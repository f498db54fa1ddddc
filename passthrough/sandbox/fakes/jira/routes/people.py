"""The fake Jira's users, watchers, worklogs."""

from __future__ import annotations

from .._call import JiraRoutes

routes = JiraRoutes()
