"""Reading Confluence: who am I, CQL search, pages, children, spaces, labels."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, model_validator

from passthrough.providers.confluence import ConfluenceClient
from passthrough.tools._render import pick, signed_in
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.confluence._common import Cursor, PageId, SpaceKey, page_data, page_text, to_cql

_TAGS = re.compile(r"<[^>]+>|@@@(end)?hl@@@")


@tool("confluence_get_myself", title="Confluence: who am I", toolset="confluence_users")
async def get_myself(confluence: ConfluenceClient, _: NoArguments) -> ToolResult:
    """Show the Confluence account the request's credential belongs to."""
    me = await confluence.myself()
    data = pick(me, display_name="displayName", email="email", account_id="accountId", username="username")
    data["deployment"] = "cloud" if confluence.cloud else "server"
    name = data["display_name"] or data["username"] or "an unnamed user"
    return signed_in("Confluence", confluence.base_url, name, data, email=False)


class Search(Arguments):
    query: Annotated[str, Field(min_length=1, max_length=4000, description="CQL, or plain words for a text search")]
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    cursor: Cursor = None


def _excerpt(text: Any) -> str:
    clean = " ".join(_TAGS.sub("", str(text or "")).split())
    return clean if len(clean) <= 300 else clean[:299] + "…"


@tool("confluence_search", title="Confluence: search (CQL or text)", toolset="confluence_pages")
async def search(confluence: ConfluenceClient, args: Search) -> ToolResult:
    """Search Confluence with CQL (e.g. space = ENG AND title ~ "plan") or plain words. Returns title, space,
    excerpt and page id; pass next_cursor back as cursor for more."""
    cql = to_cql(args.query, confluence.cloud)
    listing = await confluence.search(cql, args.limit, args.cursor)
    rows = []
    for item in listing.items:
        content = item.get("content") or {}
        links = content.get("_links") or {}
        rows.append(
            {
                "id": str(content.get("id", "")),
                "type": content.get("type"),
                "title": item.get("title") or content.get("title"),
                "space": (item.get("resultGlobalContainer") or {}).get("title")
                or (content.get("space") or {}).get("key"),
                "excerpt": _excerpt(item.get("excerpt")),
                "url": f"{confluence.base_url}{item.get('url') or links.get('webui') or ''}",
                "last_modified": item.get("lastModified"),
            }
        )
    head = f"{len(rows)} results" + (f" of {listing.total}" if listing.total is not None else "") + f" for CQL: {cql}"
    lines = [head if rows else f"No results for CQL: {cql}"]
    for r in rows:
        lines.append(f"- {r['title']} (page {r['id']}, {r['space']})" + (f": {r['excerpt']}" if r["excerpt"] else ""))
    if listing.next_cursor:
        lines += ["", f'More results: call confluence_search with the same query and cursor="{listing.next_cursor}".']
    structured = {"cql": cql, "results": rows, "next_cursor": listing.next_cursor, "total": listing.total}
    return ToolResult("\n".join(lines) + "\n", structured)


class GetPage(Arguments):
    page_id: PageId | None = None
    space_key: SpaceKey | None = None
    title: Annotated[str | None, Field(min_length=1, max_length=255)] = None

    @model_validator(mode="after")
    def _one_way(self) -> GetPage:
        if self.page_id is None and (self.space_key is None or self.title is None):
            raise ValueError("give page_id, or space_key and title")
        return self


@tool("confluence_get_page", title="Confluence: get page", toolset="confluence_pages")
async def get_page(confluence: ConfluenceClient, args: GetPage) -> ToolResult:
    """Get a page by page_id, or by space_key and title: its body as Markdown, and its version."""
    if args.page_id is not None:
        page = await confluence.page(args.page_id)
    else:
        assert args.space_key is not None and args.title is not None
        page = await confluence.page_by_title(args.space_key, args.title)
    d = await page_data(page)
    return ToolResult(page_text(d), d)


class Children(Arguments):
    page_id: PageId
    limit: Annotated[int, Field(ge=1, le=250)] = 50
    cursor: Cursor = None


@tool("confluence_get_page_children", title="Confluence: child pages", toolset="confluence_pages")
async def children(confluence: ConfluenceClient, args: Children) -> ToolResult:
    """List the child pages of a page."""
    listing = await confluence.children(args.page_id, args.limit, args.cursor)
    rows = [{"id": str(c.get("id", "")), "title": c.get("title")} for c in listing.items]
    lines = [f"{len(rows)} child pages of {args.page_id}:" if rows else f"Page {args.page_id} has no child pages."]
    lines += [f"- {r['title']} (page {r['id']})" for r in rows]
    if listing.next_cursor:
        lines += ["", f'More: call confluence_get_page_children with cursor="{listing.next_cursor}".']
    return ToolResult(
        "\n".join(lines) + "\n", {"page_id": args.page_id, "children": rows, "next_cursor": listing.next_cursor}
    )


class Spaces(Arguments):
    limit: Annotated[int, Field(ge=1, le=250)] = 50
    cursor: Cursor = None


@tool("confluence_list_spaces", title="Confluence: list spaces", toolset="confluence_pages")
async def list_spaces(confluence: ConfluenceClient, args: Spaces) -> ToolResult:
    """List the Confluence spaces the user can see (key, name)."""
    listing = await confluence.spaces(args.limit, args.cursor)
    rows = [
        {"key": s.get("key"), "name": s.get("name"), "id": str(s.get("id", "")), "type": s.get("type")}
        for s in listing.items
    ]
    lines = [f"{len(rows)} spaces:"] + [f"- {r['key']} — {r['name']}" for r in rows]
    if listing.next_cursor:
        lines += ["", f'More: call confluence_list_spaces with cursor="{listing.next_cursor}".']
    return ToolResult("\n".join(lines) + "\n", {"spaces": rows, "next_cursor": listing.next_cursor})


class Labels(Arguments):
    page_id: PageId


@tool("confluence_get_labels", title="Confluence: page labels", toolset="confluence_labels")
async def get_labels(confluence: ConfluenceClient, args: Labels) -> ToolResult:
    """List the labels on a page."""
    labels = await confluence.labels(args.page_id)
    text = f"Labels on page {args.page_id}: " + (", ".join(labels) if labels else "none")
    return ToolResult(text + "\n", {"page_id": args.page_id, "labels": labels})
