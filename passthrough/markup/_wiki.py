"""Jira Server/DC wiki markup to and from Markdown."""

from __future__ import annotations

from ._markdown import parse_markdown
from ._markdown_render import render_markdown
from ._wiki_read import parse_wiki
from ._wiki_write import render_wiki


def markdown_to_wiki(markdown: str) -> str:
    """Convert Markdown to Jira wiki markup.  Never raises; on an internal failure the
    Markdown is returned as it is."""
    try:
        return render_wiki(parse_markdown(markdown))
    except Exception:
        return markdown if isinstance(markdown, str) else ""


def wiki_to_markdown(text: str | None) -> str:
    """Convert Jira wiki markup to Markdown.  Never raises; on an internal failure the
    wiki text is returned as it is."""
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        return render_markdown(parse_wiki(text))
    except Exception:
        return text.strip()
