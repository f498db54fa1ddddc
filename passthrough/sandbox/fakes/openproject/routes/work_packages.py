"""Work packages: list (all, or a project's), create, read, update."""

from __future__ import annotations

from aiohttp import web

from ..._base import AUTH_KEY
from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._query import (
    WORK_PACKAGE_FILTERS,
    WORK_PACKAGE_SORTS,
    Filter,
    parse_filters,
    parse_sort,
    sort_rows,
    work_package_matcher,
    work_package_sort_key,
)

routes = OpenProjectRoutes()

_OPEN = (Filter("status", "o", ()),)  # OpenProject's default filter: open work packages only


@routes("GET", "/projects/{project}/work_packages")
@routes("GET", "/work_packages")
async def list_work_packages(call: OpenProjectCall) -> web.Response:
    project = call.scope()
    query = call.query
    filters = parse_filters(query.get("filters"), WORK_PACKAGE_FILTERS, call.state, default=_OPEN)
    criteria = parse_sort(query.get("sortBy"), WORK_PACKAGE_SORTS)
    matchers = [work_package_matcher(call.state, f, call.me) for f in filters]
    rows = [
        wp
        for wp in call.state.work_packages.values()
        if (project is None or wp["project"] == project["id"]) and all(m(wp) for m in matchers)
    ]
    rows = sort_rows(rows, criteria, work_package_sort_key(call.state))
    return call.page("WorkPackageCollection", rows, call.render.work_package)


@routes("POST", "/projects/{project}/work_packages")
@routes("POST", "/work_packages")
async def create_work_package(call: OpenProjectCall) -> web.Response:
    project = call.scope()
    payload = await call.json()
    wp = call.state.create_work_package(payload, call.actor, project["id"] if project else None)
    return hal_response(call.render.work_package(wp), 201)


@routes("GET", "/work_packages/{id}")
async def get_work_package(call: OpenProjectCall) -> web.Response:
    return hal_response(call.render.work_package(call.work_package()))


@routes("PATCH", "/work_packages/{id}")
async def update_work_package(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    payload = await call.json()
    call.state.update_work_package(wp, payload, call.actor, call.request[AUTH_KEY].identity)
    return hal_response(call.render.work_package(wp))
