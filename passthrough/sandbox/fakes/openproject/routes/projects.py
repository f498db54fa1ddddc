"""Projects, and the types a project enables."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._query import PROJECT_FILTERS, PROJECT_SORTS, parse_filters, parse_sort, project_matcher, sort_rows
from .._render import API, collection
from .._workspace_state import workspace_of

routes = OpenProjectRoutes()


def _sort_key(project: dict[str, Any], name: str) -> Any:
    value = project.get(name)
    return value.lower() if isinstance(value, str) else value


@routes("GET", "/projects")
async def projects(call: OpenProjectCall) -> web.Response:
    query = call.query
    matchers = [project_matcher(f) for f in parse_filters(query.get("filters"), PROJECT_FILTERS, call.state)]
    criteria = parse_sort(query.get("sortBy"), PROJECT_SORTS)
    rows = [p for p in call.state.projects.values() if all(m(p) for m in matchers)]
    return call.page("Collection", sort_rows(rows, criteria, _sort_key), call.render.project)


@routes("GET", "/projects/{project}/types")
async def project_types(call: OpenProjectCall) -> web.Response:
    found = call.project()
    types = sorted((call.state.types[t] for t in found["types"]), key=lambda t: t.position)
    href = f"{API}/projects/{found['id']}/types"
    return hal_response(collection([call.render.type(t) for t in types], href))


@routes("GET", "/projects/{project}")
async def project(call: OpenProjectCall) -> web.Response:
    # parent, status and the caller's own action links (update, delete) come with the workspace family
    return hal_response(workspace_of(call.state).project_body(call.render, call.project(), call.me))
