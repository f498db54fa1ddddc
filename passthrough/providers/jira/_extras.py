"""Jira REST calls for attachments and images, dates and SLAs, development information, forms, project analysis."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class ExtrasCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""
