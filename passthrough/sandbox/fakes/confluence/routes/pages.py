"""v2 pages: list, read, create, update, delete, children and ancestors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes, storage_value, version_of
from .._data import Page, Space
from .._errors import ConfluenceError, bad_request
from .._paging import v2_limit, v2_page

v2 = ConfluenceRoutes()

_SORTS = {
    "id": ("id", False),
    "-id": ("id", True),
    "title": ("title", False),
    "-title": ("title", True),
    "created-date": ("created", False),
    "-created-date": ("created", True),
    "modified-date": ("updated", False),
    "-modified-date": ("updated", True),
}


def filtered_pages(call: ConfluenceCall, space_ids: list[str]) -> list[Page]:
    """The pages a v2 list asks for (``id``, ``title``, ``status``, in ``space_ids``), in its ``sort``."""
    ids = call.v2_ids("id")
    title = call.query.get("title")
    statuses = [s for s in (call.query.get("status") or "current,archived").split(",") if s]
    state = call.state
    pages = [
        p
        for p in state.pages.values()
        if (not ids or p["id"] in ids)
        and (not space_ids or state.spaces[p["space_key"]].id in space_ids)
        and (not title or p["title"] == title)
        and p["status"] in statuses
    ]
    sort = call.query.get("sort") or "id"
    if sort not in _SORTS:
        raise bad_request(f"Invalid sort: {sort}")
    field, descending = _SORTS[sort]
    if field == "id":
        return sorted(pages, key=lambda p: int(p["id"]), reverse=descending)
    if field == "title":
        return sorted(pages, key=lambda p: p["title"].casefold(), reverse=descending)
    return sorted(pages, key=lambda p: p[field], reverse=descending)


def body_value(payload: Mapping[str, Any], *, required: bool) -> str | None:
    value = storage_value(payload.get("body"), v2=True)
    if value is None and required:
        raise bad_request("body is required", v2_title="A body must be provided")
    return value


def _space(call: ConfluenceCall, value: object) -> Space:
    """The space a create names by ``spaceId``."""
    if isinstance(value, bool) or value is None or value == "":
        raise bad_request("spaceId is required", v2_title="A spaceId must be provided")
    text = str(value).strip()
    if not text.isdigit():
        raise bad_request(
            f"Invalid spaceId: {text}",
            v2_title=f"Provided value {{{text}}} for 'spaceId' is not the correct type. Expected type is long",
        )
    space = call.state.space_by_id(text)
    if space is None:
        raise ConfluenceError(404, f"No space with id : {text}", v2_title="Space not found")
    return space


def _written(call: ConfluenceCall, page: Page) -> web.Response:
    return json_response(call.renderer.v2_page(page, "storage", single=True))


@v2("GET", "/pages")
async def pages(call: ConfluenceCall) -> web.Response:
    space_ids = call.v2_ids("space-id")
    body_format = call.body_format()
    found = filtered_pages(call, space_ids)
    return v2_page(call, found, lambda p: call.renderer.v2_page(p, body_format))


@v2("POST", "/pages")
async def create_page(call: ConfluenceCall) -> web.Response:
    payload = await call.object()
    space = _space(call, payload.get("spaceId"))
    status = payload.get("status", "current")
    if status != "current":
        raise bad_request(
            f"Unsupported status: {status}",
            v2_title=f"Creating pages with status {status!r} is not supported by the fake Confluence",
        )
    parent_id = call.state.payload_id(payload.get("parentId"))
    if parent_id is None and call.query.get("root-level") != "true":
        parent_id = space.homepage_id if space.homepage_id in call.state.pages else None
    value = body_value(payload, required=False)
    page = call.state.create_page(space, payload.get("title"), value or "", parent_id, call.current, "v2")
    return _written(call, page)


@v2("GET", "/pages/{id}")
async def get_page(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    renderer = call.renderer
    data = renderer.v2_page(page, call.body_format(), single=True)
    if call.query.get("include-labels") == "true":
        data["labels"] = {
            "results": [renderer.v2_label(n) for n in page["labels"]],
            "meta": {"hasMore": False, "cursor": None},
            "_links": {},
        }
    return json_response(data)


@v2("PUT", "/pages/{id}")
async def update_page(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    payload = await call.object()
    state = call.state
    if state.payload_id(payload.get("id")) != page["id"]:
        raise bad_request("The id in the body must match the page id in the path")
    if payload.get("status") != "current":
        raise bad_request("status is required and must be 'current'", v2_title="Status must be 'current'")
    if "spaceId" in payload and str(payload["spaceId"]) != state.spaces[page["space_key"]].id:
        raise bad_request("Moving a page to another space is not supported by the fake Confluence")
    number, message = version_of(payload)
    value = body_value(payload, required=True)
    state.update_page(
        page,
        version=number,
        title=payload.get("title"),
        body=value,
        parent_id=state.payload_id(payload.get("parentId")),
        move=payload.get("parentId") is not None,
        message=message,
        actor=call.current,
        api="v2",
    )
    return _written(call, page)


@v2("DELETE", "/pages/{id}")
async def delete_page(call: ConfluenceCall) -> web.Response:
    call.state.delete(call.v2_page())
    return web.Response(status=204)


@v2("GET", "/pages/{id}/children")
@v2("GET", "/pages/{id}/direct-children", name="direct_children")
async def children(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    return v2_page(call, call.state.children(page["id"]), call.renderer.v2_child)


@v2("GET", "/pages/{id}/ancestors")
async def ancestors(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    limit = v2_limit(call)
    results = [{"id": a["id"], "type": "page"} for a in call.state.ancestors(page)[-limit:]]
    return json_response({"results": results, "_links": {"base": call.renderer.base}})
