"""Atlassian Document Format (Jira Cloud REST v3) to and from Markdown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._adf_read import AdfReader, adf_plain_text
from ._adf_write import AdfWriter
from ._limits import MarkupLimit, check_client_text, collecting_notes, cut, with_notes
from ._markdown import parse_markdown
from ._markdown_render import render_markdown


def markdown_to_adf(markdown: str) -> dict[str, Any]:
    """Convert Markdown to an ADF ``doc``.

    Images become linked text (the alt text, or the URL, carrying a ``link`` mark):
    ADF media nodes refer to uploaded attachments by id, which plain text cannot name.
    Never raises; on an internal failure the Markdown is sent as one plain paragraph.
    """
    return _markdown_to_adf(markdown, strict=False)


def strict_markdown_to_adf(markdown: str) -> dict[str, Any]:
    """`markdown_to_adf` for text a client sent: raises `TextTooLong`, `NestingTooDeep` or `TooComplex`
    rather than send something longer or flatter than the limits allow."""
    check_client_text(markdown)
    return _markdown_to_adf(markdown, strict=True)


def _markdown_to_adf(markdown: str, strict: bool) -> dict[str, Any]:
    try:
        return {"type": "doc", "version": 1, "content": AdfWriter().document(parse_markdown(markdown, strict))}
    except Exception as error:
        if strict and isinstance(error, MarkupLimit):
            raise
        text = markdown if isinstance(markdown, str) else ""
        content = [{"type": "paragraph", "content": [{"type": "text", "text": text}]}] if text.strip() else []
        return {"type": "doc", "version": 1, "content": content}


def adf_to_markdown(doc: Mapping[str, Any] | None) -> str:
    """Convert an ADF document (or any ADF node) to Markdown.

    Accepts ``None``, a JSON string, or a non-ADF string (returned as it is).  Unknown
    nodes contribute their text; media become an ``[attachment]`` placeholder.  Content
    beyond the upstream limits is cut off or flattened, with a note.  Never raises.
    """
    with collecting_notes() as notes:
        return with_notes(_adf_to_markdown(doc), notes)


def _adf_to_markdown(doc: Mapping[str, Any] | None) -> str:
    try:
        node: Any = doc
        if isinstance(node, str | bytes):
            try:
                node = json.loads(node)
            except ValueError:
                return cut(node.strip()) if isinstance(node, str) else ""
        if node is None:
            return ""
        return render_markdown(AdfReader().document(node))
    except Exception:
        return cut(adf_plain_text(doc))
