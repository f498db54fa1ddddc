"""Confluence's error bodies, in the two shapes its APIs use.

* REST v1 (Server/DC and Cloud ``/rest/api``)::

    {"statusCode": 404, "data": {"authorized": false, "valid": true, "allowedInReadOnlyMode": true,
     "errors": [], "successful": false}, "message": "...", "reason": "Not Found"}

* Cloud REST v2 (``/wiki/api/v2``)::

    {"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not Found", "detail": null}]}

Code below the HTTP layer raises :class:`ConfluenceError`; the fake renders it in the shape of the API the
request was sent to.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

_V2_CODES = {
    400: "INVALID_REQUEST_PARAMETER",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    410: "GONE",
    413: "REQUEST_ENTITY_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ConfluenceError(Exception):
    """An error answer; ``message`` is the v1 message and the v2 ``title`` (unless ``v2_title`` is given)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        v2_title: str | None = None,
        v2_code: str | None = None,
        validation: bool = False,
    ) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message
        self.v2_title = v2_title if v2_title is not None else message
        self.v2_code = v2_code
        self.validation = validation  # v1: the message also appears in data.errors, valid=false

    def v1_body(self) -> dict[str, Any]:
        return v1_error_body(self.status, self.message, validation=self.validation)

    def v2_body(self) -> dict[str, Any]:
        return v2_error_body(self.status, self.v2_title, self.v2_code)


def v1_error_body(status: int, message: str, *, validation: bool = False) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    if validation:
        errors.append({"message": {"key": message, "args": []}})
    return {
        "statusCode": status,
        "data": {
            "authorized": status not in (401, 403),
            "valid": not validation,
            "allowedInReadOnlyMode": True,
            "errors": errors,
            "successful": False,
        },
        "message": message,
        "reason": reason(status),
    }


def v2_error_body(status: int, title: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {
        "errors": [
            {
                "status": status,
                "code": code or _V2_CODES.get(status, reason(status).upper().replace(" ", "_")),
                "title": title if title is not None else reason(status),
                "detail": None,
            }
        ]
    }


def not_found_v1(content_id: str) -> ConfluenceError:
    return ConfluenceError(404, f"No content found with id: ContentId{{id={content_id}}}", v2_title="Not Found")


def bad_request(message: str, *, v2_title: str | None = None) -> ConfluenceError:
    return ConfluenceError(400, message, v2_title=v2_title)
