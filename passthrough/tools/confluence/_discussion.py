"""Confluence tools for footer and inline comments: read, reply, anchor.

A page's comments come as threads: each top-level comment with its replies under it, bodies as Markdown.
Cloud reads REST v2 (a page's comments, then each comment's ``/children``, within a budget of calls);
Server/Data Center reads v1 once, with ``depth=all``, and threads the answer by each reply's ``ancestors``.
"""

from __future__ import annotations

import asyncio
import html
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.confluence import ConfluenceClient
from passthrough.tools._markdown import read_storage, write_storage
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.confluence._common import Cursor, PageId

Kind = Literal["footer", "inline"]
TOOLSET = "confluence_comments"
REPLY_CALLS = 40  # Cloud: at most this many /children reads for one page of threads
REPLIES_PER_CALL = 50
MAX_DEPTH = 6  # Cloud: replies to replies are followed this deep
_HIDDEN = frozenset({"ac:parameter", "ac:task-id", "ac:task-status"})  # macro settings, not text a reader sees
_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "br", "pre", "blockquote", "hr"}
    | {f"h{n}" for n in range(1, 7)}
    | {"ac:task", "ac:rich-text-body", "ac:plain-text-body"}
)


def _text_id(value: Any) -> Any:
    """Ids are strings in the schema (as in the peer); a number a model sends is taken as one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Page = Annotated[PageId, BeforeValidator(_text_id)]
CommentId = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(pattern=r"^[0-9]{1,20}$", description="Numeric comment id (from confluence_get_comments)"),
]
Limit = Annotated[int, Field(ge=1, le=100, description="Threads per page of results")]
CommentBody = Annotated[str, Field(min_length=1, max_length=100_000, description="The comment as Markdown")]


# ---------------------------------------------------------------------- the text a reader sees


def storage_text(xhtml: str) -> str:
    """The text of a storage body as a reader sees it: one line a block, whitespace runs as one space.

    One pass over the input (every search starts where the last ended): tags dropped, macro settings skipped,
    CDATA kept, entities decoded."""
    parts: list[str] = []
    at, size = 0, len(xhtml)
    while at < size:
        lt = xhtml.find("<", at)
        if lt < 0:
            parts.append(html.unescape(xhtml[at:]))
            break
        parts.append(html.unescape(xhtml[at:lt]))
        if xhtml.startswith("<![CDATA[", lt):
            end = xhtml.find("]]>", lt + 9)
            parts.append(xhtml[lt + 9 : end if end >= 0 else size])
            at = end + 3 if end >= 0 else size
            continue
        gt = xhtml.find(">", lt)
        if gt < 0:
            parts.append(html.unescape(xhtml[lt:]))
            break
        tag = xhtml[lt + 1 : gt]
        closing = tag.startswith("/")
        name = tag.lstrip("/").split(None, 1)[0].rstrip("/").lower() if tag.strip("/ ") else ""
        at = gt + 1
        if name in _BLOCKS:
            parts.append("\n")
        if name in _HIDDEN and not closing and not tag.endswith("/"):
            end = xhtml.find(f"</{name}", at)
            close = xhtml.find(">", end) if end >= 0 else -1
            at = close + 1 if close >= 0 else size
    return "\n".join(" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip())


# ---------------------------------------------------------------------- reading comments


def _quote(markdown: str, indent: str) -> str:
    lines = markdown.strip().split("\n") or [""]
    return "\n".join(f"{indent}> {line}".rstrip() for line in lines)


async def _row_v2(confluence: ConfluenceClient, item: dict[str, Any], kind: Kind) -> dict[str, Any]:
    version = item.get("version") or {}
    links = item.get("_links") or {}
    row: dict[str, Any] = {
        "id": str(item.get("id", "")),
        "author": None,
        "author_id": version.get("authorId"),
        "created": version.get("createdAt"),
        "parent_id": str(item["parentCommentId"]) if item.get("parentCommentId") else None,
        "body": await read_storage(str((((item.get("body") or {}).get("storage")) or {}).get("value", ""))),
        "url": f"{confluence.base_url}{links['webui']}" if links.get("webui") else None,
    }
    if kind == "inline":
        props = item.get("properties") or {}
        row["text_selection"] = props.get("inlineOriginalSelection")
        row["resolution"] = item.get("resolutionStatus")
    row["replies"] = []
    return row


async def _row_v1(confluence: ConfluenceClient, item: dict[str, Any], kind: Kind) -> dict[str, Any]:
    history = item.get("history") or {}
    author = history.get("createdBy") or {}
    ancestors = [a for a in item.get("ancestors") or [] if isinstance(a, dict)]
    links = item.get("_links") or {}
    row: dict[str, Any] = {
        "id": str(item.get("id", "")),
        "author": author.get("displayName"),
        "author_id": author.get("accountId") or author.get("username"),
        "created": history.get("createdDate"),
        "parent_id": str(ancestors[-1].get("id")) if ancestors else None,
        "body": await read_storage(str((((item.get("body") or {}).get("storage")) or {}).get("value", ""))),
        "url": f"{confluence.base_url}{links['webui']}" if links.get("webui") else None,
    }
    if kind == "inline":
        extensions = item.get("extensions") or {}
        row["text_selection"] = (extensions.get("inlineProperties") or {}).get("originalSelection")
        row["resolution"] = (extensions.get("resolution") or {}).get("status")
    row["replies"] = []
    return row


async def _threads_v2(
    confluence: ConfluenceClient, kind: Kind, page_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """Top-level comments with their replies, reading /children level by level within REPLY_CALLS."""
    items, next_cursor = await confluence.page_comments_v2(kind, page_id, limit, cursor)
    roots = [await _row_v2(confluence, item, kind) for item in items]
    level, calls, depth, cut = roots, 0, 0, False
    while level:
        if depth == MAX_DEPTH or calls == REPLY_CALLS:
            cut = True  # these comments' replies, if any, are not read
            break
        asked = level[: REPLY_CALLS - calls]
        cut = cut or len(asked) < len(level)
        calls, depth, level = calls + len(asked), depth + 1, []
        answers = await asyncio.gather(
            *(confluence.comment_children_v2(kind, row["id"], REPLIES_PER_CALL) for row in asked)
        )
        for row, (children, more) in zip(asked, answers, strict=True):
            for child in children:
                reply = await _row_v2(confluence, child, kind)
                reply["parent_id"] = row["id"]
                row["replies"].append(reply)
                level.append(reply)
            row["more_replies"] = more
            cut = cut or more
    return roots, next_cursor, cut


async def _threads_v1(
    confluence: ConfluenceClient, kind: Kind, page_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """One v1 read (replies after their roots), threaded by each reply's nearest ancestor."""
    items, next_cursor = await confluence.page_comments_v1(kind, page_id, limit, cursor)
    rows = [await _row_v1(confluence, item, kind) for item in items]
    by_id = {row["id"]: row for row in rows}
    roots: list[dict[str, Any]] = []
    for row in rows:
        parent = by_id.get(row["parent_id"] or "")
        if parent is not None and parent is not row:
            parent["replies"].append(row)
        else:
            roots.append(row)  # a thread's root, or a reply whose thread began on an earlier page
    return roots, next_cursor, False


def _count(rows: list[dict[str, Any]]) -> int:
    return sum(1 + _count(row["replies"]) for row in rows)


def _all(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = list(reversed(rows))
    while stack:
        row = stack.pop()
        out.append(row)
        stack.extend(reversed(row["replies"]))
    return out


async def _name_authors(confluence: ConfluenceClient, rows: list[dict[str, Any]]) -> None:
    """Cloud names authors by account id only: their display names, best effort (v2 users-bulk)."""
    everyone = _all(rows)
    ids = list(dict.fromkeys(str(row["author_id"]) for row in everyone if row["author_id"]))
    if not ids:
        return
    try:
        names = await confluence.user_names(ids)
    except UpstreamError:
        return
    for row in everyone:
        row["author"] = names.get(str(row["author_id"])) or None


def _head(row: dict[str, Any], kind: Kind) -> str:
    who = row["author"] or (f"account {row['author_id']}" if row["author_id"] else "unknown author")
    if row["parent_id"]:
        head = f"Reply {row['id']} to {row['parent_id']}"
    elif kind == "inline":
        head = f"Inline comment {row['id']}"
        if row.get("resolution"):
            head += f" [{row['resolution']}]"
        if row.get("text_selection"):
            head += f" on “{row['text_selection']}”"
    else:
        head = f"Comment {row['id']}"
    return f"{head} · {who} · {row['created'] or 'no date'}"


def _thread_text(rows: list[dict[str, Any]], kind: Kind, depth: int = 0) -> list[str]:
    out: list[str] = []
    stack = [(row, depth) for row in reversed(rows)]
    while stack:
        row, level = stack.pop()
        indent = "  " * level
        out.append(f"{indent}{_head(row, kind)}")
        out.append(_quote(row["body"] or "_(empty)_", indent))
        if row.get("more_replies"):
            out.append(f"{indent}  (more replies than shown)")
        out.append("")
        stack.extend((reply, level + 1) for reply in reversed(row["replies"]))
    return out


async def _listing(confluence: ConfluenceClient, kind: Kind, args: PageComments) -> ToolResult:
    read = _threads_v2 if confluence.cloud else _threads_v1
    roots, next_cursor, cut = await read(confluence, kind, args.page_id, args.limit, args.cursor)
    if confluence.cloud:
        await _name_authors(confluence, roots)
    total = _count(roots)
    what = "inline comments" if kind == "inline" else "comments"
    data = {"page_id": args.page_id, "count": total, "comments": roots, "next_cursor": next_cursor, "truncated": cut}
    if not roots:
        more = f' on this page of results; pass cursor="{next_cursor}" for more' if next_cursor else ""
        return ToolResult(f"Page {args.page_id} has no {what}{more}.\n", data)
    threads = f"{len(roots)} thread{'s' if len(roots) != 1 else ''}"
    lines = [f"{total} {what} on page {args.page_id} ({threads}):", ""]
    lines += _thread_text(roots, kind)
    if cut:
        lines.append("Some replies were not read (the thread is long or deep); open the comment's URL for all.")
    if next_cursor:
        lines.append(f'More threads: call again with cursor="{next_cursor}".')
    return ToolResult("\n".join(lines).rstrip() + "\n", data)


class PageComments(Arguments):
    page_id: Page
    limit: Limit = 25
    cursor: Cursor = None


@tool("confluence_get_comments", title="Confluence: comments", toolset=TOOLSET)
async def get_comments(confluence: ConfluenceClient, args: PageComments) -> ToolResult:
    """List a page's footer comments as threads: each comment with its replies, author, date, id and body
    (Markdown). `limit` threads a call (on Server/Data Center, comments: replies count too); pass next_cursor
    back as cursor for more."""
    return await _listing(confluence, "footer", args)


@tool("confluence_get_inline_comments", title="Confluence: inline comments", toolset=TOOLSET)
async def get_inline_comments(confluence: ConfluenceClient, args: PageComments) -> ToolResult:
    """List a page's inline comments as threads: the text each is anchored to, open or resolved, its replies,
    author, date, id and body (Markdown). `limit` threads a call (on Server/Data Center, comments: replies
    count too); pass next_cursor back as cursor for more."""
    return await _listing(confluence, "inline", args)


# ---------------------------------------------------------------------- writing


class AddInlineComment(Arguments):
    page_id: Page
    body: CommentBody
    text_selection: Annotated[
        str, Field(min_length=1, max_length=2000, description="The exact text on the page to anchor the comment to")
    ]
    text_selection_match_count: Annotated[
        int | None,
        Field(ge=1, le=10_000, description="How often the text occurs on the page (counted again before sending)"),
    ] = None
    text_selection_match_index: Annotated[
        int, Field(ge=0, le=10_000, description="Which occurrence to anchor to, 0 for the first")
    ] = 0


@tool("confluence_add_inline_comment", title="Confluence: add inline comment", toolset=TOOLSET, effect="create")
async def add_inline_comment(confluence: ConfluenceClient, args: AddInlineComment) -> ToolResult:
    """Add an inline comment (Markdown) anchored to text on a page: occurrence text_selection_match_index
    (0 = first) of text_selection. The page is read first and the occurrences counted; refuses, sending
    nothing, when the text is not on the page or the index is past the last occurrence."""
    page = await confluence.page(args.page_id)
    selection, index = args.text_selection, args.text_selection_match_index
    found = storage_text(page.body).count(selection)
    if found == 0:
        raise InvalidArguments(
            f"The text “{selection}” does not occur on page {page.id} ('{page.title}'), so no comment was added. "
            "Give text_selection exactly as the page shows it (see confluence_get_page), within one paragraph."
        )
    if index >= found:
        raise InvalidArguments(
            f"The text “{selection}” occurs {found} time{'s' if found != 1 else ''} on page {page.id}, so "
            f"text_selection_match_index {index} is past the last one (use 0 to {found - 1}); no comment was added."
        )
    storage = await write_storage(args.body)
    if confluence.cloud:
        made = await confluence.inline_comment_v2(page.id, storage, selection, found, index)
    else:
        made = await confluence.inline_comment_v1(page.id, storage, selection, found, index)
    cid = str(made.get("id", ""))
    data = {
        "page_id": page.id,
        "comment_id": cid,
        "text_selection": selection,
        "text_selection_match_index": index,
        "text_selection_match_count": found,
    }
    text = f"Added inline comment {cid} to page {page.id}, on occurrence {index + 1} of {found} of “{selection}”."
    if args.text_selection_match_count is not None and args.text_selection_match_count != found:
        text += f" (The page has {found}, not {args.text_selection_match_count}; the count sent was {found}.)"
    return ToolResult(text + "\n", data)


class ReplyToComment(Arguments):
    comment_id: CommentId
    body: CommentBody


@tool("confluence_reply_to_comment", title="Confluence: reply to comment", toolset=TOOLSET, effect="create")
async def reply_to_comment(confluence: ConfluenceClient, args: ReplyToComment) -> ToolResult:
    """Reply (Markdown) to a footer or inline comment, in its thread. Refuses when the id is not a comment
    this user can see."""
    storage = await write_storage(args.body)
    if confluence.cloud:
        kind: Kind = "footer"
        parent = await confluence.comment_v2("footer", args.comment_id)
        if parent is None:
            kind, parent = "inline", await confluence.comment_v2("inline", args.comment_id)
        if parent is None:
            raise InvalidArguments(
                f"No comment {args.comment_id} is visible to this user (Confluence knows no footer or inline "
                "comment by that id); see confluence_get_comments or confluence_get_inline_comments for ids."
            )
        made = await confluence.reply_v2(kind, args.comment_id, storage)
        page_id = str(parent.get("pageId") or made.get("pageId") or "") or None
    else:
        parent = await confluence.comment_v1(args.comment_id)
        if parent.get("type") != "comment":
            raise InvalidArguments(
                f"Content {args.comment_id} is a {parent.get('type') or 'piece of content'}, not a comment; "
                "reply to a comment id from confluence_get_comments or confluence_get_inline_comments."
            )
        container = parent.get("container") or {}
        page_id = str(container.get("id", "")) or None
        if page_id is None:
            raise InvalidArguments(f"Confluence did not say which page comment {args.comment_id} is on.")
        location = (parent.get("extensions") or {}).get("location")
        kind = "inline" if location == "inline" else "footer"
        made = await confluence.reply_v1(page_id, args.comment_id, storage)
    cid = str(made.get("id", ""))
    data = {"comment_id": cid, "parent_id": args.comment_id, "page_id": page_id, "location": kind}
    where = f" on page {page_id}" if page_id else ""
    return ToolResult(f"Replied to {kind} comment {args.comment_id}{where}: reply {cid}.\n", data)
