"""Jira forms (ProForma) REST calls."""

from __future__ import annotations

from passthrough.providers._client import ProviderClient


class FormsCalls(ProviderClient):
    """Mixed into JiraClient; `self.cloud` is the deployment."""
