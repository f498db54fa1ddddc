"""One request to the fake Jira as its route handlers see it: the state, the API version asked, the caller."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._base import AUTH_KEY, Routes, int_param, read_json
from ._data import Project
from ._errors import bad_request, project_not_found
from ._render import JiraRenderer
from ._state import Issue, JiraState

if TYPE_CHECKING:
    from ._app import FakeJira


class JiraCall:
    """What every handler needs, so that a handler is only what its endpoint does."""

    def __init__(self, fake: FakeJira, request: web.Request, version: int) -> None:
        self.fake = fake
        self.state: JiraState = fake.state
        self.request = request
        self.version = version

    @property
    def cloud(self) -> bool:
        return self.fake.cloud

    @property
    def adf(self) -> bool:
        """Whether rich text in this request's bodies is ADF (Cloud API v3)."""
        return self.version == 3

    @property
    def current(self) -> str | None:
        """The name of the user the request authenticated as."""
        return self.request[AUTH_KEY].identity

    @property
    def base(self) -> str:
        return f"{self.request.scheme}://{self.request.host}"

    @cached_property
    def renderer(self) -> JiraRenderer:
        return JiraRenderer(self.state, self.version, self.base)

    def issue(self) -> Issue:
        """The issue the path names (``{key}``), or Jira's 404."""
        return self.state.get_issue(self.request.match_info["key"])

    def project(self) -> Project:
        """The project the path names (``{project}``, a key or an id), or Jira's 404."""
        ref = self.request.match_info["project"]
        project = self.state.find_project(ref)
        if project is None:
            raise project_not_found(ref)
        return project

    async def json(self) -> dict[str, Any]:
        data = await read_json(
            self.request,
            empty=lambda: bad_request("No content to map to Object due to end of input"),
            invalid=lambda exc: bad_request(f"Unexpected character in the JSON body: {exc}"),
        )
        if not isinstance(data, dict):
            raise bad_request("Can not deserialize instance of the request bean out of a non-object token")
        return data

    async def params(self) -> dict[str, Any]:
        """A search's parameters: the JSON body of a POST, the query of a GET."""
        if self.request.method == "POST":
            return await self.json()
        return dict(self.request.query)

    def page_bounds(self, source: Mapping[str, Any], default_max: int, cap: int) -> tuple[int, int]:
        """``startAt`` and ``maxResults`` (a negative one is the default, a larger one the cap)."""
        start_at = max(0, _int(source, "startAt", 0))
        max_results = _int(source, "maxResults", default_max)
        return start_at, default_max if max_results < 0 else min(max_results, cap)


def _int(source: Mapping[str, Any], name: str, default: int) -> int:
    return int_param(
        source,
        name,
        default,
        lambda raw: bad_request(f"The value '{raw}' is not a valid integer for the parameter '{name}'."),
    )


JiraRoutes = Routes[JiraCall]
