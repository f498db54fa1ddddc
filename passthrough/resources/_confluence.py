"""Confluence pages as resources: `confluence://page/{page_id}`, read by confluence_get_page."""

from __future__ import annotations

from typing import Any

from passthrough.providers.confluence import ConfluenceClient
from passthrough.resources._spec import Item, Memo, Recent, about, resource_template
from passthrough.tools.confluence._read import get_page

RECENT_CQL = "type = page AND contributor = currentUser() ORDER BY lastmodified DESC"
_IDS = 50  # pages a completion offers, most recently modified first
_MAX_WORDS = 100  # characters of a title prefix sent upstream


def _row(result: dict[str, Any]) -> Item | None:
    content = result.get("content") or {}
    page_id = str(content.get("id") or "")
    if not page_id.isdigit():
        return None
    space = (result.get("resultGlobalContainer") or {}).get("title") or (content.get("space") or {}).get("key")
    modified = result.get("lastModified") or result.get("friendlyLastModified")
    where = (f"space {space}" if space else None, f"modified {modified}" if modified else None)
    return Item(page_id, str(result.get("title") or content.get("title") or page_id), about(*where))


async def recent_pages(confluence: ConfluenceClient, token: str | None, limit: int) -> Recent:
    """Pages the caller created or edited, most recently modified first."""
    listing = await confluence.search(RECENT_CQL, limit, token)
    return Recent([row for row in map(_row, listing.items) if row], listing.next_cursor)


def title_words(value: str) -> str:
    """What a title prefix says, as CQL text-search words: letters, digits and spaces only (so nothing in it
    is CQL syntax or a Lucene operator), at most a hundred characters."""
    kept = "".join(c if c.isalnum() else " " for c in value[:_MAX_WORDS])
    return " ".join(kept.split())


async def _ids(confluence: ConfluenceClient, cql: str) -> list[str]:
    listing = await confluence.search(cql, _IDS, None)
    return [row.value for row in map(_row, listing.items) if row]


async def page_ids(confluence: ConfluenceClient, value: str, memo: Memo) -> list[str]:
    """Page ids whose title starts with what the caller typed (its last word a prefix), most recently modified
    first; nothing typed → the pages the caller edited last."""
    words = title_words(value)
    if value.strip() and not words:
        return []
    cql = f'type = page AND title ~ "{words}*" ORDER BY lastmodified DESC' if words else RECENT_CQL
    return await memo(cql, lambda: _ids(confluence, cql))


PAGE = resource_template(
    "confluence://page/{page_id}",
    title="Confluence page",
    description="A Confluence page by id: title, space, version and its body as Markdown, as confluence_get_page "
    "shows it, read with the caller's own credential. Complete page_id from a title prefix.",
    read=get_page,
    recent=recent_pages,
    complete=page_ids,
)
