"""Credentials: a pure function from request headers and settings to frozen credential values."""

from passthrough.credentials._apikeys import digest, new_api_key
from passthrough.credentials._resolve import (
    CREDENTIAL_HEADERS,
    FORWARDING_HEADERS,
    HEADERS_TO_SEND,
    credential_source,
    extract,
    resolve,
)
from passthrough.credentials._values import Credential, Presented, RequestCredentials, fingerprint

__all__ = [
    "CREDENTIAL_HEADERS",
    "FORWARDING_HEADERS",
    "HEADERS_TO_SEND",
    "Credential",
    "Presented",
    "RequestCredentials",
    "credential_source",
    "digest",
    "extract",
    "fingerprint",
    "new_api_key",
    "resolve",
]
