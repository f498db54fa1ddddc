"""The fake OpenProject's work package attachments: real bytes, the bytes served of each, the multipart
upload as OpenProject reads it, and its HAL rendering (no HTTP here).

Seeded on first use (``attachments_of(state)``) on two seeded work packages: the bug #5 "Login page returns 500
on an empty password" carries a screenshot (PNG), a server log (text) and a larger browser trace (ZIP, for
tests of the attachment limit); #1 "Project kick-off" carries the kick-off slides (PDF). Attachment ids are
global, as in OpenProject (seeded 11-14; uploads continue at 101). Stored as::

    {"id", "container" (work package id), "fileName", "contentType", "content" (bytes),
     "description" (raw text), "author" (principal id), "createdAt"}

plus, when a test sets it, ``reported_size``: what the metadata says instead of the real size (a download
then runs past what it said). ``external_storage`` models an instance that keeps its files in S3: every
``/content`` request is then answered with a 302 to a signed URL there (and ``downloadLocation`` names it).

Uploads follow OpenProject's parser: ``multipart/form-data`` only (else 415); the ``metadata`` part's JSON
(400 ``InvalidRequestBody`` when it does not parse) gives ``fileName`` and ``description.raw``; a missing
``metadata`` part or ``fileName`` is a 422 "File can't be blank.", a missing ``file`` part a 422 "The content
type of the file cannot be blank.", a file over the instance's maximum (5 MiB by default) a 422 "File is too
large". Other part names are ignored, as Rack would.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote
from weakref import WeakKeyDictionary

from ._data import SEED_EPOCH, op_timestamp
from ._errors import NOT_JSON, NOT_OBJECT, OpenProjectError, Violation, bad_body, not_found, violations
from ._render import link
from ._state import OpenProjectState, now

API = "/api/v3"
FIRST_UPLOAD_ID = 101
DEFAULT_MAX_SIZE = 5 * 1024 * 1024  # OpenProject's attachment_max_size default: 5120 kB
DELETE_FORBIDDEN = "You are not allowed to delete this attachment."
_UPLOAD_PATH = re.compile(r"^/api/v3/work_packages/[^/]+/attachments/?$")

Attachment = dict[str, Any]


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small, valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = (b"\x00" + bytes(rgb) * width) * height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def _zip_shaped(entries: int) -> bytes:
    """Some dozens of KiB laid out like a ZIP archive of a browser trace (local file headers): not text."""
    body = []
    for n in range(entries):
        record = json.dumps({"seq": n, "url": "https://app.example.com/login", "status": 500, "ms": 40 + n % 17})
        data = record.encode() + b"\xff\xfe\x00\x01"
        name = f"trace/{n:04d}.json".encode()
        crc = zlib.crc32(data)
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 10, 0, 0, 0, 0, crc, len(data), len(data), len(name), 0)
        body.append(head + name + data)
    return b"".join(body)


def _pdf(pages: int) -> bytes:
    parts = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    for n in range(1, pages + 1):
        text = f"Kick-off slide {n}: scope, milestones, risks, owners. ".encode() * 20
        parts.append(f"{n} 0 obj\n<< /Length {len(text)} >>\nstream\n".encode() + text + b"\nendstream\nendobj\n")
    parts.append(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return b"".join(parts)


SCREENSHOT_PNG = _png(8, 5, (0xD9, 0x30, 0x25))
SERVER_LOG = (
    "2026-01-16T09:12:03Z ERROR POST /login 500 (12 ms)\n"
    "NoMethodError: undefined method `strip' for nil (password)\n"
    "  app/controllers/sessions_controller.rb:41:in `create'\n"
    "2026-01-16T09:12:09Z INFO  POST /login 200 (35 ms) — Zürich office retried with a password\n"
).encode()
BROWSER_TRACE = _zip_shaped(400)
KICKOFF_PDF = _pdf(12)

# (id, work package, file name, content type, bytes, description, hours after the work package's creation)
_SEED: tuple[tuple[int, int, str, str, bytes, str, int], ...] = (
    (11, 5, "login-error.png", "image/png", SCREENSHOT_PNG, "What the login page shows after the 500", 2),
    (12, 5, "server.log", "text/plain", SERVER_LOG, "", 3),
    (13, 5, "browser-trace.zip", "application/zip", BROWSER_TRACE, "HAR export from Firefox", 4),
    (14, 1, "kickoff-slides.pdf", "application/pdf", KICKOFF_PDF, "Slides of the kick-off meeting", 1),
)


@dataclass
class AttachmentsState:
    """Attachments by id; the bytes served of each, for tests that count what was fetched."""

    attachments: dict[int, Attachment] = field(default_factory=dict)
    served: dict[int, int] = field(default_factory=dict)
    max_size: int = DEFAULT_MAX_SIZE
    # an instance with external (fog/S3) storage: /content redirects to a signed URL under this origin
    external_storage: str | None = None
    _next_id: int = FIRST_UPLOAD_ID

    @classmethod
    def seeded(cls, state: OpenProjectState) -> AttachmentsState:
        kept = cls()
        author = state.users[0].id if state.users else state.system.id
        for attachment_id, wp_id, name, mime, content, description, hours in _SEED:
            if wp_id not in state.work_packages:
                continue
            stamp = op_timestamp(SEED_EPOCH + timedelta(hours=5 * (wp_id - 1) + hours))
            kept.attachments[attachment_id] = _new(
                attachment_id, wp_id, name, mime, content, description, author, stamp
            )
        return kept

    @property
    def served_bytes(self) -> int:
        return sum(self.served.values())

    def serve(self, attachment: Attachment) -> bytes:
        data: bytes = attachment["content"]
        self.served[attachment["id"]] = self.served.get(attachment["id"], 0) + len(data)
        return data

    def of_work_package(self, wp_id: int) -> list[Attachment]:
        return sorted((a for a in self.attachments.values() if a["container"] == wp_id), key=lambda a: a["id"])

    def find(self, state: OpenProjectState, ref: str) -> Attachment:
        """An attachment by id; a 404 for an unknown one, or one whose work package is gone."""
        found = self.attachments.get(int(ref)) if ref.isdigit() and len(ref) < 12 else None
        if found is None or found["container"] not in state.work_packages:
            raise not_found()
        return found

    def add(self, wp_id: int, upload: Upload, author: int) -> Attachment:
        attachment_id = self._next_id
        self._next_id += 1
        created = _new(
            attachment_id,
            wp_id,
            upload.file_name,
            upload.content_type,
            upload.content,
            upload.description,
            author,
            now(),
        )
        self.attachments[attachment_id] = created
        return created

    def content_location(self, attachment: Attachment) -> str | None:
        """Where the bytes are, when the instance keeps them in external storage (a signed URL)."""
        if self.external_storage is None:
            return None
        signature = hashlib.sha256(f"s3:{attachment['id']}".encode()).hexdigest()
        return (
            f"{self.external_storage}/uploads/attachment/file/{attachment['id']}/{quote(attachment['fileName'])}"
            f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature={signature}"
        )


def _new(
    attachment_id: int,
    wp_id: int,
    name: str,
    mime: str,
    content: bytes,
    description: str,
    author: int,
    stamp: str,
) -> Attachment:
    return {
        "id": attachment_id,
        "container": wp_id,
        "fileName": name,
        "contentType": mime,
        "content": content,
        "description": description,
        "author": author,
        "createdAt": stamp,
    }


_BY_STATE: WeakKeyDictionary[OpenProjectState, AttachmentsState] = WeakKeyDictionary()


def attachments_of(state: OpenProjectState) -> AttachmentsState:
    """The attachments of one fake's state, seeded on first use."""
    found = _BY_STATE.get(state)
    if found is None:
        found = _BY_STATE[state] = AttachmentsState.seeded(state)
    return found


def upload_content_types(method: str, path: str) -> tuple[str, ...] | None:
    """The content types a write accepts when it is not JSON: an attachment upload takes multipart only."""
    if method == "POST" and _UPLOAD_PATH.match(path):
        return ("multipart/form-data",)
    return None


# ---------------------------------------------------------------------- rendering


def render_attachment(state: OpenProjectState, kept: AttachmentsState, attachment: Attachment) -> dict[str, Any]:
    href = f"{API}/attachments/{attachment['id']}"
    content = f"{href}/content"
    wp = state.work_packages.get(attachment["container"])
    author = state.principal(attachment["author"])
    data: bytes = attachment["content"]
    raw = attachment["description"]
    return {
        "_type": "Attachment",
        "id": attachment["id"],
        "title": attachment["fileName"],
        "fileName": attachment["fileName"],
        "fileSize": attachment.get("reported_size", len(data)),
        "description": {"format": "plain", "raw": raw, "html": f"<p>{html.escape(raw)}</p>" if raw else ""},
        "status": "uploaded",
        "contentType": attachment["contentType"],
        "digest": {"algorithm": "md5", "hash": hashlib.md5(data, usedforsecurity=False).hexdigest()},
        "createdAt": attachment["createdAt"],
        "_links": {
            "self": link(href, attachment["fileName"]),
            "container": link(
                f"{API}/work_packages/{attachment['container']}", wp["subject"] if wp is not None else None
            ),
            "author": link(f"{API}/users/{author.id}", author.name) if author is not None else link(None),
            "staticDownloadLocation": link(content),
            "downloadLocation": link(kept.content_location(attachment) or content),
            "delete": link(href, method="delete"),
        },
    }


# ---------------------------------------------------------------------- uploads


@dataclass(frozen=True)
class Upload:
    file_name: str
    content_type: str
    content: bytes
    description: str


def parse_upload(content_type: str, body: bytes, max_size: int) -> Upload:
    """The ``metadata`` and ``file`` parts of a multipart upload, checked as OpenProject checks them."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    metadata_text: str | None = None
    file_part: tuple[str, bytes] | None = None
    for part in message.iter_parts() if isinstance(message, EmailMessage) else ():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "metadata" and not part.get_filename():
            metadata_text = data.decode("utf-8", "replace")
        elif name == "file" and part.get_filename():
            file_part = (part.get_content_type() if part.get("Content-Type") else "application/octet-stream", data)
    metadata: dict[str, Any] = {}
    if metadata_text is not None:
        try:
            parsed = json.loads(metadata_text)
        except ValueError:
            raise bad_body(NOT_JSON) from None
        if not isinstance(parsed, dict):
            raise bad_body(NOT_OBJECT)
        metadata = parsed
    found: list[Violation] = []
    file_name = metadata.get("fileName")
    if not isinstance(file_name, str) or not file_name.strip():
        found.append(Violation("fileName", "File can't be blank."))
    if file_part is None:
        found.append(Violation("contentType", "The content type of the file cannot be blank."))
    elif len(file_part[1]) > max_size:
        found.append(Violation("fileSize", f"File is too large (maximum size is {max_size} Bytes)."))
    if found:
        raise violations(found)
    assert file_part is not None and isinstance(file_name, str)
    description = metadata.get("description")
    raw = description.get("raw") if isinstance(description, dict) else None
    return Upload(file_name.strip(), file_part[0], file_part[1], str(raw or ""))


def forbidden_to_delete() -> OpenProjectError:
    return OpenProjectError(403, "MissingPermission", DELETE_FORBIDDEN)
