"""Markdown at the tool boundary: the one place rich text is converted, in both directions.

Models read and write Markdown; upstreams keep their own formats (Jira Cloud ADF,
Jira Server/Data Center wiki markup, Confluence storage XHTML; OpenProject and
ClickUp take Markdown as it is). `read_*` turns an upstream's text into Markdown,
`write_*` turns Markdown into what that upstream stores. Each conversion runs under
the markup limits, off the event loop when it is large (`passthrough.markup.convert`).
"""

from __future__ import annotations

from typing import Any

from passthrough.markup import (
    adf_to_markdown,
    convert,
    markdown_to_adf,
    markdown_to_storage,
    markdown_to_wiki,
    storage_to_markdown,
    wiki_to_markdown,
)
from passthrough.providers.jira import JiraClient


async def read_jira(value: Any) -> str:
    """A Jira rich-text field as Markdown, whichever form it came in (ADF object, wiki string); "" for none."""
    if isinstance(value, dict):
        return await convert(adf_to_markdown, value)
    if isinstance(value, str):
        return await convert(wiki_to_markdown, value)
    return ""


async def write_jira(jira: JiraClient, markdown: str) -> Any:
    """Markdown as this Jira's rich text: ADF for Cloud (v3), wiki markup for Server/Data Center (v2).

    Raises `TextTooLong` or `NestingTooDeep` beyond the markup limits."""
    return await convert(markdown_to_adf if jira.cloud else markdown_to_wiki, markdown)


async def read_storage(xhtml: str) -> str:
    """Confluence storage format as Markdown."""
    return await convert(storage_to_markdown, xhtml)


async def write_storage(markdown: str) -> str:
    """Markdown as Confluence storage format."""
    return await convert(markdown_to_storage, markdown)
