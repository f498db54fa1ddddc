"""One request to the fake ClickUp as its route handlers see it: the state, the caller, JSON answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._base import AUTH_KEY, Routes, first_values, json_response, read_json
from ._data import ClickUpUser
from ._errors import NOT_JSON, ClickUpError, bad_request
from ._state import ClickUpState

if TYPE_CHECKING:
    from ._app import FakeClickUp

CONTENT_TYPE = "application/json; charset=utf-8"


def answer(data: object, status: int = 200) -> web.Response:
    return json_response(data, status, content_type=CONTENT_TYPE)


class ClickUpCall:
    """What every handler needs, so that a handler is only what its endpoint does."""

    def __init__(self, fake: FakeClickUp, request: web.Request) -> None:
        self.fake = fake
        self.state: ClickUpState = fake.state
        self.request = request

    @property
    def query(self) -> dict[str, str]:
        """The first value of each query parameter."""
        return first_values(self.request.query.items())

    def values(self, name: str) -> list[str]:
        """Every value of an array parameter, as ClickUp takes them (``statuses[]=a&statuses[]=b``)."""
        return [*self.request.query.getall(name + "[]", []), *self.request.query.getall(name, [])]

    @property
    def user(self) -> ClickUpUser:
        """The requesting user (the auth gate lets no anonymous request through)."""
        username = self.request[AUTH_KEY].identity
        found = self.state.user_by_name(username) if username is not None else None
        assert found is not None
        return found

    @property
    def me(self) -> int:
        return self.user.id

    def page(self) -> int:
        raw = self.query.get("page", "0") or "0"
        if not raw.isdigit():
            raise bad_request("Page must be a number", "INPUT_003")
        return int(raw)

    async def json(self) -> dict[str, Any]:
        data = await read_json(self.request, invalid=lambda exc: ClickUpError(400, NOT_JSON))
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise bad_request("Body must be an object", "INPUT_001")
        return data


ClickUpRoutes = Routes[ClickUpCall]
