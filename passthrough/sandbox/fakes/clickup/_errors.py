"""ClickUp's error bodies: ``{"err": "<message>", "ECODE": "<code>"}`` (codes as ClickUp's API v2 sends them)."""

from __future__ import annotations

from typing import Any

NO_AUTHORIZATION = ("Authorization header required", "OAUTH_017")
TOKEN_INVALID = ("Token invalid", "OAUTH_025")
OAUTH_TOKEN_NOT_FOUND = ("Oauth token not found", "OAUTH_019")
TEAM_NOT_AUTHORIZED = ("Team not authorized", "OAUTH_023")
ROUTE_NOT_FOUND = ("Route not found", "APP_001")
RATE_LIMITED = ("Rate limit reached", "APP_002")
NOT_JSON = ("Unexpected token in JSON", "INPUT_001")
TASK_NOT_FOUND = ("Task not found, deleted", "ITEM_013")
LIST_NOT_FOUND = ("List not found", "SUBCAT_016")
FOLDER_NOT_FOUND = ("Folder not found", "CAT_001")
SPACE_NOT_FOUND = ("Space not found", "PROJ_001")
TEAM_NOT_FOUND = ("Team not found", "TEAM_015")
INTERNAL = ("Internal server error", "APP_500")


def error_body(err: str, code: str) -> dict[str, Any]:
    return {"err": err, "ECODE": code}


class ClickUpError(Exception):
    """An error answer; raised below the HTTP layer and turned into a JSON response there."""

    def __init__(self, status: int, what: tuple[str, str]) -> None:
        super().__init__(status, *what)
        self.status = status
        self.body = error_body(*what)


def not_found(what: tuple[str, str]) -> ClickUpError:
    return ClickUpError(404, what)


def not_authorized() -> ClickUpError:
    """What ClickUp answers for a workspace, space or list the token's user is no member of."""
    return ClickUpError(401, TEAM_NOT_AUTHORIZED)


def bad_request(err: str, code: str = "INPUT_002") -> ClickUpError:
    return ClickUpError(400, (err, code))


def fault_body(status: int) -> dict[str, Any] | None:
    """The body ClickUp sends with a bare status code (used for injected faults without a body)."""
    known = {
        400: ("Bad request", "INPUT_002"),
        401: TOKEN_INVALID,
        404: ROUTE_NOT_FOUND,
        429: RATE_LIMITED,
        500: INTERNAL,
        502: ("Bad gateway", "APP_502"),
        503: ("Service unavailable", "APP_503"),
    }
    if status in known:
        return error_body(*known[status])
    return error_body(f"HTTP {status}", "APP_000") if status >= 400 else None
