"""How Jira and Confluence (Server and Cloud alike) recognise a user from an `Authorization` header."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence
from typing import Protocol, TypeVar


class Account(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def token(self) -> str: ...


A = TypeVar("A", bound=Account)


def atlassian_login(users: Sequence[A], header: str, *, cloud: bool) -> tuple[A | None, str | None]:
    """The user a header names (Bearer token; Basic name:token on Server, email:token on Cloud) and its scheme."""
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    kind = scheme.lower() or None
    if not credentials:
        return None, kind
    if kind == "bearer":
        if cloud:
            # Cloud takes an API token only as Basic email:token; a Bearer there is an OAuth 2.0 access token
            # (through api.atlassian.com), which this fake does not issue
            return None, kind
        return next((u for u in users if secrets.compare_digest(u.token, credentials)), None), kind
    if kind == "basic":
        return _basic_user(users, credentials, cloud), kind
    return None, kind


def _basic_user(users: Sequence[A], credentials: str, cloud: bool) -> A | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, secret = decoded.partition(":")
    if not sep:
        return None
    for user in users:
        expected = user.email.lower() == login.lower() if cloud else user.name == login
        if expected and secrets.compare_digest(user.token, secret):
            return user
    return None
