"""Comments: footer and inline, top level and replies.

v2 (Cloud): a page's footer and inline comments (top level only, as Confluence lists them), one comment by id,
its replies (``/children``), and creating one (``pageId`` for a new thread, ``parentCommentId`` for a reply;
an inline one names the text it is anchored to in ``inlineCommentProperties``).

v1: a page's comments (``/content/{id}/child/comment``; ``depth=all`` adds the replies after their parents,
``location`` picks footer, inline or resolved) and ``POST /content`` for a comment (``ancestors`` makes it a
reply, ``extensions.location=inline`` with ``inlineProperties`` anchors it), as Data Center 8 takes them.
These, and ``GET /content/{id}`` for a comment, shadow the plainer ones in ``content`` (this table is installed
first, and hands anything but a comment on to them).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes, storage_value
from .._data import Comment, v1_timestamp
from .._discussion_state import DiscussionState, Location, discussion_of
from .._errors import ConfluenceError, bad_request
from .._paging import v1_response, v2_page
from .._render import Expand
from .content import DEFAULT_EXPAND, WRITE_EXPAND
from .content import create_content as create_other_content
from .content import get_content as get_other_content
from .pages import body_value

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()

JSON = dict[str, Any]
_V1_LOCATIONS = frozenset({"footer", "inline", "resolved"})


def _threads(call: ConfluenceCall) -> DiscussionState:
    return discussion_of(call.state)


# ---------------------------------------------------------------------- v2 rendering


def _v2_comment(call: ConfluenceCall, comment: Comment, body_format: str | None, *, single: bool = False) -> JSON:
    """A v2 footer or inline comment; replies name their parent, inline threads their anchor and resolution."""
    threads = _threads(call)
    data = call.renderer.v2_comment(comment, body_format, single=single)
    parent = threads.parents.get(comment["id"])
    if parent is not None:
        data["parentCommentId"] = parent
    anchor = threads.anchor(comment)
    if anchor is not None:
        data["resolutionStatus"] = anchor.resolution
        if parent is None:
            data["properties"] = {"inlineMarkerRef": anchor.marker_ref, "inlineOriginalSelection": anchor.selection}
    data["_links"] = data.pop("_links")  # last, as Confluence writes it
    return data


def _v2_child(call: ConfluenceCall, comment: Comment, body_format: str | None) -> JSON:
    """A reply as ``/children`` lists it: its parent instead of its page."""
    data = _v2_comment(call, comment, body_format)
    data.pop("pageId", None)
    return data


def _v2_comment_of(call: ConfluenceCall, location: Location) -> Comment:
    """The comment the path names, when it is of this kind; v2's plain 404 otherwise."""
    comment = call.state.comment(call.path_id())
    if comment is None or _threads(call).location(comment) != location:
        raise ConfluenceError(404, "Not Found")
    return comment


def _sorted(call: ConfluenceCall, comments: list[Comment]) -> list[Comment]:
    if call.query.get("sort") in ("-created-date", "-modified-date"):
        return comments[::-1]
    return comments


# ---------------------------------------------------------------------- v2 footer comments


@v2("GET", "/pages/{id}/footer-comments")
async def page_footer_comments(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    body_format = call.body_format()
    comments = _sorted(call, _threads(call).roots(page, "footer"))
    return v2_page(call, comments, lambda c: _v2_comment(call, c, body_format))


@v2("POST", "/footer-comments")
async def create_footer_comment(call: ConfluenceCall) -> web.Response:
    payload = await call.object()
    threads = _threads(call)
    parent_id = call.state.payload_id(payload.get("parentCommentId"))
    if payload.get("pageId") is None and parent_id is None:
        if any(payload.get(k) is not None for k in ("blogPostId", "attachmentId", "customContentId")):
            raise bad_request("The fake Confluence only supports footer comments on pages (pageId)")
        raise bad_request("pageId is required", v2_title="A pageId or parentCommentId must be provided")
    if payload.get("pageId") is not None and parent_id is not None:
        raise bad_request("Only one of pageId and parentCommentId may be given")
    value = body_value(payload, required=True)
    if parent_id is not None:
        parent = call.state.comment(parent_id)
        if parent is None or threads.location(parent) != "footer":
            raise ConfluenceError(404, "Not Found", v2_title="Parent comment not found")
        comment = threads.reply(parent, value or "", call.current)
    else:
        page = call.state.pages.get(call.state.payload_id(payload.get("pageId")) or "")
        if page is None:
            raise ConfluenceError(404, "Not Found")
        comment = call.state.add_comment(page, value or "", call.current)
    return json_response(_v2_comment(call, comment, "storage", single=True), 201)


@v2("GET", "/footer-comments/{id}")
async def get_footer_comment(call: ConfluenceCall) -> web.Response:
    comment = _v2_comment_of(call, "footer")
    return json_response(_v2_comment(call, comment, call.body_format(), single=True))


@v2("GET", "/footer-comments/{id}/children")
async def footer_comment_children(call: ConfluenceCall) -> web.Response:
    comment = _v2_comment_of(call, "footer")
    body_format = call.body_format()
    children = _sorted(call, _threads(call).children(comment))
    return v2_page(call, children, lambda c: _v2_child(call, c, body_format))


# ---------------------------------------------------------------------- v2 inline comments


@v2("GET", "/pages/{id}/inline-comments")
async def page_inline_comments(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    body_format = call.body_format()
    threads = _threads(call)
    wanted = [s.strip() for s in (call.query.get("resolution-status") or "").split(",") if s.strip()]
    comments = threads.roots(page, "inline")
    if wanted:
        comments = [c for c in comments if (a := threads.anchor(c)) is not None and a.resolution in wanted]
    return v2_page(call, _sorted(call, comments), lambda c: _v2_comment(call, c, body_format))


@v2("POST", "/inline-comments")
async def create_inline_comment(call: ConfluenceCall) -> web.Response:
    payload = await call.object()
    threads = _threads(call)
    parent_id = call.state.payload_id(payload.get("parentCommentId"))
    value = body_value(payload, required=True)
    if parent_id is not None:
        parent = call.state.comment(parent_id)
        if parent is None or threads.location(parent) != "inline":
            raise ConfluenceError(404, "Not Found", v2_title="Parent comment not found")
        comment = threads.reply(parent, value or "", call.current)
        return json_response(_v2_comment(call, comment, "storage", single=True), 201)
    if payload.get("pageId") is None:
        raise bad_request("pageId is required", v2_title="A pageId or parentCommentId must be provided")
    page = call.state.pages.get(call.state.payload_id(payload.get("pageId")) or "")
    if page is None:
        raise ConfluenceError(404, "Not Found")
    props = payload.get("inlineCommentProperties")
    if not isinstance(props, dict) or not props.get("textSelection"):
        raise bad_request(
            "inlineCommentProperties is required",
            v2_title="inlineCommentProperties with a textSelection must be provided for a top-level inline comment",
        )
    comment = threads.add_inline(
        page,
        value or "",
        call.current,
        props.get("textSelection"),
        props.get("textSelectionMatchCount"),
        props.get("textSelectionMatchIndex", 0),
    )
    return json_response(_v2_comment(call, comment, "storage", single=True), 201)


@v2("GET", "/inline-comments/{id}")
async def get_inline_comment(call: ConfluenceCall) -> web.Response:
    comment = _v2_comment_of(call, "inline")
    return json_response(_v2_comment(call, comment, call.body_format(), single=True))


@v2("GET", "/inline-comments/{id}/children")
async def inline_comment_children(call: ConfluenceCall) -> web.Response:
    comment = _v2_comment_of(call, "inline")
    body_format = call.body_format()
    children = _sorted(call, _threads(call).children(comment))
    return v2_page(call, children, lambda c: _v2_child(call, c, body_format))


# ---------------------------------------------------------------------- v1


def v1_comment(call: ConfluenceCall, comment: Comment, expand: Expand, *, top_links: bool = False) -> JSON:
    """A v1 comment with its real ``ancestors`` (the comments above it) and ``extensions`` (where it sits)."""
    threads = _threads(call)
    data = call.renderer.comment(comment, expand, top_links=top_links)
    if expand.has("ancestors"):
        data["ancestors"] = [call.renderer.comment(a) for a in threads.ancestors(comment)]
    anchor = threads.anchor(comment)
    if anchor is None:
        return data
    extensions: JSON = {"location": "inline"}
    if comment["id"] in threads.anchors:
        extensions["inlineProperties"] = {"markerRef": anchor.marker_ref, "originalSelection": anchor.selection}
    if expand.sub("extensions").has("resolution"):
        extensions["resolution"] = {
            "status": anchor.resolution,
            "lastModifier": call.renderer.user(anchor.changed_by or comment["created_by"]),
            "lastModifiedDate": v1_timestamp(anchor.changed or comment["created"], call.state.cloud),
        }
    else:
        extensions["_expandable"] = {"resolution": ""}
    data["extensions"] = extensions
    return data


@v1("GET", "/content/{id}/child/comment", "v1-content")
async def page_comments(call: ConfluenceCall) -> web.Response:
    page = call.state.page(call.path_id())
    threads = _threads(call)
    expand = call.expand()
    locations = set(call.query.getall("location", [])) or set(_V1_LOCATIONS)
    unknown = locations - _V1_LOCATIONS
    if unknown:
        raise bad_request(f"Invalid location: {sorted(unknown)[0]}; use footer, inline or resolved")
    roots = [
        c
        for c in call.state.comments.get(page["id"], [])
        if c["id"] not in threads.parents and threads.v1_location(c) in locations
    ]
    depth = call.query.get("depth", "")
    if depth not in ("", "root", "all"):
        raise bad_request(f"Invalid depth: {depth}; use all or leave it out")
    comments = threads.threads(roots) if depth == "all" else roots
    return v1_response(call, comments, lambda c: v1_comment(call, c, expand))


@v1("GET", "/content/{id}", "v1-content")
async def get_comment_content(call: ConfluenceCall) -> web.StreamResponse:
    """A comment, with where it sits; any other content is ``content``'s."""
    comment = call.state.comment(call.path_id())
    if comment is None:
        return await get_other_content(call)
    return json_response(v1_comment(call, comment, call.expand(DEFAULT_EXPAND), top_links=True))


@v1("POST", "/content", "v1-content")
async def create_comment_content(call: ConfluenceCall) -> web.StreamResponse:
    """Comments here (replies and inline ones too); pages go on to ``content``'s handler."""
    payload = await call.object()
    if payload.get("type") != "comment":
        return await create_other_content(call)
    container = payload.get("container")
    container_id = call.state.payload_id(container.get("id")) if isinstance(container, dict) else None
    if container_id is None:
        raise bad_request("A comment must have a container (container.id)")
    page = call.state.page(container_id)
    value = storage_value(payload.get("body"), v2=False)
    comment = _threads(call).add_v1(page, payload, value or "", call.current)
    return json_response(v1_comment(call, comment, Expand.parse(WRITE_EXPAND + ",extensions"), top_links=True))
