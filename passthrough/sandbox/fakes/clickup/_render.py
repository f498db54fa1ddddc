"""Stored data -> ClickUp API v2 JSON (ids as strings, times as millisecond strings, as ClickUp sends them)."""

from __future__ import annotations

from typing import Any

from ._data import PRIORITIES, ClickUpUser, Comment, Folder, Space, Status, Task, TaskList, Team, TimeEntry
from ._state import ClickUpState

APP_URL = "https://app.clickup.com"


def _ms(value: int | None) -> str | None:
    return None if value is None else str(value)


def plain(markdown: str) -> str:
    """A Markdown text as ClickUp's plain `description`/`text_content` show it (marks dropped; linear)."""
    lines = []
    for line in markdown.splitlines():
        lines.append(line.lstrip("#").strip() if line.startswith("#") else line)
    return "\n".join(lines).replace("**", "").replace("`", "")


def user(u: ClickUpUser) -> dict[str, Any]:
    """`GET /user`'s user."""
    return {
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "color": u.color,
        "profilePicture": None,
        "initials": u.initials,
        "week_start_day": 1,
        "global_font_support": False,
        "timezone": "Europe/Berlin",
    }


def person(u: ClickUpUser | None, user_id: int) -> dict[str, Any]:
    """A user as tasks, comments and time entries name them."""
    if u is None:
        return {"id": user_id, "username": None, "email": None, "color": None, "initials": None, "profilePicture": None}
    return {
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "color": u.color,
        "initials": u.initials,
        "profilePicture": None,
    }


def member(state: ClickUpState, user_id: int, role: int) -> dict[str, Any]:
    found = state.user(user_id)
    return {
        "user": {
            **person(found, user_id),
            "role": role,
            "custom_role": None,
            "last_active": "1767225600000",
            "date_joined": "1735689600000",
            "date_invited": "1735689600000",
        }
    }


def team(state: ClickUpState, t: Team) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "color": t.color,
        "avatar": None,
        "members": [member(state, uid, role) for uid, role in t.members],
    }


def status(s: Status) -> dict[str, Any]:
    return {
        "id": f"p_{s.status.replace(' ', '_')}",
        "status": s.status,
        "type": s.type,
        "orderindex": s.orderindex,
        "color": s.color,
    }


def space(s: Space) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "color": None,
        "private": s.private,
        "avatar": None,
        "admin_can_manage": False,
        "statuses": [status(x) for x in s.statuses],
        "multiple_assignees": True,
        "features": {"due_dates": {"enabled": True}, "time_tracking": {"enabled": True}, "tags": {"enabled": True}},
        "archived": False,
    }


def task_list(state: ClickUpState, lst: TaskList, *, detail: bool = False) -> dict[str, Any]:
    sp = state.spaces[lst.space_id]
    folder = state.folders.get(lst.folder_id) if lst.folder_id else None
    out: dict[str, Any] = {
        "id": lst.id,
        "name": lst.name,
        "orderindex": 0,
        "content": lst.content,
        "status": None,
        "priority": None,
        "assignee": None,
        "task_count": sum(1 for t in state.tasks.values() if t.list_id == lst.id and not t.archived),
        "due_date": None,
        "start_date": None,
        "folder": {"id": folder.id, "name": folder.name, "hidden": False, "access": True}
        if folder
        else {"id": f"hidden-{sp.id}", "name": "hidden", "hidden": True, "access": True},
        "space": {"id": sp.id, "name": sp.name, "access": True},
        "archived": False,
        "override_statuses": lst.statuses is not None,
        "permission_level": "create",
    }
    if detail:
        out["statuses"] = [status(x) for x in state.statuses(lst)]
    return out


def folder(state: ClickUpState, f: Folder) -> dict[str, Any]:
    sp = state.spaces[f.space_id]
    lists = [x for x in state.lists.values() if x.folder_id == f.id]
    return {
        "id": f.id,
        "name": f.name,
        "orderindex": 0,
        "override_statuses": False,
        "hidden": f.hidden,
        "space": {"id": sp.id, "name": sp.name, "access": True},
        "task_count": str(sum(1 for t in state.tasks.values() if t.list_id in {x.id for x in lists})),
        "archived": False,
        "statuses": [],
        "lists": [task_list(state, x) for x in lists],
        "permission_level": "create",
    }


def task(state: ClickUpState, t: Task, *, markdown: bool = False) -> dict[str, Any]:
    lst = state.lists[t.list_id]
    sp = state.spaces[lst.space_id]
    folder = state.folders.get(lst.folder_id) if lst.folder_id else None
    current = next((s for s in state.statuses(lst) if s.status == t.status), None)
    priority = PRIORITIES.get(t.priority) if t.priority else None
    text = plain(t.markdown)
    out: dict[str, Any] = {
        "id": t.id,
        "custom_id": t.custom_id,
        "custom_item_id": None,
        "name": t.name,
        "text_content": text,
        "description": text,
        "status": status(current) if current else {"status": t.status, "type": "custom", "orderindex": 0, "color": ""},
        "orderindex": "1.00000000000000000000000000000000",
        "date_created": _ms(t.date_created),
        "date_updated": _ms(t.date_updated),
        "date_closed": _ms(t.date_closed),
        "date_done": _ms(t.date_closed),
        "archived": t.archived,
        "creator": person(state.user(t.creator), t.creator),
        "assignees": [person(state.user(uid), uid) for uid in t.assignees],
        "group_assignees": [],
        "watchers": [person(state.user(uid), uid) for uid in t.watchers],
        "checklists": [],
        "tags": [{"name": name, "tag_fg": "#800000", "tag_bg": "#800000", "creator": t.creator} for name in t.tags],
        "parent": t.parent,
        "top_level_parent": t.parent,
        "priority": {
            "id": str(t.priority),
            "priority": priority[0],
            "color": priority[1],
            "orderindex": str(t.priority),
        }
        if priority
        else None,
        "due_date": _ms(t.due_date),
        "start_date": _ms(t.start_date),
        "points": None,
        "time_estimate": t.time_estimate,
        "custom_fields": [],
        "dependencies": [],
        "linked_tasks": [],
        "locations": [],
        "team_id": sp.team_id,
        "url": f"{APP_URL}/t/{t.id}",
        "sharing": {"public": False},
        "permission_level": "create",
        "list": {"id": lst.id, "name": lst.name, "access": True},
        "project": {"id": folder.id, "name": folder.name, "hidden": False, "access": True}
        if folder
        else {"id": f"hidden-{sp.id}", "name": "hidden", "hidden": True, "access": True},
        "folder": {"id": folder.id, "name": folder.name, "hidden": False, "access": True}
        if folder
        else {"id": f"hidden-{sp.id}", "name": "hidden", "hidden": True, "access": True},
        "space": {"id": sp.id},
    }
    if markdown:
        out["markdown_description"] = t.markdown
    return out


def comment(state: ClickUpState, c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "comment": [{"text": c.text}],
        "comment_text": c.text,
        "user": person(state.user(c.user), c.user),
        "resolved": c.resolved,
        "assignee": person(state.user(c.assignee), c.assignee) if c.assignee is not None else None,
        "assigned_by": None,
        "reactions": [],
        "date": str(c.date),
        "reply_count": 0,
    }


def time_entry(state: ClickUpState, e: TimeEntry) -> dict[str, Any]:
    t = state.tasks.get(e.task_id) if e.task_id else None
    return {
        "id": e.id,
        "task": {
            "id": t.id,
            "custom_id": t.custom_id,
            "name": t.name,
            "status": task(state, t)["status"],
            "custom_type": None,
        }
        if t
        else None,
        "wid": e.team_id,
        "user": person(state.user(e.user), e.user),
        "billable": e.billable,
        "start": str(e.start),
        "end": str(e.start + e.duration),
        "duration": str(e.duration),
        "description": e.description,
        "tags": [{"name": name} for name in e.tags],
        "source": "clickup",
        "at": str(e.start + e.duration),
        "task_url": f"{APP_URL}/t/{t.id}" if t else None,
    }
