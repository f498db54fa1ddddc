"""How the self-tests of the Atlassian fakes send credentials, shared by the Jira and Confluence tests."""

from __future__ import annotations

import base64
from contextvars import ContextVar
from typing import Protocol


class Account(Protocol):
    @property
    def email(self) -> str: ...
    @property
    def token(self) -> str: ...


# The deployment the test's `running` serves; `as_user` picks that deployment's way of sending a token.
DEPLOYMENT: ContextVar[str] = ContextVar("deployment", default="server")


def as_user(user: Account) -> dict[str, str]:
    """What this user's client sends to the deployment `running` serves: a Bearer token on Server/Data
    Center, Basic email:token on Cloud (where a Bearer is an OAuth 2.0 access token, not an API token)."""
    if DEPLOYMENT.get() == "cloud":
        return basic(user.email, user.token)
    return {"Authorization": f"Bearer {user.token}"}


def basic(login: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{secret}".encode()).decode()}
