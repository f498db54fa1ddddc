"""What the OpenProject tools share: argument types and work package rendering."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from passthrough.errors import ToolError, UpstreamError
from passthrough.providers.openproject import OpenProjectClient, href_id

WORK_PKGS = "openproject_work_packages"
"""The toolset of the work package tools."""

WorkPackageId = Annotated[int, Field(ge=1, le=2**31 - 1, description="Work package id, e.g. 42")]
ProjectRef = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", description="Project id or identifier, e.g. demo-project")
]


def _title(links: dict[str, Any], name: str) -> str | None:
    link = links.get(name) or {}
    return link.get("title") if isinstance(link, dict) and link.get("href") else None


def brief(wp: dict[str, Any], client: OpenProjectClient) -> dict[str, Any]:
    links = wp.get("_links") or {}
    return {
        "id": wp.get("id"),
        "subject": wp.get("subject"),
        "status": _title(links, "status"),
        "type": _title(links, "type"),
        "project": _title(links, "project"),
        "project_id": href_id(links.get("project")),
        "assignee": _title(links, "assignee"),
        "priority": _title(links, "priority"),
        "updated_at": wp.get("updatedAt"),
        "url": client.web_url(wp.get("id", "")),
    }


def detail(
    wp: dict[str, Any], activities: list[dict[str, Any]], client: OpenProjectClient, limit: int
) -> dict[str, Any]:
    out = brief(wp, client)
    links = wp.get("_links") or {}
    out.update(
        {
            "lock_version": wp.get("lockVersion"),
            "author": _title(links, "author"),
            "created_at": wp.get("createdAt"),
            "start_date": wp.get("startDate"),
            "due_date": wp.get("dueDate"),
            "percentage_done": wp.get("percentageDone"),
            "description": ((wp.get("description") or {}).get("raw") or "").strip(),
            "activity": [
                {
                    "user": _title(a.get("_links") or {}, "user"),
                    "at": a.get("createdAt"),
                    "comment": ((a.get("comment") or {}).get("raw") or "").strip(),
                    "changes": [d.get("raw") for d in a.get("details") or [] if d.get("raw")],
                }
                for a in activities[-limit:]
            ]
            if limit
            else [],
        }
    )
    return out


def line(b: dict[str, Any]) -> str:
    extra = ", ".join(x for x in (b["type"], b["project"], f"assignee {b['assignee']}" if b["assignee"] else None) if x)
    return f"- #{b['id']} [{b['status'] or '?'}] {b['subject']} ({extra})"


def text(d: dict[str, Any]) -> str:
    rows = [f"# #{d['id']}: {d['subject']}"]
    rows.append(
        " | ".join(
            f"{k}: {v}" for k, v in (("Status", d["status"]), ("Type", d["type"]), ("Priority", d["priority"])) if v
        )
    )
    rows.append(
        " | ".join(
            f"{k}: {v}"
            for k, v in (("Project", d["project"]), ("Assignee", d["assignee"] or "nobody"), ("Author", d["author"]))
            if v
        )
    )
    dates = [(k, v) for k, v in (("Start", d["start_date"]), ("Due", d["due_date"]), ("Updated", d["updated_at"])) if v]
    if dates:
        rows.append(" | ".join(f"{k}: {v}" for k, v in dates))
    rows += [f"URL: {d['url']}", "", "## Description", "", d["description"] or "_No description._"]
    if d["activity"]:
        rows += ["", "## Recent activity"]
        for a in d["activity"]:
            what = "; ".join([*a["changes"], *([a["comment"]] if a["comment"] else [])])
            rows.append(f"- {a['at']} {a['user'] or 'someone'}: {what}")
    return "\n".join(rows) + "\n"


def current_value(wp: dict[str, Any], field: str) -> Any:
    """What a work package holds for `field`: a link's href, a formatted text's raw Markdown, or the value."""
    link = (wp.get("_links") or {}).get(field)
    if isinstance(link, dict):
        return link.get("href")
    value = wp.get(field)
    return value.get("raw") if isinstance(value, dict) and "raw" in value else value


async def patch_safely(
    client: OpenProjectClient, wp_id: int, changes: dict[str, Any], fields: list[str]
) -> tuple[dict[str, Any], bool]:
    """PATCH a work package with its current lockVersion; on a 409 (someone saved in between) re-read it once
    and retry only if every field in `fields` still holds what it held at the first read, i.e. the other
    person changed something else; otherwise refuse and overwrite nothing. Returns the work package and
    whether it was retried.

    A plain refusal would make the model redo work for a harmless concurrent edit; a blind retry would
    overwrite a person's edit of the same field."""
    first = await client.work_package(wp_id)
    try:
        return await client.update(wp_id, int(first.get("lockVersion", 0)), changes), False
    except UpstreamError as exc:
        if exc.status != 409:
            raise
    again = await client.work_package(wp_id)
    touched = [f for f in fields if current_value(again, f) != current_value(first, f)]
    if touched:
        raise ToolError(
            f"Work package #{wp_id} was changed by someone else meanwhile, including {', '.join(touched)}; "
            "nothing was overwritten. Read it again and decide what to change."
        )
    return await client.update(wp_id, int(again.get("lockVersion", 0)), changes), True
