"""Jira REST calls for issue operations: delete, move, batches, changelogs, comment edits, links."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class IssueOpsCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""
