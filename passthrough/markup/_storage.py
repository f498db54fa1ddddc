"""Confluence storage format to and from Markdown."""

from __future__ import annotations

import html
import re

from ._limits import MarkupLimit, check_client_text, collecting_notes, cut, with_notes
from ._markdown import parse_markdown
from ._markdown_render import render_markdown
from ._storage_read import parse_storage
from ._storage_write import StorageWriter


def markdown_to_storage(markdown: str) -> str:
    """Convert Markdown to Confluence storage format (well-formed XHTML).

    Code blocks become the ``code`` macro with a CDATA body.  Never raises; on an
    internal failure the Markdown is sent escaped inside one paragraph.
    """
    return _markdown_to_storage(markdown, strict=False)


def strict_markdown_to_storage(markdown: str) -> str:
    """`markdown_to_storage` for text a client sent: raises `TextTooLong`, `NestingTooDeep` or `TooComplex`."""
    check_client_text(markdown)
    return _markdown_to_storage(markdown, strict=True)


def _markdown_to_storage(markdown: str, strict: bool) -> str:
    try:
        return StorageWriter().document(parse_markdown(markdown, strict))
    except Exception as error:
        if strict and isinstance(error, MarkupLimit):
            raise
        text = markdown if isinstance(markdown, str) else ""
        return f"<p>{html.escape(text, quote=False)}</p>" if text.strip() else ""


def storage_to_markdown(storage: str | None) -> str:
    """Convert Confluence storage format to Markdown.

    Known macros map to Markdown (code, panels, links to pages, images, task lists);
    any other macro gives its body text or a ``[macro: name]`` placeholder.  Content
    beyond the upstream limits is cut off or flattened, with a note.  Never raises.
    """
    if not isinstance(storage, str) or not storage.strip():
        return ""
    with collecting_notes() as notes:
        storage = cut(storage, boundary=">")
        try:
            markdown = render_markdown(parse_storage(storage))
        except Exception:
            text = html.unescape(re.sub(r"<[^>]*>", " ", storage))
            markdown = " ".join(text.split())
        return with_notes(markdown, notes)
