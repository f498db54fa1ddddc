"""Jira REST calls for users, watchers, worklogs and assigning."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class PeopleCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""
