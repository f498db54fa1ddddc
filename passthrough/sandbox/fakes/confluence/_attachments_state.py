"""The fake Confluence's attachments: real bytes, versions, and the bytes served of each (no HTTP here).

Seeded on "Architecture overview" (98310), whose body shows ``architecture-diagram.png``: that PNG, a text
file, and a larger PDF for tests of the attachment limit. Attachments are content in Confluence: their ids
(``98323``-``98325`` seeded, shown as ``att98323``) come from the content id space; uploads continue at
``196609``. An attachment is stored as a dict with the keys the renderer's ``version``/``user`` read
(``id``, ``version``, ``version_message`` (its comment), ``created``/``updated``, ``created_by``/``updated_by``)
plus ``page_id``, ``title``, ``media_type``, ``content`` (bytes) and ``status``; a test may set
``reported_size`` to have the metadata understate the file (a download then runs past what it said).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from weakref import WeakKeyDictionary

from ._data import SEED_EPOCH
from ._errors import ConfluenceError, bad_request
from ._state import ConfluenceState, now

Attachment = dict[str, Any]

PAGE = "98310"
FIRST_UPLOAD_ID = 196609


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small, valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _pdf(pages: int) -> bytes:
    """A PDF-shaped file of a few dozen KiB (a header, filler streams, a trailer): big enough for limit tests."""
    body = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    for n in range(1, pages + 1):
        text = (f"Load test run {n}: p50 41 ms, p95 180 ms, p99 420 ms, errors 0.02%. " * 40).encode()
        body.append(f"{n} 0 obj\n<< /Length {len(text)} >>\nstream\n".encode() + text + b"\nendstream\nendobj\n")
    body.append(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return b"".join(body)


DIAGRAM_PNG = _png(6, 4, (0x0C, 0x66, 0xE4))
NOTES_TEXT = (
    "Deployment notes for the gateway\n"
    "- Roll out region by region, eu-west first.\n"
    "- Watch the 5xx rate for 15 minutes before the next region.\n"
    "- Rollback: redeploy the previous image tag (größer als 2.4.0 only).\n"
).encode()
REPORT_PDF = _pdf(24)

_SEED = (
    ("98323", "architecture-diagram.png", "image/png", DIAGRAM_PNG, "Target architecture, 2026"),
    ("98324", "deployment-notes.txt", "text/plain", NOTES_TEXT, ""),
    ("98325", "capacity-report.pdf", "application/pdf", REPORT_PDF, "Q4 load test"),
)


@dataclass
class AttachmentsState:
    """Attachments by (numeric) id; the bytes served of each, for tests that count what was fetched."""

    attachments: dict[str, Attachment] = field(default_factory=dict)
    trash: dict[str, Attachment] = field(default_factory=dict)
    served: dict[str, int] = field(default_factory=dict)
    # Cloud answers a v1 download with a redirect to its media service (api.media.atlassian.com): a signed
    # URL, which the fake serves under /media on its own origin (FakeConfluence.media_url); tests may turn
    # the redirect off, or point it at another host
    cloud_redirects: bool = True
    media_host: str | None = None  # where the redirect points instead of the fake's own /media
    media_requests: list[dict[str, str | None]] = field(default_factory=list)  # each media fetch's credential
    _next_id: int = FIRST_UPLOAD_ID

    @classmethod
    def seeded(cls, state: ConfluenceState) -> AttachmentsState:
        kept = cls()
        if PAGE not in state.pages:
            return kept
        author = state.users[0].name if state.users else None
        for index, (attachment_id, title, mime, content, comment) in enumerate(_SEED):
            stamp = SEED_EPOCH + timedelta(days=1, hours=index)
            kept.attachments[attachment_id] = _new(attachment_id, PAGE, title, mime, content, comment, author, stamp)
        return kept

    @property
    def served_bytes(self) -> int:
        return sum(self.served.values())

    def serve(self, attachment: Attachment) -> bytes:
        data: bytes = attachment["content"]
        self.served[attachment["id"]] = self.served.get(attachment["id"], 0) + len(data)
        return data

    def of_page(self, page_id: str) -> list[Attachment]:
        return sorted((a for a in self.attachments.values() if a["page_id"] == page_id), key=lambda a: int(a["id"]))

    def find(self, ref: str) -> Attachment | None:
        """An attachment by id, with or without the ``att`` prefix."""
        return self.attachments.get(ref.removeprefix("att"))

    def named(self, page_id: str, title: str) -> Attachment | None:
        return next((a for a in self.of_page(page_id) if a["title"] == title), None)

    def add(
        self,
        page_id: str,
        title: str,
        mime: str,
        content: bytes,
        comment: str,
        author: str | None,
        *,
        replace: bool,
    ) -> Attachment:
        """A new attachment, or (``replace``) a new version of the page's attachment of that name."""
        existing = self.named(page_id, title)
        if existing is not None:
            if not replace:
                raise bad_request(f"Cannot add a new attachment with same file name as an existing attachment: {title}")
            existing.update(
                content=content,
                media_type=mime,
                version=existing["version"] + 1,
                version_message=comment,
                updated=now(),
                updated_by=author,
            )
            return existing
        attachment_id = str(self._next_id)
        self._next_id += 1
        created = _new(attachment_id, page_id, title, mime, content, comment, author, now())
        self.attachments[attachment_id] = created
        return created

    def delete(self, attachment: Attachment) -> None:
        attachment["status"] = "trashed"
        self.trash[attachment["id"]] = self.attachments.pop(attachment["id"])


def _new(
    attachment_id: str,
    page_id: str,
    title: str,
    mime: str,
    content: bytes,
    comment: str,
    author: str | None,
    stamp: Any,
) -> Attachment:
    return {
        "id": attachment_id,
        "type": "attachment",
        "status": "current",
        "page_id": page_id,
        "title": title,
        "media_type": mime,
        "content": content,
        "version": 1,
        "version_message": comment,
        "created": stamp,
        "created_by": author,
        "updated": stamp,
        "updated_by": author,
    }


_BY_STATE: WeakKeyDictionary[ConfluenceState, AttachmentsState] = WeakKeyDictionary()


def attachments_of(state: ConfluenceState) -> AttachmentsState:
    """The attachments of one fake's state, seeded on first use."""
    found = _BY_STATE.get(state)
    if found is None:
        found = _BY_STATE[state] = AttachmentsState.seeded(state)
    return found


def download_link(attachment: Attachment) -> str:
    """The legacy download path Confluence shows in ``_links.download`` (relative to the base URL)."""
    stamp = int(attachment["updated"].timestamp() * 1000)
    return (
        f"/download/attachments/{attachment['page_id']}/{quote(attachment['title'])}"
        f"?version={attachment['version']}&modificationDate={stamp}&api=v2"
    )


def not_found(ref: str) -> ConfluenceError:
    return ConfluenceError(404, f"No content found with id: ContentId{{id={ref}}}", v2_title="Not Found")
