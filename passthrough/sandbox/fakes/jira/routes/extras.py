"""The fake Jira's attachments, dates, SLAs, development information, forms."""

from __future__ import annotations

from .._call import JiraRoutes

routes = JiraRoutes()
dev_status = JiraRoutes()  # /rest/dev-status/1.0
