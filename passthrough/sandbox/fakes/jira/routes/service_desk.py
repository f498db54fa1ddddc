"""The fake Jira's Jira Service Management, under /rest/servicedeskapi."""

from __future__ import annotations

from .._call import JiraRoutes

routes = JiraRoutes()
