"""ClickUp's hierarchy (spaces, folders, lists) and its tasks: search, read, create, update, delete.

Descriptions are Markdown both ways (ClickUp takes `markdown_content` and gives `markdown_description`).
Statuses are matched per List case-insensitively; people are "me", a user id, a username or an email;
priorities are urgent/high/normal/low or 1-4; dates are ISO 8601 (a date alone is that day, sent as 12:00 UTC
without a time so ClickUp shows the same day in every timezone from UTC-11 to UTC+11; a date-time without
an offset is UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments
from passthrough.providers.clickup import ClickUpClient
from passthrough.providers.clickup._tasks import is_custom_id
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.clickup._common import TASKS, WORKSPACES, ContainerId, TaskId, WorkspaceId

PRIORITIES = {"urgent": 1, "high": 2, "normal": 3, "low": 4}
PRIORITY_NAMES = {n: name for name, n in PRIORITIES.items()}
CLEAR = ("none", "clear", "null")
SEARCH_PAGES = 5  # pages (of 100) a text query reads in one call
DESCRIPTION_SHOWN = 300  # characters of a description in update's before/after lines


def _text_id(value: Any) -> Any:
    """Ids are strings in the schema; a number a model sends is taken as one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _listed(value: Any) -> Any:
    """A list, or one comma-separated string of its items (as models often send them)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [_text_id(item) for item in value]
    return value


def _priority(value: Any) -> int:
    """1-4 for urgent/high/normal/low (names or numbers); 0 for none."""
    if isinstance(value, bool):
        raise ValueError("priority is urgent, high, normal, low (or 1-4)")
    text = str(value).strip().casefold()
    if text in PRIORITIES:
        return PRIORITIES[text]
    if text in CLEAR:
        return 0
    if text in {"1", "2", "3", "4"}:
        return int(text)
    raise ValueError(f"priority '{value}' is not one of urgent, high, normal, low (or 1-4), or none")


def _level(priority: int | str | None) -> int:
    """A validated priority (the validator made it 0-4) as its number; 0 for none or not given."""
    return priority if isinstance(priority, int) else 0


def due_ms(text: str) -> tuple[int, bool]:
    """(epoch milliseconds, whether a time of day was given) for an ISO 8601 date or date-time."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).replace(hour=12, tzinfo=UTC)
            return int(day.timestamp() * 1000), False
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"'{text}' is not an ISO 8601 date or date-time; use e.g. 2026-12-24 or 2026-12-24T17:00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000), True


def _due(value: str) -> str:
    if value.casefold() not in CLEAR:
        due_ms(value)
    return value


Workspace = Annotated[WorkspaceId, BeforeValidator(_text_id)]
Container = Annotated[ContainerId, BeforeValidator(_text_id)]
AnyTaskId = Annotated[TaskId, BeforeValidator(lambda v: _text_id(v).lstrip("#") if isinstance(v, str | int) else v)]
Priority = Annotated[
    int | str,
    AfterValidator(_priority),
    Field(description="urgent, high, normal or low (or 1-4); none for no priority"),
]
DueDate = Annotated[
    str,
    Field(
        min_length=4,
        max_length=40,
        description="ISO 8601 date (2026-12-24) or date-time (2026-12-24T17:00:00+01:00; no offset: UTC)",
    ),
    AfterValidator(_due),
]
Person = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(min_length=1, max_length=254, description='"me", a user id, a username or an email'),
]
Status = Annotated[str, Field(min_length=1, max_length=100, description="A status of the task's List, any case")]
Markdown = Annotated[str, Field(max_length=100_000, description="The description, as Markdown")]
OptionalWorkspace = Annotated[
    Workspace | None,
    Field(description="The Workspace of a custom task id (else the token's Workspaces are tried in turn)"),
]


# ---------------------------------------------------------------------- rendering


def _when(value: Any) -> str | None:
    """ClickUp's epoch milliseconds (a string or a number) as an ISO 8601 UTC time."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 15:
        return None
    return datetime.fromtimestamp(int(text) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short_when(iso: str | None) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else ""


def _person(user: Any) -> dict[str, Any]:
    found = user if isinstance(user, dict) else {}
    return {"id": found.get("id"), "username": found.get("username"), "email": found.get("email")}


def _named(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or value.get("hidden") or value.get("id") is None:
        return None
    return {"id": str(value["id"]), "name": value.get("name")}


def task_row(task: dict[str, Any], spaces: dict[str, str]) -> dict[str, Any]:
    """The fields a person reads off a task, as plain JSON."""
    status = task.get("status")
    priority = task.get("priority")
    found = task.get("space")
    space: dict[str, Any] = found if isinstance(found, dict) else {}
    space_id = str(space.get("id")) if space.get("id") is not None else None
    task_id = str(task.get("id", ""))
    description = task.get("markdown_description")
    if not isinstance(description, str):
        description = task.get("text_content") or task.get("description") or ""
    return {
        "id": task_id,
        "custom_id": task.get("custom_id"),
        "name": task.get("name"),
        "status": status.get("status") if isinstance(status, dict) else status,
        "priority": priority.get("priority") if isinstance(priority, dict) else None,
        "assignees": [_person(a) for a in task.get("assignees") or []],
        "due_date": _when(task.get("due_date")),
        "start_date": _when(task.get("start_date")),
        "tags": [t.get("name") for t in task.get("tags") or [] if isinstance(t, dict)],
        "parent": task.get("parent"),
        "list": _named(task.get("list")),
        "folder": _named(task.get("folder")),
        "space": {"id": space_id, "name": spaces.get(space_id or "")} if space_id else None,
        "workspace_id": str(task["team_id"]) if task.get("team_id") is not None else None,
        "date_created": _when(task.get("date_created")),
        "date_updated": _when(task.get("date_updated")),
        "date_closed": _when(task.get("date_closed")),
        "url": ClickUpClient.task_url(task_id),
        "description": description,
    }


def _label(row: dict[str, Any]) -> str:
    return f"{row['custom_id']} " if row.get("custom_id") else ""


def _where(row: dict[str, Any]) -> str:
    parts = [p["name"] for p in (row["space"], row["folder"], row["list"]) if p and p.get("name")]
    lst = row["list"]
    return " / ".join(parts) + (f" (list {lst['id']})" if lst else "")


def _names(people: list[dict[str, Any]]) -> str:
    return ", ".join(str(p["username"] or p["id"]) for p in people)


def task_line(row: dict[str, Any]) -> str:
    parts = [str(row["status"])]
    if row["priority"]:
        parts.append(str(row["priority"]))
    if row["due_date"]:
        parts.append(f"due {row['due_date'][:10]}")
    if row["assignees"]:
        parts.append(_names(row["assignees"]))
    if row["list"] and row["list"].get("name"):
        parts.append(f"list {row['list']['name']}")
    return f"- {_label(row)}{row['name']} (id {row['id']}) — {' · '.join(parts)}"


def task_text(row: dict[str, Any]) -> str:
    lines = [f"# {_label(row)}{row['name']}", ""]
    facts = [
        ("Status", row["status"]),
        ("Priority", row["priority"] or "none"),
        ("Assignees", _names(row["assignees"]) or "nobody"),
        ("Due", _short_when(row["due_date"]) or "no due date"),
        ("Start", _short_when(row["start_date"]) or None),
        ("Tags", ", ".join(str(t) for t in row["tags"]) or None),
        ("Where", _where(row)),
        ("Parent task", row["parent"]),
        ("Id", row["id"] + (f" (custom id {row['custom_id']})" if row["custom_id"] else "")),
        ("Updated", _short_when(row["date_updated"]) or None),
        ("URL", row["url"]),
    ]
    lines += [f"- **{name}:** {value}" for name, value in facts if value]
    lines += ["", "## Description", "", row["description"].strip() or "_(no description)_"]
    return "\n".join(lines) + "\n"


async def _spaces_of(clickup: ClickUpClient, task: dict[str, Any]) -> dict[str, str]:
    team = task.get("team_id")
    return await clickup.space_names(str(team)) if team is not None else {}


# ---------------------------------------------------------------------- the hierarchy


class ListSpaces(Arguments):
    workspace_id: Workspace


@tool("clickup_list_spaces", title="ClickUp: list spaces", toolset=WORKSPACES)
async def list_spaces(clickup: ClickUpClient, args: ListSpaces) -> ToolResult:
    """List the Spaces of a Workspace (workspace_id from clickup_list_workspaces): id, name, whether private,
    and the statuses its Lists use unless a List has its own."""
    rows: list[dict[str, Any]] = []
    for space in await clickup.spaces(args.workspace_id):
        statuses = [s.get("status") for s in space.get("statuses") or [] if isinstance(s, dict)]
        rows.append(
            {
                "id": str(space.get("id")),
                "name": space.get("name"),
                "private": bool(space.get("private")),
                "statuses": statuses,
            }
        )
    if not rows:
        return ToolResult(f"Workspace {args.workspace_id} has no Spaces you can see.\n", {"spaces": []})
    lines = [f"{len(rows)} space{'s' if len(rows) != 1 else ''} in workspace {args.workspace_id}:"]
    for r in rows:
        private = ", private" if r["private"] else ""
        lines.append(f"- {r['name']} (space_id {r['id']}{private}) — statuses: {', '.join(map(str, r['statuses']))}")
    return ToolResult("\n".join(lines) + "\n", {"workspace_id": args.workspace_id, "spaces": rows})


class ListFolders(Arguments):
    space_id: Container


def _list_brief(lst: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(lst.get("id")), "name": lst.get("name"), "task_count": lst.get("task_count")}


@tool("clickup_list_folders", title="ClickUp: list folders", toolset=WORKSPACES)
async def list_folders(clickup: ClickUpClient, args: ListFolders) -> ToolResult:
    """List the Folders of a Space (space_id from clickup_list_spaces) with the Lists in each. Lists outside
    any Folder: clickup_list_lists with space_id."""
    rows: list[dict[str, Any]] = []
    for folder in await clickup.folders(args.space_id):
        lists = [_list_brief(x) for x in folder.get("lists") or [] if isinstance(x, dict)]
        count = folder.get("task_count")
        rows.append(
            {
                "id": str(folder.get("id")),
                "name": folder.get("name"),
                "task_count": int(count) if isinstance(count, str) and count.isdigit() else count,
                "lists": lists,
            }
        )
    if not rows:
        text = f"Space {args.space_id} has no Folders (its Lists, if any, are folderless: clickup_list_lists).\n"
        return ToolResult(text, {"space_id": args.space_id, "folders": []})
    lines = [f"{len(rows)} folder{'s' if len(rows) != 1 else ''} in space {args.space_id}:"]
    for r in rows:
        inner = ", ".join(f"{x['name']} (list_id {x['id']})" for x in r["lists"]) or "no lists"
        lines.append(f"- {r['name']} (folder_id {r['id']}) — {inner}")
    return ToolResult("\n".join(lines) + "\n", {"space_id": args.space_id, "folders": rows})


class ListLists(Arguments):
    folder_id: Annotated[Container | None, Field(description="The Lists of this Folder")] = None
    space_id: Annotated[Container | None, Field(description="The folderless Lists of this Space")] = None

    @model_validator(mode="after")
    def _one_container(self) -> ListLists:
        if (self.folder_id is None) == (self.space_id is None):
            raise ValueError("give either folder_id (a Folder's Lists) or space_id (a Space's folderless Lists)")
        return self


@tool("clickup_list_lists", title="ClickUp: list lists", toolset=WORKSPACES)
async def list_lists(clickup: ClickUpClient, args: ListLists) -> ToolResult:
    """List the Lists of a Folder (folder_id), or a Space's Lists outside any Folder (space_id): id, name and
    task count. A list_id is what clickup_create_task and clickup_search_tasks take."""
    if args.folder_id is not None:
        found, where = await clickup.folder_lists(args.folder_id), f"folder {args.folder_id}"
    else:
        assert args.space_id is not None
        found, where = await clickup.folderless_lists(args.space_id), f"space {args.space_id} outside any folder"
    rows = [_list_brief(x) for x in found]
    structured = {"folder_id": args.folder_id, "space_id": args.space_id, "lists": rows}
    if not rows:
        return ToolResult(f"No Lists in {where}.\n", structured)
    lines = [f"{len(rows)} list{'s' if len(rows) != 1 else ''} in {where}:"]
    for r in rows:
        count = f" — {r['task_count']} tasks" if r["task_count"] is not None else ""
        lines.append(f"- {r['name']} (list_id {r['id']}){count}")
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- search and read


class SearchTasks(Arguments):
    workspace_id: Workspace
    query: Annotated[
        str | None,
        Field(max_length=200, description="Text the task's name or description contains (any case)"),
    ] = None
    list_id: Annotated[Container | None, Field(description="Only tasks of this List")] = None
    statuses: Annotated[
        list[Status] | None,
        BeforeValidator(_listed),
        Field(max_length=20, description="Only tasks in these statuses (a list, or comma-separated)"),
    ] = None
    assignee: Annotated[Person | None, Field(description='Only tasks assigned to them: "me" or a user id')] = None
    include_closed: Annotated[bool, Field(description="Include closed tasks")] = False
    page: Annotated[int, Field(ge=0, le=10_000, description="Page of 100 tasks to start at (0-based)")] = 0


@tool("clickup_search_tasks", title="ClickUp: search tasks", toolset=TASKS)
async def search_tasks(clickup: ClickUpClient, args: SearchTasks) -> ToolResult:
    """Find tasks in a Workspace, most recently updated first, by List, statuses, assignee ("me" or a user
    id) and text. ClickUp's API has no text search, so a query is matched against the name and description of
    the tasks the other filters give, up to 5 pages of 100 a call; next_page says where to go on."""
    params: dict[str, Any] = {"page": args.page, "order_by": "updated", "subtasks": True}
    params["include_closed"] = args.include_closed
    if args.list_id is not None:
        params["list_ids[]"] = [args.list_id]
    if args.statuses:
        if args.list_id is not None:
            params["statuses[]"] = [await clickup.status_of(args.list_id, s) for s in args.statuses]
        else:
            params["statuses[]"] = [" ".join(s.split()).lower() for s in args.statuses]
    if args.assignee is not None:
        params["assignees[]"] = [await clickup.user_id(args.assignee)]
    wanted = args.query.casefold() if args.query else None
    pages = SEARCH_PAGES if wanted else 1
    found: list[dict[str, Any]] = []
    read = 0
    page = args.page
    more = False
    for page in range(args.page, args.page + pages):
        data = await clickup.team_tasks(args.workspace_id, {**params, "page": page})
        tasks = [t for t in data.get("tasks") or [] if isinstance(t, dict)]
        read += len(tasks)
        for task in tasks:
            text = f"{task.get('name') or ''}\n{task.get('text_content') or task.get('description') or ''}"
            if wanted is None or wanted in text.casefold():
                found.append(task)
        last = data.get("last_page")
        more = (not last) if isinstance(last, bool) else len(tasks) >= 100
        if not more:
            break
    spaces = await clickup.space_names(args.workspace_id) if found else {}
    rows = [task_row(t, spaces) for t in found]
    for row in rows:
        del row["description"]
    next_page = page + 1 if more else None
    scanned = f"page {args.page}" if page == args.page else f"pages {args.page} to {page}"
    if wanted:
        head = f"{len(rows)} task{'s' if len(rows) != 1 else ''} whose name or description contains '{args.query}'"
        head += f" (ClickUp has no text search: passthrough matched the {read} tasks of {scanned})"
    else:
        head = f"{len(rows)} task{'s' if len(rows) != 1 else ''} ({scanned}, most recently updated first)"
    lines = [head + (":" if rows else ".")]
    lines += [task_line(r) for r in rows]
    if next_page is not None:
        lines += ["", f"More: call clickup_search_tasks with the same arguments and page={next_page}."]
    structured = {
        "workspace_id": args.workspace_id,
        "tasks": rows,
        "page": args.page,
        "last_page_read": page,
        "next_page": next_page,
        "tasks_read": read,
        "query": args.query,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


class GetTask(Arguments):
    task_id: AnyTaskId
    workspace_id: OptionalWorkspace = None


@tool("clickup_get_task", title="ClickUp: get task", toolset=TASKS)
async def get_task(clickup: ClickUpClient, args: GetTask) -> ToolResult:
    """Get one task by its id or custom id (e.g. ENG-1): name, status, priority, assignees, due date, tags,
    where it lives (space, folder, list), parent, URL and its description as Markdown."""
    task = await clickup.task(args.task_id, args.workspace_id)
    row = task_row(task, await _spaces_of(clickup, task))
    return ToolResult(task_text(row), row)


# ---------------------------------------------------------------------- write


def _due_body(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    if text.casefold() in CLEAR:
        return {"due_date": None}
    when, timed = due_ms(text)
    return {"due_date": when, "due_date_time": timed}


class CreateTask(Arguments):
    list_id: Annotated[Container, Field(description="The List to create it in (see clickup_list_lists)")]
    name: Annotated[str, Field(min_length=1, max_length=1000, description="The task's name")]
    description: Markdown | None = None
    status: Annotated[Status | None, Field(description="A status of the List (default: its first)")] = None
    priority: Priority | None = None
    assignees: Annotated[
        list[Person] | None,
        BeforeValidator(_listed),
        Field(max_length=50, description='People to assign: "me", user ids, usernames or emails'),
    ] = None
    due_date: DueDate | None = None
    tags: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        BeforeValidator(_listed),
        Field(max_length=50, description="Tag names (a list, or comma-separated)"),
    ] = None
    parent: Annotated[AnyTaskId | None, Field(description="Make it a subtask of this task (id or custom id)")] = None
    workspace_id: OptionalWorkspace = None


@tool("clickup_create_task", title="ClickUp: create task", toolset=TASKS, effect="create")
async def create_task(clickup: ClickUpClient, args: CreateTask) -> ToolResult:
    """Create a task in a List with an optional Markdown description, status (the List's, any case), priority
    (urgent/high/normal/low), assignees ("me", ids, usernames, emails), due date (ISO 8601), tags and parent
    task. Returns the new task's id, custom id and URL."""
    body: dict[str, Any] = {"name": args.name}
    if args.description is not None:
        body["markdown_content"] = args.description
    if args.status is not None:
        body["status"] = await clickup.status_of(args.list_id, args.status)
    if _level(args.priority):
        body["priority"] = _level(args.priority)
    if args.assignees:
        body["assignees"] = list(dict.fromkeys([await clickup.user_id(p) for p in args.assignees]))
    body |= _due_body(args.due_date)
    if args.due_date is not None and body.get("due_date") is None:
        body.pop("due_date")
    if args.tags:
        body["tags"] = list(dict.fromkeys(args.tags))
    if args.parent is not None:
        body["parent"] = (
            str((await clickup.task(args.parent, args.workspace_id)).get("id"))
            if is_custom_id(args.parent)
            else args.parent
        )
    created = await clickup.create_task(args.list_id, body)
    row = task_row(created, await _spaces_of(clickup, created))
    where = row["list"]["name"] if row["list"] else args.list_id
    text = (
        f"Created task {_label(row)}'{row['name']}' (id {row['id']}) in list {where} — status {row['status']}.\n"
        f"{row['url']}\n"
    )
    return ToolResult(text, row)


class UpdateTask(Arguments):
    task_id: AnyTaskId
    name: Annotated[str | None, Field(min_length=1, max_length=1000, description="The new name")] = None
    description: Annotated[Markdown | None, Field(description="The new description, as Markdown (replaces it)")] = None
    status: Annotated[Status | None, Field(description="A status of the task's List, any case")] = None
    priority: Priority | None = None
    due_date: Annotated[DueDate | None, Field(description="ISO 8601 date or date-time; none to clear it")] = None
    workspace_id: OptionalWorkspace = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateTask:
        if all(v is None for v in (self.name, self.description, self.status, self.priority, self.due_date)):
            raise ValueError("give at least one of name, description, status, priority, due_date")
        return self


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    text = str(value)
    if field == "description":
        flat = " ".join(text.split())
        return repr(flat[:DESCRIPTION_SHOWN] + ("…" if len(flat) > DESCRIPTION_SHOWN else ""))
    return repr(text) if field == "name" else text


@tool("clickup_update_task", title="ClickUp: update task", toolset=TASKS, effect="update")
async def update_task(clickup: ClickUpClient, args: UpdateTask) -> ToolResult:
    """Change a task's name, Markdown description, status (its List's, any case), priority (or none) or due
    date (ISO 8601, or none). ClickUp keeps no version to check, so the task is read first: only fields that
    differ are sent, and the answer gives each one's value before and after."""
    task = await clickup.task(args.task_id, args.workspace_id)
    before = task_row(task, {})
    wanted: dict[str, Any] = {}
    body: dict[str, Any] = {}
    if args.name is not None:
        wanted["name"] = args.name
    if args.description is not None:
        wanted["description"] = args.description
    if args.status is not None:
        list_id = before["list"]["id"] if before["list"] else None
        if list_id is None:
            raise InvalidArguments(f"ClickUp did not say which List task {args.task_id} is in; its status is unknown")
        wanted["status"] = await clickup.status_of(list_id, args.status)
    if args.priority is not None:
        wanted["priority"] = PRIORITY_NAMES.get(_level(args.priority))
    if args.due_date is not None:
        due = _due_body(args.due_date)
        wanted["due_date"] = _when(due["due_date"]) if due["due_date"] is not None else None
    changed = {f: v for f, v in wanted.items() if _differs(f, before[f], v)}
    unchanged = [f for f in wanted if f not in changed]
    label = f"{_label(before)}'{before['name']}' (id {before['id']})"
    if not changed:
        text = f"Task {label} already has {', '.join(unchanged)} as asked; nothing was sent to ClickUp.\n"
        return ToolResult(text, {"task_id": before["id"], "changes": {}, "unchanged": unchanged, "task": before})
    for field in changed:
        if field == "description":
            body["markdown_content"] = args.description
        elif field == "priority":
            body["priority"] = _level(args.priority) or None
        elif field == "due_date":
            body |= _due_body(args.due_date)
        else:
            body[field] = wanted[field]
    answer = await clickup.update_task(before["id"], body)
    after = task_row(answer, {})
    changes: dict[str, dict[str, Any]] = {}
    for field in changed:
        now = wanted[field] if field == "description" else after[field]
        changes[field] = {"before": before[field], "after": now}
    lines = [f"Updated task {label}:"]
    lines += [f"- {f}: {_shown(f, c['before'])} → {_shown(f, c['after'])}" for f, c in changes.items()]
    if unchanged:
        lines.append(f"Already as asked: {', '.join(unchanged)}.")
    lines.append("ClickUp keeps no version number: 'before' is the task as read just before this change.")
    structured = {"task_id": before["id"], "changes": changes, "unchanged": unchanged, "task": after}
    return ToolResult("\n".join(lines) + "\n", structured)


def _differs(field: str, current: Any, wanted: Any) -> bool:
    if field == "status":
        return str(current or "").casefold() != str(wanted or "").casefold()
    if field == "description":
        return str(current or "").strip() != str(wanted or "").strip()
    return bool(current != wanted)


class DeleteTask(Arguments):
    task_id: AnyTaskId
    workspace_id: OptionalWorkspace = None


@tool("clickup_delete_task", title="ClickUp: delete task", toolset=TASKS, effect="delete")
async def delete_task(clickup: ClickUpClient, args: DeleteTask) -> ToolResult:
    """Delete a task (by id or custom id) for good, with its subtasks; says which task it deleted (name, id,
    list). Not offered in read-only mode."""
    task = await clickup.task(args.task_id, args.workspace_id)
    row = task_row(task, {})
    await clickup.delete_task(row["id"])
    where = f" from list {row['list']['name']}" if row["list"] and row["list"].get("name") else ""
    text = f"Deleted task {_label(row)}'{row['name']}' (id {row['id']}){where}.\n"
    structured = {
        "deleted": True,
        "id": row["id"],
        "custom_id": row["custom_id"],
        "name": row["name"],
        "list": row["list"],
    }
    return ToolResult(text, structured)
