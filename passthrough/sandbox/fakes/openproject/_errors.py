"""OpenProject's HAL error bodies: ``{"_type": "Error", "errorIdentifier": "urn:...", "message": ...}``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

URN = "urn:openproject-org:api:v3:errors:"

UNAUTHENTICATED = "You need to be authenticated to access this resource."
WRONG_CREDENTIALS = "You did not provide the correct credentials."
FORBIDDEN = "You are not authorized to access this resource."
NOT_FOUND = "The requested resource could not be found."
WORK_PACKAGE_NOT_FOUND = "The work package you are looking for cannot be found or has been deleted."
CONFLICT = "Couldn't update the resource because of conflicting modifications."
MULTIPLE = "Multiple field constraints have been violated."
NOT_JSON = "The request could not be parsed as JSON."
NOT_OBJECT = "The request body was not a single JSON object."
READ_ONLY = "You must not write a read-only attribute."
ALLOWED_CONTENT_TYPES = ("application/json", "application/hal+json")


def error_body(identifier: str, message: str, attribute: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"_type": "Error", "errorIdentifier": URN + identifier, "message": message}
    if attribute is not None:
        body["_embedded"] = {"details": {"attribute": attribute}}
    return body


class OpenProjectError(Exception):
    """An error answer; raised below the HTTP layer and turned into a HAL response there."""

    def __init__(self, status: int, identifier: str, message: str, attribute: str | None = None) -> None:
        super().__init__(status, identifier, message)
        self.status = status
        self.body = error_body(identifier, message, attribute)


class Violation:
    """One failed property constraint (422 ``PropertyConstraintViolation`` / ``PropertyIsReadOnly``)."""

    def __init__(self, attribute: str, message: str, identifier: str = "PropertyConstraintViolation") -> None:
        self.attribute = attribute
        self.message = message
        self.identifier = identifier

    def body(self) -> dict[str, Any]:
        return error_body(self.identifier, self.message, self.attribute)


def violations(found: Sequence[Violation]) -> OpenProjectError:
    """One violation answers as itself; several as ``MultipleErrors`` embedding each of them."""
    if len(found) == 1:
        only = found[0]
        return OpenProjectError(422, only.identifier, only.message, only.attribute)
    error = OpenProjectError(422, "MultipleErrors", MULTIPLE)
    error.body["_embedded"] = {"errors": [v.body() for v in found]}
    return error


def not_found(message: str = NOT_FOUND) -> OpenProjectError:
    return OpenProjectError(404, "NotFound", message)


def invalid_query(message: str) -> OpenProjectError:
    return OpenProjectError(400, "InvalidQuery", message)


def bad_body(message: str) -> OpenProjectError:
    return OpenProjectError(400, "InvalidRequestBody", message)


def conflict() -> OpenProjectError:
    return OpenProjectError(409, "UpdateConflict", CONFLICT)


def forbidden() -> OpenProjectError:
    return OpenProjectError(403, "MissingPermission", FORBIDDEN)


def blank(attribute: str, label: str) -> Violation:
    return Violation(attribute, f"{label} can't be blank.")


def not_allowed(attribute: str, label: str) -> Violation:
    return Violation(attribute, f"{label} is not set to one of the allowed values.")


def fault_body(status: int) -> dict[str, Any] | None:
    """The body OpenProject sends with a bare status code (used for injected faults without a body)."""
    known = {
        400: ("InvalidQuery", "Bad request."),
        401: ("Unauthenticated", UNAUTHENTICATED),
        403: ("MissingPermission", FORBIDDEN),
        404: ("NotFound", NOT_FOUND),
        409: ("UpdateConflict", CONFLICT),
        422: ("PropertyConstraintViolation", "The request contains invalid values."),
        429: ("TooManyRequests", "Too many requests. Please try again later."),
        500: ("InternalServerError", "An internal error has occurred."),
        503: ("InternalServerError", "Service unavailable."),
    }
    if status not in known:
        return None if status < 400 else error_body("InternalServerError", f"HTTP {status}")
    identifier, message = known[status]
    return error_body(identifier, message)
