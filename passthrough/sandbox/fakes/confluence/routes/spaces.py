"""Spaces (v1 by key, v2 by id) and a space's pages (v2)."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes
from .._data import Space
from .._errors import ConfluenceError
from .._paging import v1_response, v2_page
from .pages import filtered_pages

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()


@v1("GET", "/space")
async def spaces(call: ConfluenceCall) -> web.Response:
    wanted = {k.upper() for k in call.query.getall("spaceKey", [])}
    space_type = call.query.get("type")
    found = sorted(call.state.spaces.values(), key=lambda s: s.key)
    found = [s for s in found if (not wanted or s.key in wanted) and (not space_type or s.type == space_type)]
    expand = call.expand()
    return v1_response(call, found, lambda s: call.renderer.space(s, expand), max_limit=500)


@v1("GET", "/space/{key}")
async def space(call: ConfluenceCall) -> web.Response:
    key = call.request.match_info["key"]
    found = call.state.space_by_key(key)
    if found is None:
        raise ConfluenceError(404, f"No space with key : {key}")
    return json_response(call.renderer.space(found, call.expand(), top_links=True))


def _v2_space(call: ConfluenceCall) -> Space:
    found = call.state.space_by_id(call.path_id())
    if found is None:
        raise ConfluenceError(404, "Not Found")
    return found


@v2("GET", "/spaces")
async def v2_spaces(call: ConfluenceCall) -> web.Response:
    keys = {k.strip().upper() for k in (call.query.get("keys") or "").split(",") if k.strip()}
    ids = set(call.v2_ids("ids"))
    space_type = call.query.get("type")
    found = [
        s
        for s in sorted(call.state.spaces.values(), key=lambda s: int(s.id))
        if (not keys or s.key.upper() in keys) and (not ids or s.id in ids) and (not space_type or s.type == space_type)
    ]
    return v2_page(call, found, call.renderer.v2_space)


@v2("GET", "/spaces/{id}")
async def v2_space(call: ConfluenceCall) -> web.Response:
    return json_response(call.renderer.v2_space(_v2_space(call), single=True))


@v2("GET", "/spaces/{id}/pages")
async def v2_space_pages(call: ConfluenceCall) -> web.Response:
    found = _v2_space(call)
    body_format = call.body_format()
    pages = filtered_pages(call, [found.id])
    if call.query.get("depth") == "root":
        pages = [p for p in pages if p["parent_id"] is None]
    return v2_page(call, pages, lambda p: call.renderer.v2_page(p, body_format))
