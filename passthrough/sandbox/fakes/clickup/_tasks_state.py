"""What the fake ClickUp's task routes do to the stored tasks (no HTTP here): filter a Workspace's tasks, and
create, change and delete one, with ClickUp's checks and 400s.

New tasks get ids after the seeded ones (``86b1cc001`` …) and, in a Workspace with custom task ids, the next
custom id of its prefix (``ENG-206`` …). A status is one of the List's (any case; stored as the List spells
it); assignees must be members of the List's Workspace; a parent must be a task the caller can see.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from ._data import PAGE_SIZE, Task, TaskList
from ._errors import bad_request
from ._state import ClickUpState

STATUS_NOT_FOUND = ("Status does not exist", "ITEM_045")
NAME_MISSING = ("Task name invalid", "INPUT_005")
PRIORITY_INVALID = ("Priority invalid", "INPUT_006")
ASSIGNEE_INVALID = ("Assignee not found", "ITEM_024")
DATE_INVALID = ("Due date invalid", "INPUT_007")
PARENT_INVALID = ("Parent not child of list", "ITEM_137")
ORDERS = {"created": "date_created", "updated": "date_updated", "due_date": "due_date", "id": "id"}


@dataclass
class TaskCounters:
    next_id: int = 1


_COUNTERS: WeakKeyDictionary[ClickUpState, TaskCounters] = WeakKeyDictionary()


def counters_of(state: ClickUpState) -> TaskCounters:
    found = _COUNTERS.get(state)
    if found is None:
        found = _COUNTERS[state] = TaskCounters()
    return found


def now_ms() -> int:
    return int(time.time() * 1000)


def _truthy(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "").lower() == "true"


# ---------------------------------------------------------------------- reading


def visible(state: ClickUpState, team_id: str, query: Mapping[str, str], values: Any) -> list[Task]:
    """The Workspace's tasks that match ClickUp's team task filters, in ClickUp's order (newest first by
    ``order_by``, default ``created``; ``reverse=true`` turns it round). `values(name)` gives an array
    parameter's values."""
    lists = {lst.id for lst in state.lists.values() if state.spaces[lst.space_id].team_id == team_id}
    list_ids = set(values("list_ids")) or lists
    space_ids = set(values("space_ids"))
    statuses = {s.casefold() for s in values("statuses")}
    assignees = set(values("assignees"))
    tags = {t.casefold() for t in values("tags")}
    closed = _truthy(query, "include_closed")
    subtasks = _truthy(query, "subtasks")
    found = []
    for t in state.tasks.values():
        lst = state.lists[t.list_id]
        if t.list_id not in lists or t.list_id not in list_ids or t.archived:
            continue
        if space_ids and lst.space_id not in space_ids:
            continue
        if t.parent is not None and not subtasks:
            continue
        if not closed and closed_status(state, lst, t.status):
            continue
        if statuses and t.status.casefold() not in statuses:
            continue
        if assignees and not assignees & {str(a) for a in t.assignees}:
            continue
        if tags and not tags & {x.casefold() for x in t.tags}:
            continue
        found.append(t)
    key = ORDERS.get(query.get("order_by", "created"), "date_created")
    found.sort(key=lambda t: (getattr(t, key) or 0, t.id), reverse=not _truthy(query, "reverse"))
    return found


def closed_status(state: ClickUpState, lst: TaskList, name: str) -> bool:
    return any(s.status == name and s.type == "closed" for s in state.statuses(lst))


def page_of(tasks: list[Task], page: int) -> tuple[list[Task], bool]:
    """One page of 100, and whether it is the last."""
    start = page * PAGE_SIZE
    return tasks[start : start + PAGE_SIZE], start + PAGE_SIZE >= len(tasks)


# ---------------------------------------------------------------------- writing


def _status(state: ClickUpState, lst: TaskList, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request(*STATUS_NOT_FOUND)
    found = next((s.status for s in state.statuses(lst) if s.status.casefold() == value.strip().casefold()), None)
    if found is None:
        raise bad_request(*STATUS_NOT_FOUND)
    return found


def _priority(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise bad_request(*PRIORITY_INVALID)
    return value


def _date(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(*DATE_INVALID)
    return value


def _members(state: ClickUpState, lst: TaskList) -> set[int]:
    return {uid for uid, _ in state.team_of_list(lst).members}


def _assignees(state: ClickUpState, lst: TaskList, value: Any) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise bad_request("Assignees must be an array of user ids", "INPUT_008")
    if not set(value) <= _members(state, lst):
        raise bad_request(*ASSIGNEE_INVALID)
    return list(dict.fromkeys(value))


def _markdown(body: Mapping[str, Any], current: str | None) -> str | None:
    for name in ("markdown_content", "markdown_description", "description"):
        if name in body:
            value = body[name]
            if not isinstance(value, str):
                raise bad_request(f"{name} must be a string", "INPUT_009")
            return value
    return current


def _custom_id(state: ClickUpState, lst: TaskList) -> str | None:
    team = state.team_of_list(lst)
    if not team.custom_task_ids:
        return None
    prefix = "ENG"
    numbers = [
        int(t.custom_id.split("-", 1)[1])
        for t in state.tasks.values()
        if t.custom_id and t.custom_id.startswith(prefix + "-") and t.custom_id.split("-", 1)[1].isdigit()
    ]
    return f"{prefix}-{max(numbers, default=0) + 1}"


def create(state: ClickUpState, lst: TaskList, user_id: int, body: Mapping[str, Any]) -> Task:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request(*NAME_MISSING)
    statuses = state.statuses(lst)
    status = _status(state, lst, body["status"]) if body.get("status") is not None else statuses[0].status
    parent = body.get("parent")
    if parent is not None:
        found = state.tasks.get(parent) if isinstance(parent, str) else None
        if found is None or state.lists[found.list_id].space_id != lst.space_id:
            raise bad_request(*PARENT_INVALID)
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise bad_request("Tags must be an array of names", "INPUT_010")
    counter = counters_of(state)
    task_id = f"86b1cc{counter.next_id:03d}"
    counter.next_id += 1
    moment = now_ms()
    task = Task(
        task_id,
        _custom_id(state, lst),
        lst.id,
        name.strip(),
        _markdown(body, "") or "",
        status,
        user_id,
        assignees=_assignees(state, lst, body.get("assignees", [])),
        watchers=[user_id],
        tags=[t.strip().lower() for t in tags if t.strip()],
        priority=_priority(body.get("priority")),
        due_date=_date(body.get("due_date")),
        start_date=_date(body.get("start_date")),
        parent=parent,
        date_created=moment,
        date_updated=moment,
        date_closed=moment if closed_status(state, lst, status) else None,
    )
    state.tasks[task_id] = task
    return task


def update(state: ClickUpState, task: Task, body: Mapping[str, Any]) -> Task:
    """ClickUp's PUT /task: only the fields the body names change."""
    lst = state.lists[task.list_id]
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not name.strip():
            raise bad_request(*NAME_MISSING)
        task.name = name.strip()
    task.markdown = _markdown(body, task.markdown) or ""
    if "status" in body:
        task.status = _status(state, lst, body["status"])
        closed = closed_status(state, lst, task.status)
        task.date_closed = (task.date_closed or now_ms()) if closed else None
    if "priority" in body:
        task.priority = _priority(body["priority"])
    if "due_date" in body:
        task.due_date = _date(body["due_date"])
    if "start_date" in body:
        task.start_date = _date(body["start_date"])
    if "archived" in body:
        task.archived = bool(body["archived"])
    changes = body.get("assignees")
    if isinstance(changes, dict):
        add = _assignees(state, lst, changes.get("add", []))
        rem = set(_assignees(state, lst, changes.get("rem", [])))
        task.assignees = [a for a in dict.fromkeys([*task.assignees, *add]) if a not in rem]
    task.date_updated = now_ms()
    return task


def delete(state: ClickUpState, task: Task) -> list[str]:
    """The task, its subtasks (at any depth) and their comments are gone; the ids deleted."""
    gone = [task.id]
    i = 0
    while i < len(gone):  # breadth first; each task is looked at once
        gone += [t.id for t in state.tasks.values() if t.parent == gone[i] and t.id not in gone]
        i += 1
    for task_id in gone:
        state.tasks.pop(task_id, None)
    for cid in [c.id for c in state.comments.values() if c.task_id in gone]:
        del state.comments[cid]
    return gone
