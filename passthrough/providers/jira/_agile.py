"""Jira REST calls for Jira Software agile: boards and sprints (/rest/agile/1.0)."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class AgileCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""
