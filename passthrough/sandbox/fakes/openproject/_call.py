"""One request to the fake OpenProject as its route handlers see it: the state, the caller, HAL answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from .._base import AUTH_KEY, Routes, first_values, json_response, read_json
from ._errors import NOT_JSON, bad_body, not_found
from ._query import page_params
from ._render import HalRenderer, paginated
from ._state import OpenProjectState, WorkPackage, require_object

if TYPE_CHECKING:
    from ._app import FakeOpenProject

T = TypeVar("T")

HAL_CONTENT_TYPE = "application/hal+json; charset=utf-8"


def hal_response(data: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return json_response(data, status, headers, content_type=HAL_CONTENT_TYPE)


class OpenProjectCall:
    """What every handler needs, so that a handler is only what its endpoint does."""

    def __init__(self, fake: FakeOpenProject, request: web.Request) -> None:
        self.fake = fake
        self.state: OpenProjectState = fake.state
        self.request = request
        self.render = HalRenderer(self.state)

    @property
    def query(self) -> dict[str, str]:
        """The first value of each query parameter."""
        return first_values(self.request.query.items())

    @property
    def me(self) -> int | None:
        """The requesting user's id; None when anonymous."""
        login = self.request[AUTH_KEY].identity
        user = self.state.user_by_login(login) if login is not None else None
        return user.id if user is not None else None

    @property
    def actor(self) -> int:
        """Who a write is journaled as: the user, or the Anonymous principal."""
        me = self.me
        return me if me is not None else self.state.anonymous.id

    def project(self) -> dict[str, Any]:
        """The project the path names (``{project}``, an id or an identifier), or a 404."""
        project = self.state.find_project(self.request.match_info["project"])
        if project is None:
            raise not_found()
        return project

    def scope(self) -> dict[str, Any] | None:
        """The project a work package route is under (``/projects/{project}/...``), None at the top level."""
        return self.project() if "project" in self.request.match_info else None

    def work_package(self) -> WorkPackage:
        return self.state.get_work_package(self.request.match_info["id"])

    def page(self, kind: str, rows: list[T], render: Callable[[T], dict[str, Any]]) -> web.Response:
        """One page of ``rows`` as a HAL collection; ``offset`` is the 1-based page number, as in OpenProject."""
        query = self.query
        offset, size = page_params(query)
        elements = [render(row) for row in rows[(offset - 1) * size : offset * size]]
        return hal_response(paginated(kind, elements, len(rows), offset, size, self.request.path, query))

    async def json(self) -> dict[str, Any]:
        data = await read_json(self.request, invalid=lambda exc: bad_body(NOT_JSON))
        return require_object(data)


OpenProjectRoutes = Routes[OpenProjectCall]
