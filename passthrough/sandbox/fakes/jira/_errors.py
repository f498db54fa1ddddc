"""Jira's error bodies: ``{"errorMessages": [...], "errors": {...}}``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class JiraError(Exception):
    """An error answer; raised anywhere below the HTTP layer and turned into a JSON response there."""

    def __init__(self, status: int, messages: Sequence[str] = (), errors: Mapping[str, str] | None = None) -> None:
        super().__init__(status, list(messages), dict(errors or {}))
        self.status = status
        self.messages = list(messages)
        self.errors = dict(errors or {})

    @property
    def body(self) -> dict[str, Any]:
        return error_body(self.messages, self.errors)


def error_body(messages: Sequence[str] = (), errors: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"errorMessages": list(messages), "errors": dict(errors or {})}


def bad_request(*messages: str) -> JiraError:
    return JiraError(400, messages)


def field_errors(errors: Mapping[str, str]) -> JiraError:
    return JiraError(400, (), errors)


def issue_not_found() -> JiraError:
    return JiraError(404, ["Issue does not exist or you do not have permission to see it."])


def project_not_found(ref: str) -> JiraError:
    return JiraError(404, [f"No project could be found with key '{ref}'."])


def cannot_set(field: str) -> str:
    return f"Field '{field}' cannot be set. It is not on the appropriate screen, or unknown."
