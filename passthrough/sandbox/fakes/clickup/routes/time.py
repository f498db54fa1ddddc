"""Time entries: ``/team/{team_id}/time_entries`` (GET, POST).

GET answers ``{"data": [...]}``: the entries whose start lies between ``start_date`` and ``end_date`` (Unix
ms; by default the last 30 days, as ClickUp's), of the token's user only unless ``assignee`` (user ids,
comma-separated) names others, which only the Workspace's owner and admins may; ``task_id`` (with
``custom_task_ids=true&team_id=…`` a custom id) narrows to one task. POST takes ``tid``, ``start`` and
``duration`` (ms), ``description``, ``billable`` and ``tags`` and answers ``{"data": <the entry>}``."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .. import _render as render
from .._call import ClickUpCall, ClickUpRoutes, answer
from .._data import Task, Team, TimeEntry
from .._errors import TASK_NOT_FOUND, bad_request, not_authorized, not_found

routes = ClickUpRoutes()
DEFAULT_DAYS = 30
_DAY_MS = 86_400_000
_ADMIN_ROLES = (1, 2)


def _ms(call: ClickUpCall, name: str, default: int) -> int:
    raw = call.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        raise bad_request(f"{name} must be a Unix time in milliseconds", "TIMEENTRY_006")
    return int(raw)


def _task_in(call: ClickUpCall, team: Team, ref: str, query: dict[str, str]) -> Task:
    task = call.state.task(ref, call.me, query)
    if call.state.team_of_list(call.state.lists[task.list_id]) is not team:
        raise not_found(TASK_NOT_FOUND)
    return task


def _people(call: ClickUpCall, team: Team) -> set[int]:
    raw = call.query.get("assignee", "")
    if not raw:
        return {call.me}
    parts = [p.strip() for p in raw.split(",")]
    if not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        raise bad_request("Assignee must be user ids separated by commas", "TIMEENTRY_007")
    wanted = {int(p) for p in parts}
    role = next((r for uid, r in team.members if uid == call.me), None)
    if wanted != {call.me} and role not in _ADMIN_ROLES:
        raise not_authorized()
    return wanted


@routes("GET", "/team/{team_id}/time_entries")
async def entries(call: ClickUpCall) -> web.Response:
    team = call.state.team(call.request.match_info["team_id"], call.me)
    now = int(time.time() * 1000)
    end = _ms(call, "end_date", now)
    start = _ms(call, "start_date", end - DEFAULT_DAYS * _DAY_MS)
    people = _people(call, team)
    task_ref = call.query.get("task_id")
    task = _task_in(call, team, task_ref, call.query) if task_ref else None
    found = [
        e
        for e in call.state.time_entries.values()
        if e.team_id == team.id
        and e.user in people
        and start <= e.start <= end
        and (task is None or e.task_id == task.id)
    ]
    found.sort(key=lambda e: e.start)
    return answer({"data": [render.time_entry(call.state, e) for e in found]})


def _number(body: dict[str, Any], name: str, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"{name.capitalize()} must be a number", "TIMEENTRY_002")
    return value


@routes("POST", "/team/{team_id}/time_entries")
async def add_entry(call: ClickUpCall) -> web.Response:
    team = call.state.team(call.request.match_info["team_id"], call.me)
    body = await call.json()
    start = _number(body, "start")
    duration = _number(body, "duration")
    assert start is not None and duration is not None
    if duration <= 0:
        raise bad_request("Duration must be positive for a stopped time entry", "TIMEENTRY_003")
    tid = body.get("tid")
    task = None
    if tid is not None:
        if not isinstance(tid, str) or not tid:
            raise bad_request("Task id invalid", "TIMEENTRY_004")
        task = _task_in(call, team, tid, call.query)
    description = body.get("description", "")
    billable = body.get("billable", False)
    tags = body.get("tags", [])
    if not isinstance(description, str) or not isinstance(billable, bool) or not isinstance(tags, list):
        raise bad_request("Description, billable or tags invalid", "TIMEENTRY_005")
    ids = [int(k) for k in call.state.time_entries if k.isdigit()]
    entry = TimeEntry(
        str(max(ids, default=4000) + 1),
        team.id,
        task.id if task else None,
        call.me,
        start,
        duration,
        description,
        billable,
        [t["name"] if isinstance(t, dict) else str(t) for t in tags],
    )
    call.state.time_entries[entry.id] = entry
    return answer({"data": render.time_entry(call.state, entry)})
