"""Credential values: frozen, with secrets kept out of repr, logs and equality of fingerprints."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Literal

from passthrough.settings import Deployment, Provider

# "token": the secret alone is the Authorization value (ClickUp's personal `pk_…` tokens)
Scheme = Literal["bearer", "basic", "token"]
Source = Literal["header", "authorization", "global"]


# Made once per process at start-up, never logged or derived from anything a client sends: without it a
# fingerprint cannot be reversed, nor a guessed token checked against one (a plain hash of a short token could be).
_FINGERPRINT_KEY = secrets.token_bytes(32)


def fingerprint(value: str) -> str:
    """A short tag that lets logs tell credentials apart: HMAC-SHA256 under the process's key, 12 hex."""
    return hmac.new(_FINGERPRINT_KEY, value.encode(), hashlib.sha256).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Credential:
    scheme: Scheme
    source: Source
    secret: str = field(repr=False)
    username: str | None = field(default=None, repr=False)
    # Where this credential goes when it is not the configured site: a site the request named
    # (allowlisted), or the Atlassian Cloud OAuth gateway. Never the server's shared credential.
    site: str | None = None
    deployment: Deployment | None = None
    # The Atlassian Cloud id of the site this credential is for, when known (X-Atlassian-Cloud-Id, or the
    # operator's ATLASSIAN_OAUTH_CLOUD_ID for the configured site): not secret; the Jira forms API needs it.
    cloud_id: str | None = None

    def authorization(self) -> str:
        if self.scheme == "basic":
            pair = f"{self.username or ''}:{self.secret}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if self.scheme == "token":
            return self.secret
        return f"Bearer {self.secret}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.authorization())

    def __str__(self) -> str:
        return f"<{self.scheme} credential {self.fingerprint} from {self.source}>"


_PRESENTED_FIELDS = (
    "jira_token",
    "jira_email",
    "confluence_token",
    "confluence_email",
    "openproject_key",
    "clickup_token",
    "bearer",
    "api_key",
    "jira_url",
    "confluence_url",
    "openproject_url",
    "cloud_id",
    "toolsets",
)


@dataclass(frozen=True, slots=True)
class Presented:
    """The credential headers one HTTP request carried, validated but not yet interpreted."""

    jira_token: str | None = field(default=None, repr=False)
    jira_email: str | None = field(default=None, repr=False)
    confluence_token: str | None = field(default=None, repr=False)
    confluence_email: str | None = field(default=None, repr=False)
    openproject_key: str | None = field(default=None, repr=False)
    clickup_token: str | None = field(default=None, repr=False)
    bearer: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    # Not secrets, but part of who is asking: the sites a request names, and its Atlassian Cloud id.
    jira_url: str | None = None
    confluence_url: str | None = None
    openproject_url: str | None = None
    cloud_id: str | None = None
    # What the client asked to be offered (X-MCP-Toolsets), normalized: never more than the server offers.
    toolsets: str | None = None
    # Not a credential: whether the request came through a reverse proxy (it named a forwarded client).
    forwarded: bool = False

    @property
    def empty(self) -> bool:
        return all(getattr(self, name) is None for name in _PRESENTED_FIELDS)

    def binding(self, key: bytes) -> str:
        """A keyed digest of everything presented: equal exactly when the same credentials are sent."""
        mac = hmac.new(key, digestmod=hashlib.sha256)
        for name in _PRESENTED_FIELDS:
            value = getattr(self, name)
            mac.update(b"\x00" if value is None else b"\x01" + value.encode() + b"\x00")
        return mac.hexdigest()

    def over(self, base: Presented) -> Presented | None:
        """The headers one message of a session runs with, or None if it names another identity.

        A message may carry no credential header at all (it runs with the
        session's) or exactly the session's; any other or additional credential
        is another identity, and nothing of it may run in this session.
        """
        if self.empty:
            return base
        for name in _PRESENTED_FIELDS:
            mine, theirs = getattr(self, name), getattr(base, name)
            if (mine is None) != (theirs is None):
                return None
            if mine is not None and not hmac.compare_digest(mine.encode(), theirs.encode()):
                return None
        return base


@dataclass(frozen=True, slots=True)
class RequestCredentials:
    """What one request may use upstream, per provider, after precedence and the fallback policy."""

    jira: Credential | None = None
    confluence: Credential | None = None
    openproject: Credential | None = None
    clickup: Credential | None = None
    api_key_ok: bool = False
    refusals: tuple[tuple[str, str], ...] = ()
    # The toolset selectors this request narrowed the server's offer to (X-MCP-Toolsets); None: no narrowing
    toolsets: frozenset[str] | None = None

    def get(self, provider: Provider) -> Credential | None:
        cred: Credential | None = getattr(self, provider)
        return cred

    def refusal(self, provider: Provider) -> str:
        return dict(self.refusals).get(provider, "")
