"""Reading Confluence: who am I, CQL search, pages, children, spaces, labels."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AliasChoices, Field, model_validator

from passthrough.providers.confluence import ConfluenceClient
from passthrough.tools._markdown import read_storage
from passthrough.tools._render import pick, signed_in
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.confluence._common import (
    ContentId,
    Cursor,
    PageId,
    SpaceKey,
    page_data,
    page_text,
    space_keys,
    to_cql,
    within_spaces,
)

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
    spaces_filter: Annotated[
        str | None,
        Field(max_length=2000, description="Comma-separated space keys the results must be in, e.g. DEV,TEAM"),
    ] = None


def _excerpt(text: Any) -> str:
    clean = " ".join(_TAGS.sub("", str(text or "")).split())
    return clean if len(clean) <= 300 else clean[:299] + "…"


@tool("confluence_search", title="Confluence: search (CQL or text)", toolset="confluence_pages")
async def search(confluence: ConfluenceClient, args: Search) -> ToolResult:
    """Search Confluence with CQL (e.g. space = ENG AND title ~ "plan") or plain words. Returns title, space,
    excerpt and page id; pass next_cursor back as cursor for more. spaces_filter limits the results to
    those spaces, whatever the query says."""
    cql = within_spaces(to_cql(args.query, confluence.cloud), space_keys(args.spaces_filter))
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
    include_metadata: Annotated[
        bool, Field(description="false: only the body, without title, space, version and links")
    ] = True
    convert_to_markdown: Annotated[
        bool, Field(description="false: the body as Confluence storage XHTML, exactly as stored (macros kept)")
    ] = True

    @model_validator(mode="after")
    def _one_way(self) -> GetPage:
        if self.page_id is None and (self.space_key is None or self.title is None):
            raise ValueError("give page_id, or space_key and title")
        return self


@tool("confluence_get_page", title="Confluence: get page", toolset="confluence_pages")
async def get_page(confluence: ConfluenceClient, args: GetPage) -> ToolResult:
    """Get a page by page_id, or by space_key and title: its body as Markdown (or, with
    convert_to_markdown=false, as storage XHTML), and its version; include_metadata=false gives the body alone."""
    if args.page_id is not None:
        page = await confluence.page(args.page_id)
    else:
        assert args.space_key is not None and args.title is not None
        page = await confluence.page_by_title(args.space_key, args.title)
    d = await page_data(page, args.convert_to_markdown)
    if not args.include_metadata:
        body = d["body"]
        return ToolResult(
            (body.strip() or "_Empty page._") + "\n", {"id": d["id"], "body": body, "body_format": d["body_format"]}
        )
    return ToolResult(page_text(d), d)


_EXPAND = r"^[A-Za-z0-9_.,\s]*$"


class Children(Arguments):
    page_id: Annotated[PageId, Field(validation_alias=AliasChoices("page_id", "parent_id"))]
    limit: Annotated[int, Field(ge=1, le=250)] = 25
    cursor: Cursor = None
    start: Annotated[
        int,
        Field(
            ge=0,
            le=100_000,
            description=f"Skip this many children (on Cloud at most {ConfluenceClient.MAX_CHILD_SKIP}; or use cursor)",
        ),
    ] = 0
    expand: Annotated[
        str | None,
        Field(
            max_length=500,
            pattern=_EXPAND,
            description="Expansions, e.g. version,body.storage (Server sends them on; Cloud honours body.*)",
        ),
    ] = "version"
    include_content: Annotated[bool, Field(description="Each child page's body too")] = False
    convert_to_markdown: Annotated[bool, Field(description="false: bodies as storage XHTML")] = True
    include_folders: Annotated[bool, Field(description="Folders among the children too (Cloud; Server has none)")] = (
        True
    )


def _expansions(args: Children) -> list[str]:
    names = [e.strip() for e in (args.expand or "").split(",") if e.strip()]
    if args.include_content and not any(n == "body" or n.startswith("body.") for n in names):
        names.append("body.storage")
    return list(dict.fromkeys(names))


@tool("confluence_get_page_children", title="Confluence: child pages", toolset="confluence_pages")
async def children(confluence: ConfluenceClient, args: Children) -> ToolResult:
    """List the children of a page (parent_id): pages, and on Cloud its folders (include_folders). With
    include_content, each child page's body as Markdown (or storage XHTML). Page on with cursor=next_cursor,
    or with start (an offset)."""
    expand = _expansions(args)
    with_body = any(n == "body" or n.startswith("body.") for n in expand)
    listing = await confluence.children(
        args.page_id,
        args.limit,
        args.cursor,
        start=args.start,
        folders=args.include_folders and confluence.cloud,
        expand=",".join(expand) or None,
    )
    bodies: dict[str, str] = {}
    versions: dict[str, int] = {}
    if confluence.cloud:
        # v2 child listings carry neither bodies nor versions: read the child pages only for their bodies
        wanted = [str(c.get("id")) for c in listing.items if c.get("type", "page") == "page" and c.get("id")]
        if with_body and wanted:
            for page in (await confluence.pages_with_bodies(wanted)).values():
                bodies[page.id] = page.body
                versions[page.id] = page.version
    else:
        for c in listing.items:
            storage = (((c.get("body") or {}).get("storage")) or {}).get("value")
            if isinstance(storage, str):
                bodies[str(c.get("id"))] = storage
            number = (c.get("version") or {}).get("number")
            if isinstance(number, int):
                versions[str(c.get("id"))] = number
    rows: list[dict[str, Any]] = []
    for c in listing.items:
        cid = str(c.get("id", ""))
        row: dict[str, Any] = {"id": cid, "title": c.get("title"), "type": c.get("type", "page")}
        if cid in versions:
            row["version"] = versions[cid]
        if with_body and row["type"] == "page":
            storage = bodies.get(cid, "")
            row["body"] = await read_storage(storage) if args.convert_to_markdown else storage
        rows.append(row)
    return ToolResult(
        _children_text(args, rows, listing.next_cursor, listing.next_start),
        {
            "page_id": args.page_id,
            "children": rows,
            "next_cursor": listing.next_cursor,
            "next_start": listing.next_start,
        },
    )


def _children_text(args: Children, rows: list[dict[str, Any]], cursor: str | None, start: int | None) -> str:
    lines = [f"{len(rows)} children of page {args.page_id}:" if rows else f"Page {args.page_id} has no child pages."]
    for r in rows:
        what = "folder" if r["type"] == "folder" else "page"
        version = f", version {r['version']}" if "version" in r else ""
        lines.append(f"- {r['title']} ({what} {r['id']}{version})")
    for r in rows:
        if "body" in r:
            lines += ["", f"## {r['title']}", "", r["body"].strip() or "_Empty page._"]
    if cursor:
        lines += ["", f'More: call confluence_get_page_children with cursor="{cursor}".']
    elif start is not None:
        lines += ["", f"More: call confluence_get_page_children with start={start}."]
    return "\n".join(lines) + "\n"


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
    page_id: ContentId


@tool("confluence_get_labels", title="Confluence: page labels", toolset="confluence_labels")
async def get_labels(confluence: ConfluenceClient, args: Labels) -> ToolResult:
    """List the labels on a page, blog post or attachment (att… id)."""
    labels = await confluence.labels(args.page_id)
    what = "attachment" if args.page_id.startswith("att") else "page"
    text = f"Labels on {what} {args.page_id}: " + (", ".join(labels) if labels else "none")
    return ToolResult(text + "\n", {"page_id": args.page_id, "labels": labels})
