"""Jira REST calls for projects, versions, components and fields."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class ProjectCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""
