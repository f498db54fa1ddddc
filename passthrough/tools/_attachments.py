"""Attachments as MCP content, for every product: images as image content, other files as embedded resources
(text as text, the rest base64), each within PASSTHROUGH_MAX_ATTACHMENT_BYTES and all of them within the
answer's budget; and the checks an inline upload passes before anything is sent. Nothing here touches disk."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.tools._spec import progress

LIMIT_SETTING = "PASSTHROUGH_MAX_ATTACHMENT_BYTES"

IMAGE_EXTENSIONS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "bmp": "image/bmp",
}
_VAGUE = ("", "application/octet-stream", "binary/octet-stream", "application/binary")
_TEXTUAL = ("application/json", "application/xml", "application/x-yaml", "application/yaml", "application/csv")


def human_size(n: int | None) -> str:
    if n is None:
        return "unknown size"
    if n < 1024:
        return f"{n} bytes"
    if n < 1 << 20:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1 << 20):.1f} MiB"


def image_type(mime: str | None, filename: str | None) -> str | None:
    """The image MIME type of a file, judged by its type or (for a vague one) its file name's extension."""
    kind = str(mime or "").split(";")[0].strip().lower()
    if kind.startswith("image/"):
        return kind
    if kind in _VAGUE:
        return IMAGE_EXTENSIONS.get(str(filename or "").rpartition(".")[2].lower())
    return None


def text_of(data: bytes, mime: str) -> str | None:
    """The file as text, when its type is textual and its bytes are UTF-8."""
    kind = mime.split(";")[0].strip().lower()
    if not (kind.startswith("text/") or kind in _TEXTUAL):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def content_item(data: bytes, mime: str, filename: str, uri: str) -> dict[str, Any]:
    """One file as an MCP content item: image content for an image, an embedded resource otherwise."""
    encoded = base64.b64encode(data).decode("ascii")
    image = image_type(mime, filename)
    if image is not None:
        return {"type": "image", "data": encoded, "mimeType": image}
    resource: dict[str, Any] = {"uri": uri, "mimeType": mime or "application/octet-stream"}
    text = text_of(data, resource["mimeType"])
    if text is not None:
        resource["text"] = text
    else:
        resource["blob"] = encoded
    return {"type": "resource", "resource": resource}


def answer_budget(max_reply_bytes: int) -> int:
    """How many bytes of files one answer may carry: base64 grows them by a third; room for the text."""
    return max_reply_bytes * 3 // 4 - 64 * 1024


def over_limit(size: int | None, limit: int) -> str | None:
    """Why a file of `size` bytes is not fetched, or None when it is within `limit`."""
    if size is not None and size > limit:
        return f"{human_size(size)}, over this server's limit of {human_size(limit)} ({LIMIT_SETTING})"
    return None


@dataclass(frozen=True, slots=True)
class Wanted:
    """One file an answer lists and may carry."""

    row: dict[str, Any]  # what the answer shows of it: at least filename, mime_type and size (None if unknown)
    uri: str  # where its bytes live, named in its embedded resource
    fetch: Callable[[int], Awaitable[bytes]]  # its bytes, at most that many (a longer answer is an error)


async def gather(
    wanted: Sequence[Wanted], *, limit: int, max_reply_bytes: int, narrow: str
) -> tuple[list[dict[str, Any]], tuple[dict[str, Any], ...]]:
    """The rows (each marked fetched, or skipped with the reason) and the content items of the files fetched.

    A file whose listed size is over `limit`, or past what is left of the answer's budget, is never asked
    for; a download is bounded by both, so a file larger than it said stops being read. `narrow` says how
    to ask for fewer (e.g. "ask for fewer with attachment_ids")."""
    budget = answer_budget(max_reply_bytes)
    rows: list[dict[str, Any]] = []
    content: list[dict[str, Any]] = []
    for done, item in enumerate(wanted):
        progress(done, len(wanted), f"{done} of {len(wanted)} files")
        row = item.row
        rows.append(row)
        size = row.get("size")
        too_large = over_limit(size, limit)
        if too_large is not None:
            row["skipped"] = too_large
            continue
        if budget <= 0 or (size is not None and size > budget):
            row["skipped"] = f"the answer would pass this server's reply limit; {narrow}"
            continue
        try:
            data = await item.fetch(min(limit, budget))
        except UpstreamError as exc:
            row["skipped"] = exc.message
            continue
        budget -= len(data)
        row["size"] = len(data)
        row["fetched"] = True
        content.append(content_item(data, str(row.get("mime_type") or ""), str(row.get("filename") or ""), item.uri))
    progress(len(wanted), len(wanted), f"{len(wanted)} of {len(wanted)} files")
    return rows, tuple(content)


def decoded_upload(filename: str, content_base64: str, limit: int, argument: str) -> bytes:
    """An inline upload's bytes: strict base64, at most `limit` bytes; InvalidArguments naming `argument`."""
    # a quick bound before decoding: base64 is 4 characters for every 3 bytes
    if len(content_base64) > (limit + 2) // 3 * 4 + 4:
        raise InvalidArguments(
            f"{argument}: {filename} is over this server's limit of {human_size(limit)} ({LIMIT_SETTING})"
        )
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArguments(f"{argument}: {filename}'s content_base64 is not base64") from None
    if len(content) > limit:
        raise InvalidArguments(
            f"{argument}: {filename} is {human_size(len(content))}, over this server's limit of "
            f"{human_size(limit)} ({LIMIT_SETTING})"
        )
    return content


def clean_filename(name: str) -> str:
    """A file name as an upload may carry it: its last path component, without control characters or
    surrounding blanks, at most 255 characters; InvalidArguments when nothing usable is left."""
    last = name.replace("\\", "/").rpartition("/")[2]
    clean = "".join(ch for ch in last if ch.isprintable()).strip()
    if clean in ("", ".", ".."):
        raise InvalidArguments(f"filename {name[:80]!r} has no usable file name; send one such as report.pdf")
    if len(clean) > 255:
        stem, dot, extension = clean.rpartition(".")
        clean = (stem[: 254 - len(extension)] + dot + extension) if dot and len(extension) < 20 else clean[:255]
    return clean
