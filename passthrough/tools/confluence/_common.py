"""What the Confluence tools share: argument types, CQL, and page rendering."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from passthrough.errors import InvalidArguments
from passthrough.providers.confluence import Page
from passthrough.tools._markdown import read_storage

PageId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$", description="Numeric page id")]
ContentId = Annotated[
    str, Field(pattern=r"^(att)?[0-9]{1,20}$", description="Page or blog post id, or an attachment's (att123)")
]
SpaceKey = Annotated[str, Field(pattern=r"^~?[A-Za-z0-9_-]{1,255}$", description="Space key such as ENG")]
Cursor = Annotated[str | None, Field(max_length=2000, description="next_cursor from the previous page")]

_SPACE_KEY = re.compile(r"~?[A-Za-z0-9_-]{1,255}")
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)  # anchored on the word: linear on any run of spaces
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


def space_keys(text: str | None) -> list[str]:
    """The space keys of a comma-separated list (blanks dropped), each checked to be a key."""
    keys = [k.strip() for k in (text or "").split(",") if k.strip()]
    for key in keys:
        if not _SPACE_KEY.fullmatch(key):
            raise InvalidArguments(f"'{key[:60]}' in spaces_filter is not a space key (letters, digits, _ and -)")
    return list(dict.fromkeys(keys))


def _outside_strings(cql: str) -> str:
    """`cql` with the inside of its quoted strings blanked out (same length), in one pass."""
    out: list[str] = []
    quote = ""
    escaped = False
    for ch in cql:
        if quote:
            out.append(" ")
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
                out[-1] = ch
        else:
            out.append(ch)
            if ch in "\"'":
                quote = ch
    return "".join(out)


def within_spaces(cql: str, keys: list[str]) -> str:
    """`cql` limited to the spaces `keys` (each a quoted CQL string), its ORDER BY kept last."""
    if not keys:
        return cql
    found = list(_ORDER_BY.finditer(_outside_strings(cql)))
    where, order = (cql[: found[-1].start()], cql[found[-1].end() :]) if found else (cql, "")
    scope = "space in (" + ",".join(cql_string(k) for k in keys) + ")"
    scoped = f"({where.strip()}) AND {scope}" if where.strip() else scope
    return scoped + (f" ORDER BY {order.strip()}" if order.strip() else "")


async def page_data(page: Page, markdown: bool = True) -> dict[str, Any]:
    return {
        "id": page.id,
        "title": page.title,
        "space_key": page.space_key,
        "space_id": page.space_id,
        "version": page.version,
        "parent_id": page.parent_id,
        "url": page.url,
        "body": await read_storage(page.body) if markdown else page.body,
        "body_format": "markdown" if markdown else "storage",
    }


def page_text(d: dict[str, Any]) -> str:
    head = [f"# {d['title']}", f"Page {d['id']} | Space: {d['space_key'] or d['space_id']} | Version: {d['version']}"]
    if d["parent_id"]:
        head[-1] += f" | Parent: {d['parent_id']}"
    if d["url"]:
        head.append(f"URL: {d['url']}")
    return "\n".join(head) + "\n\n" + (d["body"].strip() or "_Empty page._") + "\n"
