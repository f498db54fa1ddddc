"""ClickUp tasks as resources: `clickup://task/{task_id}`, read by clickup_get_task (a task id or a custom id).

ClickUp has no search across Workspaces and pages its task lists by 100, so a listing walks the token's
Workspaces in turn, and its cursor names the Workspace, ClickUp's page and where in that page it stopped.
Completion matches what someone types against each Workspace's recently updated tasks, read once per user
and Workspace for a short while (ClickUp's API has no text search).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from passthrough.providers.clickup import ClickUpClient
from passthrough.resources._spec import Item, Memo, Recent, about, resource_template
from passthrough.tools.clickup._tasks import get_task

WORKSPACES = 10  # Workspaces a listing walks, in the order ClickUp gives them
COMPLETION_WORKSPACES = 5  # Workspaces a completion reads recent tasks of
COMPLETION_PAGES = 3  # ClickUp pages of 100 a completion reads a Workspace's recent tasks from
PAGES_A_LISTING = 3  # ClickUp pages one resources/list page may read past empty Workspaces
_PAGE = 100  # tasks in a page of ClickUp's team task list
_CURSOR = re.compile(r"^([0-9]{1,2})\.([0-9]{1,4})\.([0-9]{1,3})$")
_MAX_TEXT = 100


def _params(page: int, mine: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {"page": page, "order_by": "updated", "subtasks": True, "include_closed": True}
    if mine is not None:
        params["assignees[]"] = [mine]
    return params


def _tasks(data: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """A page's tasks, and whether ClickUp has more after it."""
    tasks = [t for t in data.get("tasks") or [] if isinstance(t, dict) and t.get("id") is not None]
    last = data.get("last_page")
    return tasks, (not last) if isinstance(last, bool) else len(tasks) >= _PAGE


def _item(task: dict[str, Any]) -> Item:
    status = task.get("status")
    custom = task.get("custom_id")
    listed = task.get("list")
    label = f"{custom} " if custom else ""
    return Item(
        str(task["id"]),
        f"{label}{task.get('name') or ''}".strip() or str(task["id"]),
        about(
            status.get("status") if isinstance(status, dict) else status,
            f"list {listed['name']}" if isinstance(listed, dict) and listed.get("name") else None,
        ),
    )


async def recent_tasks(clickup: ClickUpClient, token: str | None, limit: int) -> Recent:
    """Tasks assigned to the caller, most recently updated first, Workspace after Workspace."""
    at = _CURSOR.match(token) if token else None
    workspace, page, offset = (int(g) for g in at.groups()) if at else (0, 0, 0)
    teams = [str(t.get("id")) for t in await clickup.workspaces() if t.get("id") is not None][:WORKSPACES]
    mine = await clickup.user_id("me")
    for _ in range(PAGES_A_LISTING):
        if workspace >= len(teams):
            return Recent([], None)
        tasks, more = _tasks(await clickup.team_tasks(teams[workspace], _params(page, mine)))
        chosen = tasks[offset : offset + limit]
        if offset + limit < len(tasks):
            following: tuple[int, int, int] | None = (workspace, page, offset + limit)
        elif more and tasks:
            following = (workspace, page + 1, 0)
        else:
            following = (workspace + 1, 0, 0) if workspace + 1 < len(teams) else None
        if chosen or following is None:
            return Recent([_item(t) for t in chosen], ".".join(map(str, following)) if following else None)
        workspace, page, offset = following
    return Recent([], f"{workspace}.{page}.{offset}")


async def _recent_of(clickup: ClickUpClient, team_id: str, mine: int | None) -> list[tuple[str, str, str]]:
    """(id, custom id, name) of a Workspace's most recently updated tasks, up to COMPLETION_PAGES pages."""
    rows: list[tuple[str, str, str]] = []
    for page in range(COMPLETION_PAGES):
        tasks, more = _tasks(await clickup.team_tasks(team_id, _params(page, mine)))
        rows += [(str(t["id"]), str(t.get("custom_id") or ""), str(t.get("name") or "")) for t in tasks]
        if not more or not tasks:
            break
    return rows


def _loader(
    clickup: ClickUpClient, team_id: str, mine: int | None
) -> Callable[[], Awaitable[list[tuple[str, str, str]]]]:
    return lambda: _recent_of(clickup, team_id, mine)


async def task_ids(clickup: ClickUpClient, value: str, memo: Memo) -> list[str]:
    """Task ids for what the caller typed: a task id or custom id prefix (`ENG-1` → ENG-1, ENG-101 …), or words
    of a task's name (`rate` → the task "Rate-limit the public API"), among each Workspace's 300 most recently
    updated tasks; nothing typed → the caller's own. A custom id typed is completed as a custom id."""
    text = " ".join(value[:_MAX_TEXT].split()).casefold()

    async def workspaces() -> list[str]:
        return [str(t.get("id")) for t in await clickup.workspaces() if t.get("id") is not None]

    teams = (await memo("workspaces", workspaces))[:COMPLETION_WORKSPACES]
    mine = await clickup.user_id("me") if not text else None
    found: list[str] = []
    for team in teams:
        rows = await memo(f"tasks:{team}:{mine}", _loader(clickup, team, mine))
        for task_id, custom, name in rows:
            if not text or task_id.casefold().startswith(text):
                found.append(task_id)
            elif custom and custom.casefold().startswith(text):
                found.append(custom)
            elif text in name.casefold():
                found.append(task_id)
    return found


TASK = resource_template(
    "clickup://task/{task_id}",
    title="ClickUp task",
    description="A ClickUp task by id or custom id (ENG-1): name, status, priority, assignees, dates, where it "
    "lives and its description as Markdown, as clickup_get_task shows it, read with the caller's own token. "
    "Complete task_id from a task name or an id prefix.",
    read=get_task,
    recent=recent_tasks,
    complete=task_ids,
)
