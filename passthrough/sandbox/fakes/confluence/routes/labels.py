"""Labels on content (v1: read, add, remove; v2: a page's labels)."""

from __future__ import annotations

from aiohttp import web

from .._call import ConfluenceCall, ConfluenceRoutes
from .._data import Comment, Page
from .._errors import bad_request
from .._paging import v1_response, v2_page

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()


def _labels_of(call: ConfluenceCall, item: Page | Comment) -> web.Response:
    return v1_response(call, call.label_names(item), call.renderer.label, default_limit=200)


@v1("GET", "/content/{id}/label")
async def labels(call: ConfluenceCall) -> web.Response:
    return _labels_of(call, call.state.content(call.path_id()))


@v1("POST", "/content/{id}/label")
async def add_labels(call: ConfluenceCall) -> web.Response:
    item = call.state.content(call.path_id())
    payload = await call.json()
    entries = payload if isinstance(payload, list) else [payload]
    names: list[object] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise bad_request("Each label must be an object with a prefix and a name")
        if entry.get("prefix", "global") not in ("global", "my", "team"):
            raise bad_request(f"Invalid label prefix: {entry.get('prefix')}")
        names.append(entry.get("name"))
    call.state.add_labels(item, names)
    return _labels_of(call, item)


@v1("DELETE", "/content/{id}/label/{label}")
@v1("DELETE", "/content/{id}/label", name="remove_label_by_name")  # the lower decorator registers first
async def remove_label(call: ConfluenceCall) -> web.Response:
    item = call.state.content(call.path_id())
    name = call.request.match_info.get("label") or call.query.get("name")
    if not name:
        raise bad_request("The label name is required")
    call.state.remove_label(item, name)
    return web.Response(status=204)


@v2("GET", "/pages/{id}/labels")
async def v2_labels(call: ConfluenceCall) -> web.Response:
    return v2_page(call, call.label_names(call.v2_page()), call.renderer.v2_label)
