"""Comments on an issue."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import JiraError

routes = JiraRoutes()


@routes("GET", "/issue/{key}/comment")
async def get_comments(call: JiraCall) -> web.Response:
    issue = call.issue()
    start_at, max_results = call.page_bounds(call.request.query, 5000, 5000)
    return json_response(call.renderer.comment_page(issue, start_at, max_results))


@routes("POST", "/issue/{key}/comment")
async def add_comment(call: JiraCall) -> web.Response:
    issue = call.issue()
    payload = await call.json()
    comment = call.state.add_comment(issue, payload.get("body"), adf=call.adf, author=call.current)
    return json_response(call.renderer.comment(issue, comment), 201)


@routes("GET", "/issue/{key}/comment/{comment}")
async def get_comment(call: JiraCall) -> web.Response:
    issue = call.issue()
    wanted = call.request.match_info["comment"]
    comment = next((c for c in call.state.comments.get(issue["key"], []) if c["id"] == wanted), None)
    if comment is None:
        raise JiraError(404, [f"Can not find a comment for the id: {wanted}."])
    return json_response(call.renderer.comment(issue, comment))
