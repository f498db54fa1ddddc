"""Writing to Confluence: pages, comments, labels. Bodies are Markdown, sent as storage format."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from passthrough.providers.confluence import ConfluenceClient, VersionConflict
from passthrough.tools._markdown import write_storage
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.confluence._common import PageId, SpaceKey

Body = Annotated[str, Field(max_length=500_000, description="Page content as Markdown")]
Title = Annotated[str, Field(min_length=1, max_length=255)]


class CreatePage(Arguments):
    space_key: SpaceKey
    title: Title
    body: Body
    parent_id: PageId | None = None


@tool("confluence_create_page", title="Confluence: create page", toolset="confluence_pages", effect="create")
async def create_page(confluence: ConfluenceClient, args: CreatePage) -> ToolResult:
    """Create a page in a space (optionally under parent_id). The body is Markdown."""
    storage = await write_storage(args.body)
    page = await confluence.create_page(args.space_key, args.title, storage, args.parent_id)
    data = {"id": page.id, "title": page.title, "space_key": args.space_key, "version": page.version, "url": page.url}
    text = f"Created page {page.id} '{page.title}' in {args.space_key}."
    if page.url:
        text += f"\nURL: {page.url}"
    return ToolResult(text + "\n", data)


class UpdatePage(Arguments):
    page_id: PageId
    body: Body
    title: Title | None = None
    version: Annotated[
        int | None,
        Field(ge=1, description="The version you read (confluence_get_page); if the page moved on, nothing is written"),
    ] = None


@tool("confluence_update_page", title="Confluence: update page", toolset="confluence_pages", effect="revise")
async def update_page(confluence: ConfluenceClient, args: UpdatePage) -> ToolResult:
    """Replace a page's body (Markdown) and optionally its title. If someone else changed the page meanwhile,
    nothing is overwritten and the tool says so."""
    current = await confluence.page(args.page_id)
    if args.version is not None and args.version != current.version:
        raise VersionConflict(
            "confluence",
            409,
            f"Page {current.id} is at version {current.version}, not the version {args.version} you read; someone "
            "changed it, so nothing was overwritten. Read it again with confluence_get_page and reapply the change.",
        )
    page = await confluence.update_page(current, await write_storage(args.body), args.title)
    data = {
        "id": page.id,
        "title": page.title,
        "version": page.version,
        "previous_version": current.version,
        "url": page.url,
    }
    return ToolResult(f"Updated page {page.id} '{page.title}' to version {page.version}.\n", data)


class AddComment(Arguments):
    page_id: PageId
    body: Annotated[str, Field(min_length=1, max_length=100_000, description="Markdown")]


@tool("confluence_add_comment", title="Confluence: add comment", toolset="confluence_comments", effect="create")
async def add_comment(confluence: ConfluenceClient, args: AddComment) -> ToolResult:
    """Add a footer comment (Markdown) to a page."""
    comment = await confluence.add_comment(args.page_id, await write_storage(args.body))
    cid = str(comment.get("id", ""))
    return ToolResult(f"Added comment {cid} to page {args.page_id}.\n", {"page_id": args.page_id, "comment_id": cid})


class AddLabels(Arguments):
    page_id: PageId
    labels: Annotated[list[Annotated[str, Field(pattern=r"^[^\s:]{1,255}$")]], Field(min_length=1, max_length=50)]


@tool("confluence_add_labels", title="Confluence: add labels", toolset="confluence_labels", effect="set")
async def add_labels(confluence: ConfluenceClient, args: AddLabels) -> ToolResult:
    """Add labels to a page."""
    await confluence.add_labels(args.page_id, args.labels)
    return ToolResult(
        f"Added labels to page {args.page_id}: {', '.join(args.labels)}.\n",
        {"page_id": args.page_id, "labels": args.labels},
    )
