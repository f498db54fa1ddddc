"""multipart/form-data bodies for uploads (Jira, Confluence and OpenProject attachments), built in
memory with a random boundary. A part's name and file name are quoted, and stripped of line breaks and NULs,
so no value can end its header line and add one of its own."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# (file name, MIME type, bytes): one file to upload
FilePart = tuple[str, str, bytes]


@dataclass(frozen=True, slots=True)
class Multipart:
    body: bytes
    content_type: str  # multipart/form-data with the body's boundary: the request's Content-Type


def _quoted(value: str) -> str:
    """A header parameter's value as a quoted string: no CR, LF or NUL; backslashes and quotes escaped."""
    clean = value.replace("\r", " ").replace("\n", " ").replace("\x00", "")
    return clean.replace("\\", "\\\\").replace('"', '\\"')


def form_data(
    files: Sequence[FilePart],
    *,
    field: str = "file",
    fields: Iterable[tuple[str, str]] = (),
    field_types: Mapping[str, str] | None = None,
) -> Multipart:
    """The files, each a part named `field`, after the plain `fields` (name, text) in the order given; a
    field is sent as text/plain unless `field_types` names another type for it (e.g. application/json)."""
    boundary = "passthrough-" + secrets.token_hex(16)
    parts: list[bytes] = []
    for name, text in fields:
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n'
            f"Content-Type: {_quoted((field_types or {}).get(name, 'text/plain; charset=utf-8'))}\r\n\r\n"
        )
        parts += [head.encode("utf-8"), text.encode("utf-8"), b"\r\n"]
    for filename, mime, content in files:
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quoted(field)}"; filename="{_quoted(filename)}"\r\n'
            f"Content-Type: {_quoted(mime)}\r\n\r\n"
        )
        parts += [head.encode("utf-8"), content, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return Multipart(b"".join(parts), f"multipart/form-data; boundary={boundary}")
