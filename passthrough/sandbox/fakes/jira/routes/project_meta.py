"""The fake Jira's versions, components, fields and create metadata."""

from __future__ import annotations

from .._call import JiraRoutes

routes = JiraRoutes()
