"""The catalogs: statuses, types, priorities (each a list by position, and one by id)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import not_found
from .._render import API, collection

routes = OpenProjectRoutes()


class _Entry(Protocol):
    @property
    def position(self) -> int: ...


E = TypeVar("E", bound=_Entry)


def _listing(items: Mapping[int, E], render: Callable[[E], dict[str, Any]], name: str) -> web.Response:
    ordered = sorted(items.values(), key=lambda e: e.position)
    return hal_response(collection([render(e) for e in ordered], f"{API}/{name}"))


def _one(call: OpenProjectCall, items: Mapping[int, E], render: Callable[[E], dict[str, Any]]) -> web.Response:
    ref = call.request.match_info["id"]
    found = items.get(int(ref)) if ref.isdigit() else None
    if found is None:
        raise not_found()
    return hal_response(render(found))


@routes("GET", "/statuses")
async def statuses(call: OpenProjectCall) -> web.Response:
    return _listing(call.state.statuses, call.render.status, "statuses")


@routes("GET", "/statuses/{id}")
async def status(call: OpenProjectCall) -> web.Response:
    return _one(call, call.state.statuses, call.render.status)


@routes("GET", "/types")
async def types(call: OpenProjectCall) -> web.Response:
    return _listing(call.state.types, call.render.type, "types")


@routes("GET", "/types/{id}")
async def type_(call: OpenProjectCall) -> web.Response:
    return _one(call, call.state.types, call.render.type)


@routes("GET", "/priorities")
async def priorities(call: OpenProjectCall) -> web.Response:
    return _listing(call.state.priorities, call.render.priority, "priorities")


@routes("GET", "/priorities/{id}")
async def priority(call: OpenProjectCall) -> web.Response:
    return _one(call, call.state.priorities, call.render.priority)
