"""Confluence storage format to and from Markdown."""

from __future__ import annotations

import html
import re

from ._markdown import parse_markdown
from ._markdown_render import render_markdown
from ._storage_read import parse_storage
from ._storage_write import StorageWriter


def markdown_to_storage(markdown: str) -> str:
    """Convert Markdown to Confluence storage format (well-formed XHTML).

    Code blocks become the ``code`` macro with a CDATA body.  Never raises; on an
    internal failure the Markdown is sent escaped inside one paragraph.
    """
    try:
        return StorageWriter().document(parse_markdown(markdown))
    except Exception:
        text = markdown if isinstance(markdown, str) else ""
        return f"<p>{html.escape(text, quote=False)}</p>" if text.strip() else ""


def storage_to_markdown(storage: str | None) -> str:
    """Convert Confluence storage format to Markdown.

    Known macros map to Markdown (code, panels, links to pages, images, task lists);
    any other macro gives its body text or a ``[macro: name]`` placeholder.  Never raises.
    """
    if not isinstance(storage, str) or not storage.strip():
        return ""
    try:
        return render_markdown(parse_storage(storage))
    except Exception:
        text = html.unescape(re.sub(r"<[^>]*>", " ", storage))
        return " ".join(text.split())
