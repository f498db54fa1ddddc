"""v1 content: pages and comments (list, read, update, delete; a comment is created and listed by ``comments``),
a page's children, its content properties, and the body converter (wiki markup to storage)."""

from __future__ import annotations

import html
import re
from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import ConfluenceCall, ConfluenceRoutes, storage_value, version_of
from .._data import Comment, Page, v1_timestamp
from .._errors import ConfluenceError, bad_request
from .._paging import v1_response
from .._properties_state import Property, properties_of
from .._render import Expand
from .history import at_version

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
    if content_type != "page":
        # comments are created by the `comments` table's handler, which passes everything else on here
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
    item = at_version(call, item)  # ?version=N: the page as it was then (routes/history)
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
    record_minor_edit(item, payload)
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


def record_minor_edit(page: Page, payload: dict[str, Any]) -> None:
    """Remember whether the version just written is a minor edit (``version.minorEdit``), as its version shows."""
    version = payload.get("version")
    minor = isinstance(version, dict) and version.get("minorEdit") is True
    page["minor_edit_version"] = page["version"] if minor else None


# ---------------------------------------------------------------------- content properties (v1, by key)


def _property(call: ConfluenceCall, prop: Property) -> dict[str, Any]:
    base = call.renderer.base
    return {
        "id": prop.id,
        "key": prop.key,
        "value": prop.value,
        "version": {
            "by": call.renderer.user(prop.by),
            "when": v1_timestamp(prop.when, call.state.cloud),
            "message": "",
            "number": prop.version,
            "minorEdit": False,
        },
        "_links": {"self": f"{base}/rest/api/content/{prop.page_id}/property/{prop.key}", "base": base},
        "_expandable": {"content": f"/rest/api/content/{prop.page_id}"},
    }


def _missing_property(page_id: str, key: str) -> ConfluenceError:
    return ConfluenceError(404, f"Cannot find content property with key: {key} on content with id: {page_id}")


@v1("GET", "/content/{id}/property")
async def properties(call: ConfluenceCall) -> web.Response:
    page = call.state.content(call.path_id())
    found = sorted(properties_of(call.state).of(page["id"]).values(), key=lambda p: int(p.id))
    return v1_response(call, found, lambda p: _property(call, p), default_limit=10)


@v1("POST", "/content/{id}/property")
async def create_property(call: ConfluenceCall) -> web.Response:
    page = call.state.content(call.path_id())
    payload = await call.object()
    prop = properties_of(call.state).create(page["id"], payload.get("key"), payload.get("value"), call.current)
    return json_response(_property(call, prop))


@v1("GET", "/content/{id}/property/{key}")
async def get_property(call: ConfluenceCall) -> web.Response:
    page = call.state.content(call.path_id())
    key = call.request.match_info["key"]
    prop = properties_of(call.state).get(page["id"], key)
    if prop is None:
        raise _missing_property(page["id"], key)
    return json_response(_property(call, prop))


@v1("PUT", "/content/{id}/property/{key}")
async def update_property(call: ConfluenceCall) -> web.Response:
    """Updates the property; a key the content lacks is created when the version sent is 1, as Confluence does."""
    page = call.state.content(call.path_id())
    key = call.request.match_info["key"]
    payload = await call.object()
    if payload.get("key", key) != key:
        raise bad_request("The key in the body must match the key in the path")
    store = properties_of(call.state)
    prop = store.get(page["id"], key)
    if prop is None:
        version = payload.get("version")
        if isinstance(version, dict) and version.get("number") == 1:
            return json_response(_property(call, store.create(page["id"], key, payload.get("value"), call.current)))
        raise _missing_property(page["id"], key)
    return json_response(
        _property(call, store.update(prop, payload.get("value"), payload.get("version"), call.current))
    )


@v1("DELETE", "/content/{id}/property/{key}")
async def delete_property(call: ConfluenceCall) -> web.Response:
    page = call.state.content(call.path_id())
    key = call.request.match_info["key"]
    store = properties_of(call.state)
    prop = store.get(page["id"], key)
    if prop is None:
        raise _missing_property(page["id"], key)
    store.delete(prop)
    return web.Response(status=204)


# ---------------------------------------------------------------------- the body converter

_WIKI_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")
_WIKI_ITEM = re.compile(r"^([*#-])\s+(.*)$")
_WIKI_STRONG = re.compile(r"\*([^*\s][^*]*)\*")
_WIKI_EMPH = re.compile(r"(?<![\w])_([^_\s][^_]*)_(?![\w])")
_WIKI_CODE = re.compile(r"\{\{([^}]+)\}\}")


def _wiki_inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _WIKI_CODE.sub(r"<code>\1</code>", text)
    text = _WIKI_STRONG.sub(r"<strong>\1</strong>", text)
    return _WIKI_EMPH.sub(r"<em>\1</em>", text)


def wiki_to_storage(wiki: str) -> str:
    """A small part of Confluence's wiki renderer: headings, bullet and numbered lists, *strong*, _emphasis_,
    {{monospace}} and paragraphs (lines of a paragraph joined by a line break)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal kind
        if paragraph:
            out.append("<p>" + "<br />".join(paragraph) + "</p>")
            paragraph.clear()
        if items:
            tag = "ol" if kind == "#" else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>")
            items.clear()
        kind = ""

    for raw in wiki.splitlines():
        line = raw.strip()
        heading = _WIKI_HEADING.match(line)
        item = _WIKI_ITEM.match(line)
        if not line:
            flush()
        elif heading:
            flush()
            out.append(f"<h{heading.group(1)}>{_wiki_inline(heading.group(2))}</h{heading.group(1)}>")
        elif item:
            marker = "#" if item.group(1) == "#" else "*"
            if paragraph or (kind and kind != marker):
                flush()
            kind = marker
            items.append(_wiki_inline(item.group(2)))
        else:
            if items:
                flush()
            paragraph.append(_wiki_inline(line))
    flush()
    return "".join(out)


@v1("POST", "/contentbody/convert/{to}")
async def convert_body(call: ConfluenceCall) -> web.Response:
    to = call.request.match_info["to"]
    payload = await call.object()
    value = payload.get("value")
    representation = payload.get("representation")
    if not isinstance(value, str):
        raise bad_request("The body to convert needs a value")
    if to != "storage":
        raise bad_request(f"The fake Confluence converts to storage only, not to {to}")
    if representation == "wiki":
        converted = wiki_to_storage(value)
    elif representation == "storage":
        converted = call.state.check_storage(value)
    else:
        raise bad_request(f"Cannot convert from {representation!r} to storage")
    base = call.renderer.base
    return json_response(
        {
            "value": converted,
            "representation": "storage",
            "embeddedContent": [],
            "_links": {"base": base, "context": call.fake.context_path},
        }
    )
