"""Projects, and what creating an issue in one takes (createmeta)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import JiraError

routes = JiraRoutes()


@routes("GET", "/project")
async def projects(call: JiraCall) -> web.Response:
    return json_response([call.renderer.project(p) for p in call.state.projects.values()])


@routes("GET", "/project/search", "cloud")  # before /project/{project}, which would take "search" for a key
async def project_search(call: JiraCall) -> web.Response:
    request = call.request
    start_at, max_results = call.page_bounds(request.query, 50, 100)
    needle = request.query.get("query", "").lower()
    found = [p for p in call.state.projects.values() if needle in p.key.lower() or needle in p.name.lower()]
    is_last = start_at + max_results >= len(found)
    body: dict[str, Any] = {
        "self": str(request.url),
        "maxResults": max_results,
        "startAt": start_at,
        "total": len(found),
        "isLast": is_last,
        "values": [call.renderer.project(p) for p in found[start_at : start_at + max_results]],
    }
    if not is_last:
        body["nextPage"] = str(request.url.update_query(startAt=start_at + max_results))
    return json_response(body)


@routes("GET", "/project/{project}")
async def project(call: JiraCall) -> web.Response:
    return json_response(call.renderer.project(call.project(), detailed=True))


@routes("GET", "/issue/createmeta/{project}/issuetypes")
async def createmeta_types(call: JiraCall) -> web.Response:
    call.project()
    return _createmeta_page(call, "issueTypes", call.renderer.issue_types())


@routes("GET", "/issue/createmeta/{project}/issuetypes/{type}")
async def createmeta_fields(call: JiraCall) -> web.Response:
    project = call.project()
    ref = call.request.match_info["type"]
    issue_type = call.state.issue_type(ref)
    if issue_type is None:
        raise JiraError(404, [f"Issue type with id '{ref}' does not exist."])
    return _createmeta_page(call, "fields", call.renderer.create_fields(project, issue_type.name))


def _createmeta_page(call: JiraCall, key: str, items: list[dict[str, Any]]) -> web.Response:
    """Cloud names the list (``key``) and has no isLast; Server/DC pages it as ``values``."""
    start_at, max_results = call.page_bounds(call.request.query, 50, 200)
    page = items[start_at : start_at + max_results]
    if call.cloud:
        return json_response({key: page, "maxResults": max_results, "startAt": start_at, "total": len(items)})
    return json_response(
        {
            "maxResults": max_results,
            "startAt": start_at,
            "total": len(items),
            "isLast": start_at + max_results >= len(items),
            "values": page,
        }
    )
