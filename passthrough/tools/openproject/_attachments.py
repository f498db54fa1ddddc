"""OpenProject tools for work package attachments: list, download as MCP content, upload as content_base64,
delete.

Downloads read the metadata first (the list, or `GET /attachments/{id}`) and never ask for a file whose size
is over this server's attachment limit; the bytes come from a path built of the attachment's id. An instance
that keeps its files in external storage answers with a redirect there, which is not followed (the answer
says so). Uploads go as OpenProject's two-part multipart request, checked before anything is sent.
"""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any

from pydantic import AliasChoices, Field

from passthrough.errors import InvalidArguments, ToolError, UpstreamError
from passthrough.providers.openproject import OpenProjectClient
from passthrough.providers.openproject._attachments import Attachment
from passthrough.tools._attachments import (
    Wanted,
    clean_filename,
    decoded_upload,
    gather,
    human_size,
    image_type,
    over_limit,
)
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.openproject._common import WorkPackageId

TOOLSET = "openproject_attachments"
_TYPES = mimetypes.MimeTypes()  # the standard library's table only, never the host's mime.types

AttachmentId = Annotated[
    int, Field(ge=1, le=2**31 - 1, description="Attachment id, e.g. 11 (openproject_list_work_package_attachments)")
]
MediaType = Annotated[str, Field(max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")]


def _ref(*names: str) -> Any:
    """Our argument name first, then the camelCase spelling the OpenProject peers use."""
    return Field(validation_alias=AliasChoices(*names))


def _row(openproject: OpenProjectClient, a: Attachment) -> dict[str, Any]:
    work_package = int(a.container_id) if a.container_kind == "work_packages" and a.container_id else None
    return {
        "id": a.id,
        "filename": a.filename,
        "mime_type": a.content_type,
        "size": a.size,
        "description": a.description or None,
        "author": a.author,
        "author_id": a.author_id,
        "created": a.created,
        "work_package_id": work_package,
        "container": a.container_title,
        "download_path": openproject.content_path(a.id),
    }


def _line(r: dict[str, Any]) -> str:
    line = f"- {r['filename']} ({r['mime_type']}, {human_size(r['size'])}, id {r['id']})"
    who = ", ".join(x for x in (f"by {r['author']}" if r["author"] else None, r["created"]) if x)
    return line + (f", {who}" if who else "") + (f": {r['description']}" if r["description"] else "")


def _wanted(openproject: OpenProjectClient, a: Attachment) -> Wanted:
    async def fetch(max_bytes: int) -> bytes:
        return await openproject.download(a, max_bytes)

    return Wanted(_row(openproject, a), f"{openproject.base_url}{openproject.content_path(a.id)}", fetch)


async def _metadata(openproject: OpenProjectClient, attachment_id: int) -> Attachment:
    """One attachment's metadata; an unknown (or invisible) one said so, with where to find the ids."""
    try:
        return await openproject.attachment(attachment_id)
    except UpstreamError as exc:
        if exc.status == 404:
            raise UpstreamError(
                "openproject",
                404,
                f"No attachment {attachment_id} is visible to this user (OpenProject answered 404); "
                "openproject_list_work_package_attachments lists a work package's attachments with their ids.",
            ) from None
        raise


def _where(r: dict[str, Any]) -> str:
    if r["work_package_id"] is None:
        return ""
    return f", work package #{r['work_package_id']}" + (f" {r['container']}" if r["container"] else "")


# ---------------------------------------------------------------------------------------------- reading


class ListAttachments(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]


@tool("openproject_list_work_package_attachments", title="OpenProject: list attachments", toolset=TOOLSET)
async def list_attachments(openproject: OpenProjectClient, args: ListAttachments) -> ToolResult:
    """List a work package's attachments: id, file name, content type, size, author, when it was added, and
    its description. Fetches no file; openproject_download_attachment gets one by its id."""
    rows = [_row(openproject, a) for a in await openproject.attachments(args.work_package_id)]
    if rows:
        lines = [f"Work package #{args.work_package_id}: {len(rows)} attachment(s)", *(_line(r) for r in rows)]
    else:
        lines = [f"Work package #{args.work_package_id} has no attachments."]
    structured = {"work_package_id": args.work_package_id, "total": len(rows), "attachments": rows}
    return ToolResult("\n".join(lines) + "\n", structured)


class DownloadOne(Arguments):
    attachment_id: Annotated[AttachmentId, _ref("attachment_id", "attachmentId")]


@tool("openproject_download_attachment", title="OpenProject: download attachment", toolset=TOOLSET)
async def download_attachment(openproject: OpenProjectClient, args: DownloadOne) -> ToolResult:
    """Download one attachment into the answer: an image as image content, a text file as a text resource,
    any other file as a base64 blob resource. Refused, without fetching it, when its size is over this
    server's attachment limit, or when the instance keeps its files in external storage (a redirect is not
    followed). Nothing is written to the server's disk."""
    found = await _metadata(openproject, args.attachment_id)
    limit = openproject.max_attachment_bytes
    too_large = over_limit(found.size, limit)
    if too_large is not None:
        raise ToolError(f"{found.filename} (attachment {found.id}) was not downloaded: {too_large}.")
    rows, content = await gather(
        [_wanted(openproject, found)], limit=limit, max_reply_bytes=openproject.max_reply_bytes, narrow=""
    )
    row = rows[0]
    if "skipped" in row:
        raise ToolError(f"{found.filename} (attachment {found.id}) was not downloaded: {row['skipped']}")
    kind = "image" if image_type(found.content_type, found.filename) else "file"
    text = f"{found.filename} ({found.content_type}, {human_size(row['size'])}, id {found.id}{_where(row)}): "
    return ToolResult(text + f"the {kind} is included below.\n", {"attachment": row}, content)


class DownloadAll(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    attachment_ids: Annotated[
        list[AttachmentId] | None,
        Field(
            max_length=50,
            validation_alias=AliasChoices("attachment_ids", "attachmentIds"),
            description="Only these attachments (ids from openproject_list_work_package_attachments)",
        ),
    ] = None


@tool(
    "openproject_download_work_package_attachments",
    title="OpenProject: download a work package's attachments",
    toolset=TOOLSET,
)
async def download_work_package_attachments(openproject: OpenProjectClient, args: DownloadAll) -> ToolResult:
    """Download a work package's attachments (all, or those of attachment_ids) into the answer: images as
    image content, other files as embedded resources. Each is at most this server's attachment limit and all
    together fit one answer; those that do not are listed as not fetched, with the reason, and never asked for."""
    found = await openproject.attachments(args.work_package_id)
    if args.attachment_ids is not None:
        wanted = set(args.attachment_ids)
        unknown = sorted(wanted - {a.id for a in found})
        if unknown:
            raise InvalidArguments(
                f"Work package #{args.work_package_id} has no attachment with id {', '.join(map(str, unknown))}; "
                "openproject_list_work_package_attachments lists its attachments"
            )
        found = [a for a in found if a.id in wanted]
    rows, content = await gather(
        [_wanted(openproject, a) for a in found],
        limit=openproject.max_attachment_bytes,
        max_reply_bytes=openproject.max_reply_bytes,
        narrow="ask for fewer with attachment_ids, or download it alone with openproject_download_attachment",
    )
    fetched = sum(1 for r in rows if r.get("fetched"))
    if not rows:
        lines = [f"Work package #{args.work_package_id} has no attachments."]
    else:
        lines = [f"Work package #{args.work_package_id}: {len(rows)} attachment(s), {fetched} included below."]
        for r in rows:
            state = f"not fetched: {r['skipped']}" if "skipped" in r else "included"
            lines.append(f"- {r['filename']} ({r['mime_type']}, {human_size(r['size'])}, id {r['id']}): {state}")
    skipped = [{"id": r["id"], "filename": r["filename"], "reason": r["skipped"]} for r in rows if "skipped" in r]
    structured = {
        "work_package_id": args.work_package_id,
        "total": len(rows),
        "downloaded": fetched,
        "attachments": rows,
        "skipped": skipped,
    }
    return ToolResult("\n".join(lines) + "\n", structured, content)


# ---------------------------------------------------------------------------------------------- writing


class Upload(Arguments):
    work_package_id: Annotated[WorkPackageId, _ref("work_package_id", "workPackageId")]
    filename: Annotated[
        str,
        Field(
            min_length=1,
            max_length=1000,
            validation_alias=AliasChoices("filename", "file_name", "fileName"),
            description="The attachment's file name, e.g. screenshot.png",
        ),
    ]
    content_base64: Annotated[
        str, Field(min_length=1, description="The file's bytes, base64-encoded (never a path on the server)")
    ]
    content_type: Annotated[
        MediaType | None,
        Field(
            validation_alias=AliasChoices("content_type", "mime_type", "contentType"),
            description="Its MIME type; guessed from the file name if not given",
        ),
    ] = None
    description: Annotated[str | None, Field(max_length=10_000, description="What the file is (plain text)")] = None


@tool("openproject_upload_attachment", title="OpenProject: upload attachment", toolset=TOOLSET, effect="create")
async def upload_attachment(openproject: OpenProjectClient, args: Upload) -> ToolResult:
    """Attach a file sent inline (filename and content_base64, optionally content_type and description) to a
    work package. At most this server's attachment limit (OpenProject may have a lower one of its own). A path
    on the server (file_path) is refused: this shared server never reads its own files for a client."""
    name = clean_filename(args.filename)
    data = decoded_upload(name, args.content_base64, openproject.max_attachment_bytes, "content_base64")
    mime = args.content_type or _TYPES.guess_type(name, strict=False)[0] or "application/octet-stream"
    added = await openproject.upload(args.work_package_id, name, mime, data, args.description)
    row = _row(openproject, added)
    size = row["size"] if row["size"] is not None else len(data)
    text = f"Attached {added.filename} ({added.content_type}, {human_size(size)}, id {added.id}) to work package "
    text += f"#{args.work_package_id}" + (f" {added.container_title}" if added.container_title else "") + ".\n"
    return ToolResult(text, {"work_package_id": args.work_package_id, "attachment": row})


class DeleteOne(Arguments):
    attachment_id: Annotated[AttachmentId, _ref("attachment_id", "attachmentId")]


@tool("openproject_delete_attachment", title="OpenProject: delete attachment", toolset=TOOLSET, effect="delete")
async def delete_attachment(openproject: OpenProjectClient, args: DeleteOne) -> ToolResult:
    """Delete an attachment for good (OpenProject keeps no trash). Says which file it was and which work
    package held it; an unknown id deletes nothing."""
    found = await _metadata(openproject, args.attachment_id)
    await openproject.delete_attachment(found.id or args.attachment_id)
    row = _row(openproject, found)
    held = _where(row).removeprefix(", ")
    text = f"Deleted attachment {found.filename} ({found.content_type}, {human_size(found.size)}, id {found.id})"
    text += f" from {held}.\n" if held else ".\n"
    return ToolResult(text, {"deleted": True, "attachment": row})
