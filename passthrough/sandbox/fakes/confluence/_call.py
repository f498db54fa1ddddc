"""One request to the fake Confluence as its route handlers see it: the state, the API asked, the caller."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aiohttp import web
from multidict import MultiMapping

from .._base import AUTH_KEY, Routes, int_param, read_json
from ._data import Page
from ._errors import ConfluenceError, bad_request
from ._render import Expand, Renderer
from ._state import Api, ConfluenceState

if TYPE_CHECKING:
    from ._app import FakeConfluence

_BODY_FORMATS = frozenset({"storage", "view", "export_view", "anonymous_export_view", "styled_view", "editor"})


class ConfluenceCall:
    """What every handler needs, so that a handler is only what its endpoint does."""

    def __init__(self, fake: FakeConfluence, request: web.Request, api: Api) -> None:
        self.fake = fake
        self.state: ConfluenceState = fake.state
        self.request = request
        self.api: Api = api

    @property
    def query(self) -> MultiMapping[str]:
        return self.request.query

    @property
    def current(self) -> str | None:
        """The name of the user the request authenticated as."""
        return self.request[AUTH_KEY].identity

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.state, f"{self.request.scheme}://{self.request.host}")

    def expand(self, default: str | None = None) -> Expand:
        return Expand.parse(self.query.get("expand", default))

    @property
    def relative(self) -> str:
        """The request path relative to the base URL (v1 links are written that way)."""
        return self.request.path.removeprefix(self.fake.context_path)

    # ------------------------------------------------------------------ the path

    def path_id(self, name: str = "id") -> str:
        """A numeric id from the path; anything else is a 404 on v1 and a 400 on v2, as Confluence answers."""
        value = self.request.match_info[name]
        if not value.isdigit():
            raise ConfluenceError(
                400 if self.api == "v2" else 404,
                f"No content found with id: ContentId{{id={value}}}",
                v2_title=f"Provided value {{{value}}} for '{name}' is not the correct type. Expected type is long",
            )
        return value

    def v2_page(self) -> Page:
        """The page the path names, or v2's plain 404."""
        page = self.state.pages.get(self.path_id())
        if page is None:
            raise ConfluenceError(404, "Not Found")
        return page

    # ------------------------------------------------------------------ the query

    def int(self, name: str, default: int) -> int:
        return int_param(
            self.query,
            name,
            default,
            lambda raw: bad_request(
                f"Invalid value '{raw}' for parameter '{name}'",
                v2_title=f"Provided value {{{raw}}} for '{name}' is not the correct type. Expected type is Integer",
            ),
        )

    def body_format(self) -> str | None:
        value = self.query.get("body-format")
        if not value:
            return None
        if value == "atlas_doc_format":
            raise bad_request("atlas_doc_format is not supported by the fake Confluence; use body-format=storage")
        if value not in _BODY_FORMATS:
            raise bad_request(f"Invalid value for body-format: {value}")
        return value

    def v2_ids(self, name: str) -> list[str]:
        """A comma-separated list of numeric ids from the query (v2's ``id``, ``space-id``, ``ids``)."""
        ids = [v.strip() for v in (self.query.get(name) or "").split(",") if v.strip()]
        for v in ids:
            if not v.isdigit():
                raise bad_request(
                    f"Invalid {name}: {v}",
                    v2_title=f"Provided value {{{v}}} for '{name}' is not the correct type. Expected type is long",
                )
        return ids

    def label_names(self, item: Mapping[str, Any]) -> list[str]:
        """The labels shown for ``prefix``: the fake keeps global labels only."""
        return list(item.get("labels", [])) if self.query.get("prefix") in (None, "", "global") else []

    # ------------------------------------------------------------------ the body

    async def json(self) -> Any:
        """The body as JSON, when it need not be an object (v1 labels take a list)."""
        return await read_json(
            self.request,
            empty=lambda: bad_request("No content to map due to end-of-input", v2_title="Request body is missing"),
            invalid=lambda exc: bad_request(f"Unexpected character in the JSON body: {exc}", v2_title="Invalid JSON"),
        )

    async def object(self) -> dict[str, Any]:
        data = await self.json()
        if not isinstance(data, dict):
            raise bad_request("Cannot deserialize the request body: expected a JSON object")
        return data


def version_of(payload: Mapping[str, Any]) -> tuple[object, str]:
    """The ``version.number`` a write sent (None when missing) and its message."""
    version = payload.get("version")
    if not isinstance(version, dict):
        return None, ""
    message = version.get("message", "")
    return version.get("number"), message if isinstance(message, str) else ""


def storage_value(body: object, *, v2: bool) -> str | None:
    """The storage XHTML of a write payload's ``body`` (None when no body was sent)."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise bad_request("body must be an object")
    if not v2:
        body = body.get("storage", body.get("editor", body.get("wiki")))
        if body is None:
            raise bad_request("Only the storage representation can be written (body.storage)")
        if not isinstance(body, dict):
            raise bad_request("body.storage must be an object")
    representation = body.get("representation", "storage")
    if representation != "storage":
        raise bad_request(f"The fake Confluence only accepts the storage representation, not {representation!r}")
    value = body.get("value", "")
    if not isinstance(value, str):
        raise bad_request("body value must be a string")
    return value


ConfluenceRoutes = Routes[ConfluenceCall]
