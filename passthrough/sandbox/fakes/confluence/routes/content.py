"""v1 content: pages and comments alike (list, read, create, update, delete) and a page's children."""

from __future__ import annotations

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes, storage_value, version_of
from .._data import Comment, Page
from .._errors import bad_request
from .._paging import v1_response
from .._render import Expand

v1 = ConfluenceRoutes()

DEFAULT_EXPAND = "space,history,version"
WRITE_EXPAND = "space,history,version,ancestors,container,body.storage"


@v1("GET", "/content", "v1-content")
async def content_list(call: ConfluenceCall) -> web.Response:
    query = call.query
    content_type = query.get("type", "page")
    items: list[Page | Comment]
    if content_type == "page":
        items = sorted(call.state.pages.values(), key=lambda p: int(p["id"]))
    elif content_type == "comment":
        items = list(call.state.all_comments())
    else:
        items = []
    space_key = query.get("spaceKey")
    if space_key:
        items = [i for i in items if call.state.space_of(i).key.lower() == space_key.lower()]
    title = query.get("title")
    if title:
        items = [i for i in items if i["type"] == "page" and i["title"].casefold() == title.casefold()]
    expand = call.expand()
    return v1_response(call, items, lambda i: call.renderer.content(i, expand))


@v1("POST", "/content", "v1-content")
async def create_content(call: ConfluenceCall) -> web.Response:
    payload = await call.object()
    content_type = payload.get("type")
    written = Expand.parse(WRITE_EXPAND)
    if content_type == "comment":
        container = payload.get("container")
        container_id = call.state.payload_id(container.get("id")) if isinstance(container, dict) else None
        if container_id is None:
            raise bad_request("A comment must have a container (container.id)")
        page = call.state.page(container_id)
        value = storage_value(payload.get("body"), v2=False)
        comment = call.state.add_comment(page, value or "", call.current)
        return json_response(call.renderer.comment(comment, written, top_links=True))
    if content_type != "page":
        raise bad_request(f"Content type {content_type!r} is not supported; use 'page' or 'comment'")
    space_ref = payload.get("space")
    key = space_ref.get("key") if isinstance(space_ref, dict) else None
    if not isinstance(key, str) or not key:
        raise bad_request("Space key is required to create content (space.key)")
    space = call.state.space_by_key(key)
    if space is None:
        raise bad_request(f"No space with key : {key}")
    parent_id = _parent(call, payload.get("ancestors"))
    value = storage_value(payload.get("body"), v2=False)
    page = call.state.create_page(space, payload.get("title"), value or "", parent_id, call.current, "v1")
    return json_response(call.renderer.page(page, written, top_links=True))


@v1("GET", "/content/{id}", "v1-content")
async def get_content(call: ConfluenceCall) -> web.Response:
    content_id = call.path_id()
    status = call.query.get("status", "current")
    item: Page | Comment | None = call.state.pages.get(content_id) or call.state.comment(content_id)
    if item is None and content_id in call.state.trash and ("trashed" in status or status == "any"):
        item = call.state.trash[content_id]
    if item is None:
        item = call.state.content(content_id)  # raises the 404
    return json_response(call.renderer.content(item, call.expand(DEFAULT_EXPAND), top_links=True))


@v1("PUT", "/content/{id}", "v1-content")
async def update_content(call: ConfluenceCall) -> web.Response:
    item = call.state.content(call.path_id())
    payload = await call.object()
    number, message = version_of(payload)
    written = Expand.parse(WRITE_EXPAND)
    content_type = payload.get("type", item["type"])
    if content_type != item["type"]:
        raise bad_request(f"Cannot change the type of content {item['id']} from {item['type']} to {content_type}")
    value = storage_value(payload.get("body"), v2=False)
    if item["type"] == "comment":
        if value is None:
            raise bad_request("A comment update needs a body")
        call.state.update_comment(item, version=number, body=value, actor=call.current, api="v1")
        return json_response(call.renderer.comment(item, written, top_links=True))
    ancestors = payload.get("ancestors")
    move = isinstance(ancestors, list) and len(ancestors) > 0
    call.state.update_page(
        item,
        version=number,
        title=payload.get("title"),
        body=value,
        parent_id=_parent(call, ancestors) if move else None,
        move=move,
        message=message,
        actor=call.current,
        api="v1",
    )
    return json_response(call.renderer.page(item, written, top_links=True))


@v1("DELETE", "/content/{id}", "v1-content")
async def delete_content(call: ConfluenceCall) -> web.Response:
    call.state.delete(call.state.content(call.path_id()))
    return web.Response(status=204)


@v1("GET", "/content/{id}/child/page", "v1-content")
async def child_pages(call: ConfluenceCall) -> web.Response:
    page = call.state.page(call.path_id())
    expand = call.expand()
    return v1_response(call, call.state.children(page["id"]), lambda p: call.renderer.page(p, expand))


@v1("GET", "/content/{id}/child/comment", "v1-content")
async def child_comments(call: ConfluenceCall) -> web.Response:
    page = call.state.page(call.path_id())
    expand = call.expand()
    locations = call.query.getall("location", [])
    comments = call.state.comments.get(page["id"], []) if not locations or "footer" in locations else []
    return v1_response(call, list(comments), lambda c: call.renderer.comment(c, expand))


def _parent(call: ConfluenceCall, ancestors: object) -> str | None:
    """The parent a v1 write names: the last of its ``ancestors``."""
    if ancestors is None or ancestors == []:
        return None
    if not isinstance(ancestors, list) or not all(isinstance(a, dict) for a in ancestors):
        raise bad_request("ancestors must be a list of objects with an id")
    parent = call.state.payload_id(ancestors[-1].get("id"))
    if parent is None:
        raise bad_request("ancestors must be a list of objects with an id")
    return parent
