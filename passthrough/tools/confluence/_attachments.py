"""Confluence tools for attachments and page images: list, download as MCP content, upload inline, delete."""

from __future__ import annotations

import json
import mimetypes
from typing import Annotated, Any

from pydantic import AliasChoices, Field, model_validator

from passthrough.errors import InvalidArguments, ToolError
from passthrough.providers._multipart import FilePart
from passthrough.providers.confluence import ConfluenceClient
from passthrough.providers.confluence._attachments import Attachment
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
from passthrough.tools.confluence._common import PageId

TOOLSET = "confluence_attachments"
MOST_LISTED = 200  # a page's attachments one download-all or images call looks at
MOST_UPLOADS = 20
_TYPES = mimetypes.MimeTypes()  # the standard library's table only, never the host's mime.types

AttachmentId = Annotated[
    str,
    Field(pattern=r"^(att)?[0-9]{1,19}$", description="Attachment id such as att98323 (confluence_get_attachments)"),
]
MediaType = Annotated[str, Field(max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")]


def _row(confluence: ConfluenceClient, a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "filename": a.title,
        "mime_type": a.media_type,
        "size": a.size,
        "version": a.version,
        "page_id": a.page_id,
        "comment": a.comment or None,
        "created": a.created,
        "download_path": confluence.download_path(a) if a.page_id else None,
    }


def _line(r: dict[str, Any]) -> str:
    line = f"- {r['title']} ({r['mime_type']}, {human_size(r['size'])}, id {r['id']}"
    line += f", version {r['version']})" if r["version"] else ")"
    return line + (f": {r['comment']}" if r["comment"] else "")


def _wanted(confluence: ConfluenceClient, a: Attachment) -> Wanted:
    async def fetch(max_bytes: int) -> bytes:
        return await confluence.download(a, max_bytes)

    return Wanted(_row(confluence, a), f"{confluence.base_url}{confluence.download_path(a)}", fetch)


async def _fetched(
    confluence: ConfluenceClient, content_id: str, found: list[Attachment], more: bool, what: str, narrow: str
) -> ToolResult:
    """The attachments as MCP content, each within the attachment limit and all within the answer's budget."""
    rows, content = await gather(
        [_wanted(confluence, a) for a in found],
        limit=confluence.max_attachment_bytes,
        max_reply_bytes=confluence.max_reply_bytes,
        narrow=narrow,
    )
    fetched = sum(1 for r in rows if r.get("fetched"))
    if not rows:
        lines = [f"Page {content_id} has no {what}."]
    else:
        lines = [f"Page {content_id}: {len(rows)} {what}, {fetched} included below."]
        for r in rows:
            state = f"not fetched: {r['skipped']}" if "skipped" in r else "included"
            lines.append(f"- {r['title']} ({r['mime_type']}, {human_size(r['size'])}, id {r['id']}): {state}")
    if more:
        lines.append(f"Only the first {MOST_LISTED} attachments were looked at; the page has more.")
    skipped = [{"id": r["id"], "title": r["title"], "reason": r["skipped"]} for r in rows if "skipped" in r]
    structured = {
        "content_id": content_id,
        "total": len(rows),
        "downloaded": fetched,
        what: rows,
        "skipped": skipped,
        "more": more,
    }
    return ToolResult("\n".join(lines) + "\n", structured, content)


# ---------------------------------------------------------------------------------------------- reading


class GetAttachments(Arguments):
    content_id: PageId
    start: Annotated[int, Field(ge=0, le=10000, description="Skip this many (the next page: start + limit)")] = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    filename: Annotated[str | None, Field(max_length=255, description="Only the attachment of this exact name")] = None
    media_type: Annotated[MediaType | None, Field(description="Only this media type, e.g. application/pdf")] = None


@tool("confluence_get_attachments", title="Confluence: list attachments", toolset=TOOLSET)
async def get_attachments(confluence: ConfluenceClient, args: GetAttachments) -> ToolResult:
    """List a page's attachments: id, title, media type, size, version and the path its bytes are served from.
    Optionally only one file name or media type (Confluence often says application/octet-stream for binary
    files, so the file name is the surer filter). Page on with start (the next page starts at start + limit)."""
    listed = await confluence.attachments(args.content_id, args.start, args.limit, args.filename, args.media_type)
    rows = [_row(confluence, a) for a in listed.items]
    if rows:
        lines = [f"Page {args.content_id}: attachments {args.start + 1}-{args.start + len(rows)}"]
        lines += [_line(r) for r in rows]
    else:
        lines = [
            f"Page {args.content_id} has no attachments" + (" that match." if args.filename or args.media_type else ".")
        ]
    next_start = args.start + len(rows) if listed.more and rows else None
    if next_start is not None:
        lines.append(f"More: call again with start={next_start}.")
    structured = {
        "content_id": args.content_id,
        "start": args.start,
        "limit": args.limit,
        "attachments": rows,
        "next_start": next_start,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


class DownloadOne(Arguments):
    attachment_id: AttachmentId


@tool("confluence_download_attachment", title="Confluence: download attachment", toolset=TOOLSET)
async def download_attachment(confluence: ConfluenceClient, args: DownloadOne) -> ToolResult:
    """Download one attachment into the answer: an image as image content, a text file as a text resource,
    any other file as a base64 blob resource. Refused, without fetching it, when it is larger than this
    server's attachment limit. Nothing is written to the server's disk."""
    found = await confluence.attachment(args.attachment_id)
    limit = confluence.max_attachment_bytes
    too_large = over_limit(found.size, limit)
    if too_large is not None:
        raise ToolError(f"{found.title} ({found.id}) was not downloaded: {too_large}.")
    rows, content = await gather(
        [_wanted(confluence, found)], limit=limit, max_reply_bytes=confluence.max_reply_bytes, narrow=""
    )
    row = rows[0]
    if "skipped" in row:
        raise ToolError(f"{found.title} ({found.id}) was not downloaded: {row['skipped']}")
    kind = "image" if image_type(found.media_type, found.title) else "file"
    text = f"{found.title} ({found.media_type}, {human_size(row['size'])}, id {found.id}, page {found.page_id}): "
    text += f"the {kind} is included below.\n"
    return ToolResult(text, {"attachment": row}, content)


class PageAttachments(Arguments):
    content_id: PageId


@tool(
    "confluence_download_content_attachments",
    title="Confluence: download a page's attachments",
    toolset=TOOLSET,
)
async def download_content_attachments(confluence: ConfluenceClient, args: PageAttachments) -> ToolResult:
    """Download all of a page's attachments into the answer (images as image content, other files as embedded
    resources). Each is at most this server's attachment limit and all together fit one answer; those that
    do not are listed as skipped with the reason, and never fetched."""
    found, more = await confluence.all_attachments(args.content_id, MOST_LISTED)
    narrow = "download it alone with confluence_download_attachment"
    return await _fetched(confluence, args.content_id, found, more, "attachments", narrow)


@tool("confluence_get_page_images", title="Confluence: page images", toolset=TOOLSET)
async def get_page_images(confluence: ConfluenceClient, args: PageAttachments) -> ToolResult:
    """Get the images attached to a page (PNG, JPEG, GIF, WebP, SVG, BMP, judged by type or file name) as
    image content a model can look at; other attachments are left out. Images over this server's attachment
    limit are listed, not fetched."""
    found, more = await confluence.all_attachments(args.content_id, MOST_LISTED)
    images = [a for a in found if image_type(a.media_type, a.title) is not None]
    narrow = "download it alone with confluence_download_attachment"
    return await _fetched(confluence, args.content_id, images, more, "images", narrow)


# ---------------------------------------------------------------------------------------------- writing


def _file(confluence: ConfluenceClient, filename: str, content_base64: str, content_type: str | None) -> FilePart:
    """One inline upload, checked: a clean file name, strict base64 within the attachment limit, a media type."""
    name = clean_filename(filename)
    data = decoded_upload(name, content_base64, confluence.max_attachment_bytes, "content_base64")
    mime = content_type or _TYPES.guess_type(name, strict=False)[0] or "application/octet-stream"
    return name, mime, data


def _uploaded_text(content_id: str, files: list[FilePart], added: list[Attachment]) -> str:
    sizes = {name: len(data) for name, _, data in files}
    lines = [f"Attached to page {content_id}:"]
    for a in added:
        version = f", version {a.version}" if a.version and a.version > 1 else ""
        lines.append(f"- {a.title} ({a.media_type}, {human_size(sizes.get(a.title, a.size))}, id {a.id}{version})")
    return "\n".join(lines) + "\n"


class UploadOne(Arguments):
    content_id: PageId
    content_base64: Annotated[
        str | None, Field(min_length=1, description="The file's bytes, base64-encoded (never a path on the server)")
    ] = None
    filename: Annotated[str | None, Field(min_length=1, max_length=1000, description="The attachment's file name")] = (
        None
    )
    content_type: Annotated[
        MediaType | None,
        Field(
            validation_alias=AliasChoices("content_type", "mime_type"), description="Guessed from the name if not given"
        ),
    ] = None
    comment: Annotated[str | None, Field(max_length=1000, description="Shown in the attachment's history")] = None
    minor_edit: Annotated[bool, Field(description="Do not notify watchers")] = False


@tool("confluence_upload_attachment", title="Confluence: upload attachment", toolset=TOOLSET, effect="revise")
async def upload_attachment(confluence: ConfluenceClient, args: UploadOne) -> ToolResult:
    """Attach a file sent inline (content_base64 and filename) to a page; a file of a name the page already
    has becomes that attachment's next version. At most this server's attachment limit. A path on the server
    (file_path) is refused: this shared server never reads its own files for a client."""
    if args.content_base64 is None or args.filename is None:
        raise InvalidArguments("content_base64 and filename are required: send the file's bytes inline")
    files = [_file(confluence, args.filename, args.content_base64, args.content_type)]
    added = await confluence.upload(args.content_id, files, args.comment, args.minor_edit)
    rows = [_row(confluence, a) for a in added]
    return ToolResult(
        _uploaded_text(args.content_id, files, added), {"content_id": args.content_id, "attachments": rows}
    )


class Upload(Arguments):
    filename: Annotated[str, Field(min_length=1, max_length=1000)]
    content_base64: Annotated[str, Field(min_length=1, description="The file's bytes, base64-encoded")]
    content_type: Annotated[MediaType | None, Field(validation_alias=AliasChoices("content_type", "mime_type"))] = None


class UploadMany(Arguments):
    content_id: PageId
    attachments: Annotated[
        list[Upload] | str,
        Field(
            description=(
                f"The files: [{{filename, content_base64, content_type?}}] (or that list as JSON), at most "
                f"{MOST_UPLOADS}; never paths on the server"
            )
        ),
    ]
    comment: Annotated[str | None, Field(max_length=1000, description="Shown in each attachment's history")] = None
    minor_edit: Annotated[bool, Field(description="Do not notify watchers")] = False

    @model_validator(mode="before")
    @classmethod
    def _inline_instead_of_paths(cls, data: Any) -> Any:
        if isinstance(data, dict) and "file_paths" in data:
            raise ValueError(
                "file_paths names files on the server, and this shared server never reads or writes its own "
                "files for a client: send the files inline as attachments: [{filename, content_base64}]"
            )
        return data


def _uploads(value: list[Upload] | str) -> list[Upload]:
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            raise InvalidArguments(
                "attachments names files on the server, and this shared server never reads its own files for a "
                "client: send [{filename, content_base64, content_type}] instead"
            )
        try:
            items = json.loads(text)
            return [Upload.model_validate(item) for item in items] if isinstance(items, list) else []
        except (ValueError, TypeError) as exc:
            raise InvalidArguments(f"attachments: not a list of {{filename, content_base64}} ({exc})") from None
    return value


@tool("confluence_upload_attachments", title="Confluence: upload attachments", toolset=TOOLSET, effect="revise")
async def upload_attachments(confluence: ConfluenceClient, args: UploadMany) -> ToolResult:
    """Attach several files sent inline (attachments: [{filename, content_base64, content_type?}]) to a page in
    one request; files of names the page already has become new versions. Each is at most this server's
    attachment limit, all checked before anything is sent. Paths on the server (file_paths) are refused."""
    uploads = _uploads(args.attachments)
    if not uploads:
        raise InvalidArguments("attachments: send at least one {filename, content_base64}")
    if len(uploads) > MOST_UPLOADS:
        raise InvalidArguments(f"attachments: {len(uploads)} files; send at most {MOST_UPLOADS} at a time")
    files = [_file(confluence, u.filename, u.content_base64, u.content_type) for u in uploads]
    names = [name for name, _, _ in files]
    if len(set(names)) != len(names):
        raise InvalidArguments("attachments: two files have the same name; Confluence keeps one file a name")
    added = await confluence.upload(args.content_id, files, args.comment, args.minor_edit)
    rows = [_row(confluence, a) for a in added]
    return ToolResult(
        _uploaded_text(args.content_id, files, added),
        {"content_id": args.content_id, "total": len(rows), "attachments": rows},
    )


class DeleteOne(Arguments):
    attachment_id: AttachmentId


@tool("confluence_delete_attachment", title="Confluence: delete attachment", toolset=TOOLSET, effect="delete")
async def delete_attachment(confluence: ConfluenceClient, args: DeleteOne) -> ToolResult:
    """Delete an attachment (all its versions; Confluence moves it to the space's trash). Says which file was
    deleted from which page; an unknown id deletes nothing."""
    found = await confluence.attachment(args.attachment_id)
    await confluence.delete_attachment(found.id or args.attachment_id)
    text = f"Deleted attachment {found.title} ({found.id}) from page {found.page_id}; it is in the space's trash.\n"
    structured = {"deleted": True, "id": found.id, "title": found.title, "page_id": found.page_id}
    return ToolResult(text, structured)
