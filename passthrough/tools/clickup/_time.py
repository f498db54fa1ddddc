"""ClickUp time entries: log time on a task, list a Workspace's entries.

Durations as people write them (`1h 30m`, `90m`, `1.5h`, `45 min`, `2h`; passthrough/tools/_durations.py,
shared with OpenProject), sent in milliseconds. Times are ISO 8601 (`2026-12-24`, `2026-12-24T09:00`,
`2026-12-24T09:00:00+01:00`); without an offset they are UTC, a date alone its midnight UTC; ClickUp
takes Unix milliseconds. An entry belongs to the task's Workspace (the task's `team_id`, read first).
Listing without dates covers ClickUp's default range, the last 30 days; without `assignee` ClickUp
answers the token's user's entries only (other people's are for Workspace owners and admins).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.clickup import ClickUpClient
from passthrough.providers.clickup._tasks import is_custom_id
from passthrough.tools._durations import EXAMPLES, parse_duration, render_minutes
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.clickup._common import TIME, TaskId, WorkspaceId
from passthrough.tools.clickup._discussion import moment, shown

DEFAULT_DAYS = 30
MAX_PEOPLE = 20


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _checked_duration(value: str) -> str:
    parse_duration(value)
    return value


def parse_moment(value: str) -> datetime:
    """An ISO 8601 date or date-time; no offset: UTC; a date alone: its midnight UTC."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day.replace(tzinfo=UTC)
        found = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
    except ValueError:
        raise ValueError(
            f"'{value[:40]}' is not an ISO 8601 date or date-time; use e.g. 2026-12-24, 2026-12-24T09:00 (UTC) "
            "or 2026-12-24T09:00:00+01:00"
        ) from None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def _checked_moment(value: str) -> str:
    parse_moment(value)
    return value


def ms(moment_: datetime) -> int:
    return int(moment_.timestamp() * 1000)


Duration = Annotated[
    str,
    BeforeValidator(_text),
    Field(min_length=1, max_length=160, description=f"Time spent as people write it, {EXAMPLES}"),
    AfterValidator(_checked_duration),
]
Moment = Annotated[
    str,
    Field(
        min_length=10,
        max_length=40,
        description="ISO 8601 date or date-time, e.g. 2026-12-24 or 2026-12-24T09:00:00+01:00 (no offset: UTC)",
    ),
    AfterValidator(_checked_moment),
]


def _length(ms_value: int) -> str:
    if 0 < ms_value < 60_000:
        return f"{ms_value // 1000}s"
    return render_minutes(round(ms_value / 60_000))


def _number(value: Any) -> int | None:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str) and text.isascii() and text.lstrip("-").isdigit() and len(text) <= 15:
        return int(text)
    return None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def entry_row(entry: dict[str, Any]) -> dict[str, Any]:
    task = _obj(entry.get("task"))
    user = _obj(entry.get("user"))
    duration = _number(entry.get("duration"))
    tags = entry.get("tags")
    tags = tags if isinstance(tags, list) else []
    return {
        "id": str(entry.get("id", "")),
        "task_id": task.get("id"),
        "task_custom_id": task.get("custom_id"),
        "task_name": task.get("name"),
        "user": {"id": user.get("id"), "username": user.get("username"), "email": user.get("email")},
        "start": moment(entry.get("start")),
        "end": moment(entry.get("end")),
        "duration": _length(duration) if duration is not None and duration >= 0 else "running",
        "duration_ms": duration,
        "description": entry.get("description") or "",
        "billable": entry.get("billable") is True,
        "tags": [t.get("name") for t in tags if isinstance(t, dict) and t.get("name")],
    }


def _line(row: dict[str, Any]) -> str:
    task = " ".join(str(p) for p in (row["task_custom_id"] or row["task_id"], row["task_name"]) if p) or "no task"
    who = row["user"]["username"] or row["user"]["email"] or f"user {row['user']['id']}"
    text = f"- {shown(row['start'])} · {row['duration']} · {who} · {task}"
    if row["description"]:
        text += f" — {row['description']}"
    if row["billable"]:
        text += " (billable)"
    return text + f" [entry {row['id']}]"


# ---------------------------------------------------------------------- log time


class AddTimeEntryArgs(Arguments):
    task_id: TaskId
    duration: Duration
    description: Annotated[str | None, Field(max_length=2000, description="What the time was spent on")] = None
    start: Annotated[
        Moment | None,
        Field(description="When the work started (ISO 8601; no offset: UTC); default: the duration before now"),
    ] = None
    billable: Annotated[bool, Field(description="Mark the time billable")] = False


@tool("clickup_add_time_entry", title="ClickUp: log time on a task", toolset=TIME, effect="create")
async def add_time_entry(clickup: ClickUpClient, args: AddTimeEntryArgs) -> ToolResult:
    """Log time spent on a task (a task id or a custom task id such as ENG-1) as a time entry in the task's
    Workspace. duration as people write it (1h 30m, 90m, 1.5h, 45 min; at most 24 hours); start as an ISO
    date or date-time (no offset: UTC; a date alone: midnight UTC), by default the duration before now, so
    that the entry ends now. Returns the entry with its start, end and duration."""
    minutes = parse_duration(args.duration)
    duration_ms = minutes * 60_000
    begins = parse_moment(args.start) if args.start else datetime.now(UTC) - timedelta(minutes=minutes)
    task = await clickup.task(args.task_id)
    task_id, team_id = task.get("id"), task.get("team_id")
    if not isinstance(task_id, str) or not task_id or team_id is None or not str(team_id).isdigit():
        raise UpstreamError("clickup", 200, "ClickUp answered GET /task/{task_id} with no task id or team_id")
    body: dict[str, Any] = {"tid": task_id, "start": ms(begins), "duration": duration_ms, "billable": args.billable}
    if args.description:
        body["description"] = args.description
    created = await clickup.add_time_entry(str(team_id), body)
    row = entry_row(created)
    name = task.get("name")
    label = f"{args.task_id}" + (f' "{name}"' if name else "")
    text = (
        f"Logged {render_minutes(minutes)} on task {label} from {shown(row['start'])} to {shown(row['end'])}"
        f" (time entry {row['id']} in workspace {team_id})."
    )
    return ToolResult(text + "\n", {**row, "workspace_id": str(team_id)})


# ---------------------------------------------------------------------- list


class GetTimeEntriesArgs(Arguments):
    workspace_id: Annotated[WorkspaceId, BeforeValidator(_text)]
    task_id: TaskId | None = None
    start_date: Annotated[Moment | None, Field(description="From (ISO 8601; default: 30 days before end_date)")] = None
    end_date: Annotated[
        Moment | None, Field(description="Until (ISO 8601; a date alone: through its end; default: now)")
    ] = None
    assignee: Annotated[
        str | None,
        Field(
            max_length=1000,
            description="Whose entries, comma-separated: 'me', user ids, usernames or emails (default: yours; "
            "other people's need a Workspace owner or admin)",
        ),
    ] = None

    @model_validator(mode="after")
    def _ordered(self) -> GetTimeEntriesArgs:
        if self.start_date and self.end_date and parse_moment(self.start_date) > parse_moment(self.end_date):
            raise ValueError("start_date is after end_date")
        return self


async def _people(clickup: ClickUpClient, raw: str) -> str:
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        raise InvalidArguments("assignee names no one; give 'me', user ids, usernames or emails")
    if len(names) > MAX_PEOPLE:
        raise InvalidArguments(f"assignee names {len(names)} people; at most {MAX_PEOPLE} at once")
    ids: list[int] = []
    for name in names:
        found = await clickup.user_id(name)
        if found not in ids:
            ids.append(found)
    return ",".join(str(i) for i in ids)


@tool("clickup_get_time_entries", title="ClickUp: list time entries", toolset=TIME)
async def get_time_entries(clickup: ClickUpClient, args: GetTimeEntriesArgs) -> ToolResult:
    """List a Workspace's time entries, optionally of one task (a task id or custom task id): when, how long,
    who, which task, description, billable, and the total. Without start_date/end_date ClickUp's default
    range applies: the last 30 days. Without assignee only your own entries are listed (others' need a
    Workspace owner or admin)."""
    params: dict[str, Any] = {}
    if args.start_date or args.end_date:
        until = parse_moment(args.end_date) if args.end_date else datetime.now(UTC)
        whole_day = args.end_date is not None and len(args.end_date.strip()) == 10
        if whole_day:  # a date alone: through its end
            until += timedelta(days=1)
        since = parse_moment(args.start_date) if args.start_date else until - timedelta(days=DEFAULT_DAYS)
        params |= {"start_date": ms(since), "end_date": ms(until) - (1 if whole_day else 0)}
        span = f"from {shown(moment(ms(since)))} to {shown(moment(ms(until)))}"
    else:
        span = "in the last 30 days (ClickUp's default range; give start_date/end_date for others)"
    if args.task_id:
        params["task_id"] = args.task_id
        if is_custom_id(args.task_id):
            params |= {"custom_task_ids": True, "team_id": args.workspace_id}
    if args.assignee:
        params["assignee"] = await _people(clickup, args.assignee)
    found = await clickup.time_entries(args.workspace_id, params)
    rows = sorted((entry_row(e) for e in found if isinstance(e, dict)), key=lambda r: r["start"] or "")
    total = sum(r["duration_ms"] for r in rows if isinstance(r["duration_ms"], int) and r["duration_ms"] > 0)
    whose = "" if args.assignee else " of yours"
    where = f"task {args.task_id}" if args.task_id else f"workspace {args.workspace_id}"
    data = {
        "workspace_id": args.workspace_id,
        "task_id": args.task_id,
        "start_date": moment(params["start_date"]) if "start_date" in params else None,
        "end_date": moment(params["end_date"]) if "end_date" in params else None,
        "default_range": "start_date" not in params,
        "entries": rows,
        "total": _length(total),
        "total_ms": total,
    }
    if not rows:
        return ToolResult(f"No time entries{whose} on {where} {span}.\n", data)
    count = f"{len(rows)} time entr{'ies' if len(rows) != 1 else 'y'}{whose}"
    lines = [f"{count} on {where} {span}, {_length(total)} in all:", *(_line(r) for r in rows)]
    return ToolResult("\n".join(lines) + "\n", data)
