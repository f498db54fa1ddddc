"""OpenProject work packages as resources: `openproject://work_package/{work_package_id}`."""

from __future__ import annotations

from typing import Any

from passthrough.providers.openproject import OpenProjectClient, elements
from passthrough.resources._spec import Item, Memo, Recent, about, resource_template
from passthrough.tools.openproject._common import brief
from passthrough.tools.openproject._read import get_work_package

MINE: list[dict[str, Any]] = [{"assignee": {"operator": "=", "values": ["me"]}}]
_IDS = 50
_MAX_TEXT = 100


def _item(row: dict[str, Any]) -> Item:
    updated = f"updated {row['updated_at']}" if row["updated_at"] else None
    return Item(
        str(row["id"]),
        f"#{row['id']}: {row['subject'] or ''}".rstrip(": "),
        about(row["status"], row["project"], updated),
    )


async def recent_work_packages(openproject: OpenProjectClient, token: str | None, limit: int) -> Recent:
    """Work packages assigned to the caller, most recently updated first (pages numbered from 1)."""
    page = int(token) if token and token.isascii() and token.isdigit() and len(token) < 7 else 1
    data = await openproject.search(MINE, limit, page)
    rows = [brief(wp, openproject) for wp in elements(data)]
    total = data.get("total")
    more = isinstance(total, int) and (page - 1) * limit + len(rows) < total and bool(rows)
    return Recent([_item(r) for r in rows if r.get("id") is not None], str(page + 1) if more else None)


async def _ids(openproject: OpenProjectClient, filters: list[dict[str, Any]]) -> list[str]:
    data = await openproject.search(filters, _IDS, 1)
    return [str(wp["id"]) for wp in elements(data) if wp.get("id") is not None]


async def work_package_ids(openproject: OpenProjectClient, value: str, memo: Memo) -> list[str]:
    """Work package ids whose subject (or id) matches what the caller typed, most recently updated first;
    nothing typed → the caller's own."""
    text = " ".join(value[:_MAX_TEXT].split())
    filters = [{"subjectOrId": {"operator": "**", "values": [text]}}] if text else MINE
    return await memo(f"wp:{text}", lambda: _ids(openproject, filters))


WORK_PACKAGE = resource_template(
    "openproject://work_package/{work_package_id}",
    title="OpenProject work package",
    description="An OpenProject work package by id: subject, status, type, people, dates, description and recent "
    "activity as Markdown, as openproject_get_work_package shows it, read with the caller's own API key. "
    "Complete work_package_id from a subject prefix.",
    read=get_work_package,
    recent=recent_work_packages,
    complete=work_package_ids,
)
