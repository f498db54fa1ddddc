"""The fake Jira's boards and sprints, under /rest/agile/1.0."""

from __future__ import annotations

from .._call import JiraRoutes

routes = JiraRoutes()
