"""Jira payloads → compact readable text for the model, and the key fields as structured content."""

from __future__ import annotations

import json
from typing import Any

from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import read_jira


def _name(value: Any, *keys: str) -> str | None:
    if not isinstance(value, dict):
        return None
    for key in keys:
        found = value.get(key)
        if isinstance(found, str) and found:
            return found
    return None


def person(value: Any) -> str | None:
    return _name(value, "displayName", "name", "emailAddress", "accountId")


def brief(issue: dict[str, Any], client: JiraClient) -> dict[str, Any]:
    """The fields a list of issues shows."""
    fields = issue.get("fields") or {}
    key = str(issue.get("key", ""))
    return {
        "key": key,
        "id": str(issue.get("id", "")),
        "summary": fields.get("summary") or "",
        "status": _name(fields.get("status"), "name"),
        "issue_type": _name(fields.get("issuetype"), "name"),
        "priority": _name(fields.get("priority"), "name"),
        "assignee": person(fields.get("assignee")),
        "project": _name(fields.get("project"), "key"),
        "updated": fields.get("updated"),
        "url": client.browse_url(key) if key else None,
    }


async def comment_row(comment: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(comment.get("id", "")),
        "author": person(comment.get("author")),
        "created": comment.get("created"),
        "body": await read_jira(comment.get("body")),
    }


async def detail(issue: dict[str, Any], client: JiraClient, comment_limit: int) -> dict[str, Any]:
    fields = issue.get("fields") or {}
    out = brief(issue, client)
    comments_block = fields.get("comment") or {}
    comments = list(comments_block.get("comments") or [])
    out.update(
        {
            "reporter": person(fields.get("reporter")),
            "created": fields.get("created"),
            "labels": list(fields.get("labels") or []),
            "parent": (fields.get("parent") or {}).get("key"),
            "description": await read_jira(fields.get("description")),
            "comment_total": comments_block.get("total", len(comments)),
            "comments": [await comment_row(c) for c in comments[-comment_limit:]] if comment_limit > 0 else [],
        }
    )
    return out


def _line(parts: list[tuple[str, Any]]) -> str:
    return " | ".join(f"{label}: {value}" for label, value in parts if value)


def issue_text(d: dict[str, Any]) -> str:
    lines = [f"# {d['key']}: {d['summary']}"]
    lines.append(_line([("Status", d["status"]), ("Type", d["issue_type"]), ("Priority", d["priority"])]))
    lines.append(_line([("Assignee", d["assignee"] or "Unassigned"), ("Reporter", d.get("reporter"))]))
    lines.append(_line([("Created", d.get("created")), ("Updated", d["updated"]), ("Parent", d.get("parent"))]))
    if d.get("labels"):
        lines.append("Labels: " + ", ".join(d["labels"]))
    if d["url"]:
        lines.append(f"URL: {d['url']}")
    lines = [line for line in lines if line]
    lines += ["", "## Description", "", d.get("description") or "_No description._"]
    if d.get("comments"):
        shown, total = len(d["comments"]), d.get("comment_total", len(d["comments"]))
        lines += ["", f"## Comments ({shown} of {total})" if total != shown else f"## Comments ({total})"]
        for c in d["comments"]:
            lines += ["", f"**{c['author'] or 'Someone'}** — {c['created']}", "", c["body"]]
    return "\n".join(lines).strip() + "\n"


def list_line(b: dict[str, Any]) -> str:
    extras = ", ".join(
        x
        for x in (
            b["issue_type"],
            b["priority"],
            f"assignee {b['assignee']}" if b["assignee"] else "unassigned",
        )
        if x
    )
    return f"- {b['key']} [{b['status'] or '?'}] {b['summary']} ({extras})"


def other_fields(issue: dict[str, Any], display_names: bool, known: str = "") -> dict[str, Any]:
    """The fields a caller asked for beyond those the answer already shows, by id or display name."""
    from passthrough.providers.jira._client import DEFAULT_FIELDS

    shown_already = set(DEFAULT_FIELDS.split(",")) | set(known.split(",")) | {"comment"}
    raw_names = issue.get("names")
    names: dict[str, Any] = raw_names if display_names and isinstance(raw_names, dict) else {}
    fields = issue.get("fields") or {}
    return {
        str(names.get(name) or name): value
        for name, value in fields.items()
        if name not in shown_already and value is not None
    }


def shown(value: Any, limit: int = 300) -> str:
    """A field value on one line: names for objects Jira names, compact JSON otherwise, cut at `limit`."""
    if isinstance(value, dict):
        value = _name(value, "displayName", "name", "value", "key") or value
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
        value = ", ".join(_name(v, "displayName", "name", "value", "key") or "?" for v in value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(issue: dict[str, Any]) -> list[dict[str, Any]]:
    """The changelog an `expand=changelog` brought, newest last, one row per changed field."""
    rows = []
    for history in (issue.get("changelog") or {}).get("histories") or []:
        for item in history.get("items") or []:
            rows.append(
                {
                    "at": history.get("created"),
                    "by": person(history.get("author")),
                    "field": item.get("field"),
                    "from": item.get("fromString"),
                    "to": item.get("toString"),
                }
            )
    return rows


def change_line(row: dict[str, Any]) -> str:
    return f"{row['at']} {row['by'] or 'someone'}: {row['field']} {row['from'] or '∅'} → {row['to'] or '∅'}"
