"""What the Confluence tools share: argument types, CQL, and page rendering."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from passthrough.providers.confluence import Page
from passthrough.tools._markdown import read_storage

PageId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$", description="Numeric page id")]
SpaceKey = Annotated[str, Field(pattern=r"^~?[A-Za-z0-9_-]{1,255}$", description="Space key such as ENG")]
Cursor = Annotated[str | None, Field(max_length=2000, description="next_cursor from the previous page")]

_CQL = re.compile(r"^\s*\(?\s*[A-Za-z][\w.]*\s*(=|!=|~|!~|>=|<=|>|<|\s+(not\s+)?in\s*\()", re.IGNORECASE)


def cql_string(text: str) -> str:
    """A CQL string literal holding `text` exactly: quotes and backslashes cannot end or change it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_cql(query: str, cloud: bool) -> str:
    """CQL as given, or plain words turned into a text search."""
    if _CQL.match(query):
        return query
    field = "siteSearch" if cloud else "text"
    return f"{field} ~ {cql_string(query)}"


async def page_data(page: Page) -> dict[str, Any]:
    return {
        "id": page.id,
        "title": page.title,
        "space_key": page.space_key,
        "space_id": page.space_id,
        "version": page.version,
        "parent_id": page.parent_id,
        "url": page.url,
        "body": await read_storage(page.body),
    }


def page_text(d: dict[str, Any]) -> str:
    head = [f"# {d['title']}", f"Page {d['id']} | Space: {d['space_key'] or d['space_id']} | Version: {d['version']}"]
    if d["parent_id"]:
        head[-1] += f" | Parent: {d['parent_id']}"
    if d["url"]:
        head.append(f"URL: {d['url']}")
    return "\n".join(head) + "\n\n" + (d["body"].strip() or "_Empty page._") + "\n"
