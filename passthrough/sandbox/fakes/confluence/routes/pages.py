"""v2 pages: list, read, create, update, delete, children (and direct children with Cloud's folders),
ancestors, and a page's content properties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes, storage_value, version_of
from .._data import Page, Space, v2_timestamp
from .._errors import ConfluenceError, bad_request
from .._paging import v2_limit, v2_page
from .._properties_state import Folder, Property, properties_of
from .content import record_minor_edit
from .history import at_version

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


def _shown(call: ConfluenceCall, page: Page, body_format: str | None) -> dict[str, Any]:
    data = call.renderer.v2_page(page, body_format, single=True)
    if page.get("subtype"):
        data["subtype"] = page["subtype"]
    return data


def _written(call: ConfluenceCall, page: Page) -> web.Response:
    return json_response(_shown(call, page, "storage"))


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
    subtype = payload.get("subtype")
    if subtype is not None and subtype != "live":
        raise bad_request(f"Invalid subtype: {subtype}", v2_title=f"Invalid value {subtype!r} for 'subtype'")
    parent_id = call.state.payload_id(payload.get("parentId"))
    if parent_id is None and call.query.get("root-level") != "true":
        parent_id = space.homepage_id if space.homepage_id in call.state.pages else None
    value = body_value(payload, required=False)
    page = call.state.create_page(space, payload.get("title"), value or "", parent_id, call.current, "v2")
    if subtype:
        page["subtype"] = subtype
    return _written(call, page)


@v2("GET", "/pages/{id}")
async def get_page(call: ConfluenceCall) -> web.Response:
    page = at_version(call, call.v2_page())  # ?version=N: the page as it was then (routes/history)
    renderer = call.renderer
    data = _shown(call, page, call.body_format())
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
    record_minor_edit(page, payload)
    return _written(call, page)


@v2("DELETE", "/pages/{id}")
async def delete_page(call: ConfluenceCall) -> web.Response:
    call.state.delete(call.v2_page())
    return web.Response(status=204)


@v2("GET", "/pages/{id}/children")
async def children(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    return v2_page(call, call.state.children(page["id"]), call.renderer.v2_child)


@v2("GET", "/pages/{id}/direct-children")
async def direct_children(call: ConfluenceCall) -> web.Response:
    """Pages and folders alike, in their order under the parent."""
    page = call.v2_page()
    items: list[Page | Folder] = [
        *call.state.children(page["id"]),
        *properties_of(call.state).folders_under(page["id"]),
    ]
    items.sort(key=lambda c: c.position if isinstance(c, Folder) else c["position"])

    def render(item: Page | Folder) -> dict[str, Any]:
        if not isinstance(item, Folder):
            return call.renderer.v2_child(item)
        return {
            "id": item.id,
            "status": "current",
            "title": item.title,
            "type": "folder",
            "spaceId": call.state.spaces[item.space_key].id,
            "childPosition": item.position,
        }

    return v2_page(call, items, render)


@v2("GET", "/pages/{id}/ancestors")
async def ancestors(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    limit = v2_limit(call)
    results = [{"id": a["id"], "type": "page"} for a in call.state.ancestors(page)[-limit:]]
    return json_response({"results": results, "_links": {"base": call.renderer.base}})


# ---------------------------------------------------------------------- content properties (v2, by id)


def _property(prop: Property, call: ConfluenceCall) -> dict[str, Any]:
    return {
        "id": prop.id,
        "key": prop.key,
        "value": prop.value,
        "version": {
            "createdAt": v2_timestamp(prop.when),
            "message": "",
            "number": prop.version,
            "minorEdit": False,
            "authorId": call.renderer.account_id(prop.by),
        },
    }


def _found_property(call: ConfluenceCall, page: Page) -> Property:
    raw = call.request.match_info["property_id"]
    if not raw.isdigit():
        raise bad_request(
            f"Invalid property id: {raw}",
            v2_title=f"Provided value {{{raw}}} for 'property-id' is not the correct type. Expected type is long",
        )
    prop = properties_of(call.state).by_id(page["id"], raw)
    if prop is None:
        raise ConfluenceError(404, "Not Found")
    return prop


@v2("GET", "/pages/{id}/properties")
async def page_properties(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    key = call.query.get("key")
    found = sorted(properties_of(call.state).of(page["id"]).values(), key=lambda p: int(p.id))
    found = [p for p in found if key is None or p.key == key]
    return v2_page(call, found, lambda p: _property(p, call))


@v2("POST", "/pages/{id}/properties")
async def create_page_property(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    payload = await call.object()
    prop = properties_of(call.state).create(page["id"], payload.get("key"), payload.get("value"), call.current)
    return json_response(_property(prop, call))


@v2("GET", "/pages/{id}/properties/{property_id}")
async def page_property(call: ConfluenceCall) -> web.Response:
    return json_response(_property(_found_property(call, call.v2_page()), call))


@v2("PUT", "/pages/{id}/properties/{property_id}")
async def update_page_property(call: ConfluenceCall) -> web.Response:
    prop = _found_property(call, call.v2_page())
    payload = await call.object()
    if payload.get("key", prop.key) != prop.key:
        raise bad_request("The key of a property cannot be changed", v2_title="Property key cannot be changed")
    updated = properties_of(call.state).update(prop, payload.get("value"), payload.get("version"), call.current)
    return json_response(_property(updated, call))


@v2("DELETE", "/pages/{id}/properties/{property_id}")
async def delete_page_property(call: ConfluenceCall) -> web.Response:
    prop = _found_property(call, call.v2_page())
    properties_of(call.state).delete(prop)
    return web.Response(status=204)
