"""Jira Server/DC wiki markup to and from Markdown."""

from __future__ import annotations

from ._limits import MarkupLimit, check_client_text, collecting_notes, cut, with_notes
from ._markdown import parse_markdown
from ._markdown_render import render_markdown
from ._wiki_read import parse_wiki
from ._wiki_write import render_wiki


def markdown_to_wiki(markdown: str) -> str:
    """Convert Markdown to Jira wiki markup.  Never raises; on an internal failure the
    Markdown is returned as it is."""
    return _markdown_to_wiki(markdown, strict=False)


def strict_markdown_to_wiki(markdown: str) -> str:
    """`markdown_to_wiki` for text a client sent: raises `TextTooLong`, `NestingTooDeep` or `TooComplex`."""
    check_client_text(markdown)
    return _markdown_to_wiki(markdown, strict=True)


def _markdown_to_wiki(markdown: str, strict: bool) -> str:
    try:
        return render_wiki(parse_markdown(markdown, strict))
    except Exception as error:
        if strict and isinstance(error, MarkupLimit):
            raise
        return markdown if isinstance(markdown, str) else ""


def wiki_to_markdown(text: str | None) -> str:
    """Convert Jira wiki markup to Markdown.  Content beyond the upstream limits is cut off
    or flattened, with a note.  Never raises; on an internal failure the wiki text is
    returned as it is."""
    if not isinstance(text, str) or not text.strip():
        return ""
    with collecting_notes() as notes:
        text = cut(text)
        try:
            markdown = render_markdown(parse_wiki(text))
        except Exception:
            markdown = text.strip()
        return with_notes(markdown, notes)
