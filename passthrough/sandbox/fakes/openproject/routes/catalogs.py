"""The catalogs: statuses, types, priorities; each is a list by position and one entry by id.

They behave alike, so each catalog is one ``_catalog`` line rather than two handlers of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._data import Entry
from .._errors import not_found
from .._render import API, HalRenderer, collection
from .._state import OpenProjectState

routes = OpenProjectRoutes()

E = TypeVar("E", bound=Entry)


def _catalog(
    namespace: str,
    entries: Callable[[OpenProjectState], Mapping[int, E]],
    render: Callable[[HalRenderer, E], dict[str, Any]],
) -> None:
    @routes("GET", f"/{namespace}", name=namespace)
    async def listing(call: OpenProjectCall) -> web.Response:
        ordered = sorted(entries(call.state).values(), key=lambda e: e.position)
        return hal_response(collection([render(call.render, e) for e in ordered], f"{API}/{namespace}"))

    @routes("GET", f"/{namespace}/{{id}}", name=f"{namespace}_entry")
    async def entry(call: OpenProjectCall) -> web.Response:
        ref = call.request.match_info["id"]
        found = entries(call.state).get(int(ref)) if ref.isdigit() else None
        if found is None:
            raise not_found()
        return hal_response(render(call.render, found))


_catalog("statuses", lambda state: state.statuses, HalRenderer.status)
_catalog("types", lambda state: state.types, HalRenderer.type)
_catalog("priorities", lambda state: state.priorities, HalRenderer.priority)
