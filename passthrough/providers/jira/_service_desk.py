"""Jira REST calls for Jira Service Management (/rest/servicedeskapi)."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class ServiceDeskCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""
