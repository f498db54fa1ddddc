"""v2 footer comments: a page's, one by id, and adding one."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes
from .._errors import ConfluenceError, bad_request
from .._paging import v2_page
from .pages import body_value

v2 = ConfluenceRoutes()


@v2("GET", "/pages/{id}/footer-comments")
async def page_footer_comments(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    body_format = call.body_format()
    comments = list(call.state.comments.get(page["id"], []))
    if call.query.get("sort") in ("-created-date", "-modified-date"):
        comments.reverse()
    return v2_page(call, comments, lambda c: call.renderer.v2_comment(c, body_format))


@v2("POST", "/footer-comments")
async def create_footer_comment(call: ConfluenceCall) -> web.Response:
    payload = await call.object()
    if payload.get("pageId") is None:
        if any(payload.get(k) is not None for k in ("blogPostId", "parentCommentId", "attachmentId")):
            raise bad_request("The fake Confluence only supports top-level footer comments on pages (pageId)")
        raise bad_request("pageId is required", v2_title="A pageId must be provided")
    page = call.state.pages.get(call.state.payload_id(payload.get("pageId")) or "")
    if page is None:
        raise ConfluenceError(404, "Not Found")
    value = body_value(payload, required=True)
    comment = call.state.add_comment(page, value or "", call.current)
    return json_response(call.renderer.v2_comment(comment, "storage", single=True), 201)


@v2("GET", "/footer-comments/{id}")
async def get_footer_comment(call: ConfluenceCall) -> web.Response:
    comment = call.state.comment(call.path_id())
    if comment is None:
        raise ConfluenceError(404, "Not Found")
    return json_response(call.renderer.v2_comment(comment, call.body_format(), single=True))
