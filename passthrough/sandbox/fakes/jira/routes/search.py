"""JQL search: offset pages with a total on Server/DC, the enhanced ``/search/jql`` on Cloud."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import bad_request, error_body
from .._render import FieldSelection
from .._search import search as run_search

routes = JiraRoutes()

SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
INVALID_PAGE_TOKEN = "The provided next page token is invalid or expired."


@routes("GET POST", "/search", "server", "read")
async def search(call: JiraCall) -> web.Response:
    """Server/DC: offset pagination with a total."""
    params = await call.params()
    start_at, max_results = call.page_bounds(params, 50, 100)
    found = run_search(call.state, str(params.get("jql") or ""), call.current)
    fields = FieldSelection.parse(params.get("fields"), "*navigable")
    expand = str(params.get("expand") or "").split(",")
    return json_response(
        {
            "expand": "schema,names",
            "startAt": start_at,
            "maxResults": max_results,
            "total": len(found),
            "issues": [call.renderer.issue(i, fields, expand) for i in found[start_at : start_at + max_results]],
        }
    )


@routes("GET POST", "/search/jql", "cloud", "read")
async def search_jql(call: JiraCall) -> web.Response:
    """Cloud enhanced search: opaque nextPageToken, isLast, no total; only ids unless fields are asked."""
    params = await call.params()
    tokens = call.fake.page_tokens
    token = params.get("nextPageToken")
    offset = 0
    if token:
        if token not in tokens:
            raise bad_request(INVALID_PAGE_TOKEN)
        offset = tokens[token]
    fields = FieldSelection.parse(params.get("fields"), "id")
    _, max_results = call.page_bounds(params, 50, 5000 if fields.keys_only else 100)
    max_results = max(1, max_results)
    jql = str(params.get("jql") or "")
    found = run_search(call.state, jql, call.current, require_bounded=call.fake.require_bounded_jql)
    expand = str(params.get("expand") or "").split(",")
    page = found[offset : offset + max_results]
    body: dict[str, Any] = {"issues": [call.renderer.issue(i, fields, expand) for i in page]}
    if offset + max_results < len(found):
        next_token = secrets.token_urlsafe(24)
        tokens[next_token] = offset + max_results
        body["nextPageToken"] = next_token
        body["isLast"] = False
    else:
        body["isLast"] = True
    return json_response(body)


@routes("GET POST", "/search", "cloud", "public")
async def search_removed(call: JiraCall) -> web.Response:
    return json_response(error_body([SEARCH_REMOVED]), 410)
