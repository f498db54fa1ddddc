"""Writing to Confluence: pages, comments, labels. Bodies are Markdown, sent as storage format."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from passthrough.markup import convert, markdown_to_storage
from passthrough.providers.confluence import VersionConflict
from passthrough.tools._spec import Arguments, ToolContext, ToolResult, write_tool
from passthrough.tools.confluence._common import PageId, SpaceKey, confluence

Body = Annotated[str, Field(max_length=500_000, description="Page content as Markdown")]
Title = Annotated[str, Field(min_length=1, max_length=255)]


class CreatePage(Arguments):
    space_key: SpaceKey
    title: Title
    body: Body
    parent_id: PageId | None = None


async def create_page(ctx: ToolContext, args: CreatePage) -> ToolResult:
    client = confluence(ctx)
    storage = await convert(markdown_to_storage, args.body)
    page = await client.create_page(args.space_key, args.title, storage, args.parent_id)
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


async def update_page(ctx: ToolContext, args: UpdatePage) -> ToolResult:
    client = confluence(ctx)
    current = await client.page(args.page_id)
    if args.version is not None and args.version != current.version:
        raise VersionConflict(
            "confluence",
            409,
            f"Page {current.id} is at version {current.version}, not the version {args.version} you read; someone "
            "changed it, so nothing was overwritten. Read it again with confluence_get_page and reapply the change.",
        )
    page = await client.update_page(current, await convert(markdown_to_storage, args.body), args.title)
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


async def add_comment(ctx: ToolContext, args: AddComment) -> ToolResult:
    comment = await confluence(ctx).add_comment(args.page_id, await convert(markdown_to_storage, args.body))
    cid = str(comment.get("id", ""))
    return ToolResult(f"Added comment {cid} to page {args.page_id}.\n", {"page_id": args.page_id, "comment_id": cid})


class AddLabels(Arguments):
    page_id: PageId
    labels: Annotated[list[Annotated[str, Field(pattern=r"^[^\s:]{1,255}$")]], Field(min_length=1, max_length=50)]


async def add_labels(ctx: ToolContext, args: AddLabels) -> ToolResult:
    await confluence(ctx).add_labels(args.page_id, args.labels)
    return ToolResult(
        f"Added labels to page {args.page_id}: {', '.join(args.labels)}.\n",
        {"page_id": args.page_id, "labels": args.labels},
    )


WRITE_TOOLS = (
    write_tool(
        "confluence",
        "confluence_create_page",
        "Confluence: create page",
        "Create a page in a space (optionally under parent_id). The body is Markdown.",
        CreatePage,
        create_page,
    ),
    write_tool(
        "confluence",
        "confluence_update_page",
        "Confluence: update page",
        "Replace a page's body (Markdown) and optionally its title. If someone else changed the page meanwhile, "
        "nothing is overwritten and the tool says so.",
        UpdatePage,
        update_page,
        destructive=True,
    ),
    write_tool(
        "confluence",
        "confluence_add_comment",
        "Confluence: add comment",
        "Add a footer comment (Markdown) to a page.",
        AddComment,
        add_comment,
    ),
    write_tool(
        "confluence",
        "confluence_add_labels",
        "Confluence: add labels",
        "Add labels to a page.",
        AddLabels,
        add_labels,
        idempotent=True,
    ),
)
