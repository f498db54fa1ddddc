"""CQL search: ``/search`` (results with excerpts and highlights) and ``/content/search`` (content)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._call import ConfluenceCall, ConfluenceRoutes
from .._cql import search as run_search
from .._paging import v1_response
from .people import user_search

v1 = ConfluenceRoutes()


def _found(call: ConfluenceCall) -> tuple[list[dict[str, Any]], tuple[str, ...], str]:
    cql = call.query.get("cql", "")
    found = run_search(call.state, cql, call.current)
    return found.items, found.terms, cql


@v1("GET", "/search")
async def search(call: ConfluenceCall) -> web.Response:
    users = user_search(call)  # Server/Data Center's /search also finds users (type = user, user.* fields)
    if users is not None:
        return users
    items, terms, cql = _found(call)
    expand = call.expand()
    excerpt = call.query.get("excerpt", "highlight")
    hl = call.fake.search_highlight and excerpt in ("highlight", "highlight_unescaped")
    return v1_response(
        call,
        items,
        lambda i: call.renderer.search_result(i, expand, terms, hl),
        max_limit=100,
        cursor_links=call.fake.cloud,
        extra={"totalSize": len(items), "cqlQuery": cql, "searchDuration": 12},
    )


@v1("GET", "/content/search")  # before /content/{id}
async def content_search(call: ConfluenceCall) -> web.Response:
    items, _, cql = _found(call)
    expand = call.expand()
    return v1_response(
        call,
        items,
        lambda i: call.renderer.content(i, expand),
        max_limit=100,
        cursor_links=call.fake.cloud,
        extra={"cqlQuery": cql, "searchDuration": 7},
    )
