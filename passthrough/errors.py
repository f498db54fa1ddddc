"""The one error tree of passthrough.

    PassthroughError
    ├── ConfigError                  bad environment at start-up (the CLI prints it and exits 2)
    ├── RequestRejected              refused at the HTTP layer; carries an HTTP status
    │   ├── BadHeader                400: a header that cannot be a credential
    │   ├── InvalidApiKey            401: X-MCP-API-Key present but not accepted
    │   ├── OriginForbidden          403
    │   ├── HostForbidden            403: a Host the server is not known by
    │   ├── SessionNotFound          404: unknown session, or one bound to another credential
    │   ├── NotAcceptable            406
    │   ├── RequestTimeout           408: the body did not arrive in time
    │   ├── TooLarge                 413: body or batch over its limit
    │   ├── UnsupportedMediaType     415
    │   └── ServerBusy               503: session, connection or in-flight limits reached
    ├── ProtocolError                a JSON-RPC error object; carries a JSON-RPC code
    └── ToolError                    a tool result with isError: true, worded for a person
        ├── InvalidArguments
        ├── MissingCredential        names the headers to send
        └── UpstreamError            the upstream's status and its own messages
            ├── UpstreamUnavailable  network failure or timeout
            └── RateLimited          429/503 with a Retry-After beyond what we wait for

Errors never carry a secret: messages are built from statuses, header names and
the upstream's own error messages, never from credential values.
"""

from __future__ import annotations

from typing import Any


class PassthroughError(Exception):
    """Root of every error passthrough raises on purpose."""


class ConfigError(PassthroughError):
    pass


class RequestRejected(PassthroughError):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadHeader(RequestRejected):
    status = 400


class InvalidApiKey(RequestRejected):
    status = 401


class OriginForbidden(RequestRejected):
    status = 403


class HostForbidden(RequestRejected):
    status = 403


class SessionNotFound(RequestRejected):
    status = 404


class NotAcceptable(RequestRejected):
    status = 406


class RequestTimeout(RequestRejected):
    status = 408


class TooLarge(RequestRejected):
    status = 413


class UnsupportedMediaType(RequestRejected):
    status = 415


class ServerBusy(RequestRejected):
    status = 503


class ProtocolError(PassthroughError):
    def __init__(self, code: int, message: str, data: Any = None, rid: int | str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.rid = rid  # the id of the request it answers, when one could be read


class ToolError(PassthroughError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArguments(ToolError):
    pass


class MissingCredential(ToolError):
    def __init__(self, provider: str, headers: tuple[str, ...], reason: str = "") -> None:
        sent = " or ".join(headers)
        text = f"No {provider} credential for this request. Send {sent}."
        if reason:
            text = f"{text} {reason}"
        super().__init__(text)
        self.provider = provider
        self.headers = headers


class UpstreamError(ToolError):
    def __init__(self, provider: str, status: int | None, message: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status


class UpstreamUnavailable(UpstreamError):
    pass


class RateLimited(UpstreamError):
    def __init__(self, provider: str, status: int, retry_after: float | None, message: str) -> None:
        super().__init__(provider, status, message)
        self.retry_after = retry_after
