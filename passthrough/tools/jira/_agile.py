"""Jira tools for Jira Software agile: boards and sprints (/rest/agile/1.0)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, model_validator

from passthrough.providers._client import next_offset, offset_token
from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import read_jira
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.jira._common import ProjectKey
from passthrough.tools.jira._render import brief, list_line

TOOLSET = "jira_agile"
ISSUE_FIELDS = "summary,status,issuetype,priority,assignee,updated,project,sprint"
_BRIEF_FIELDS = frozenset(ISSUE_FIELDS.split(","))
_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$")
MAX_MOVED = 50  # Jira moves at most 50 issues a call
_KEYS_CHARS = MAX_MOVED * 70  # room for 50 keys, spaces and commas; longer is refused before it is split


def _text_id(value: Any) -> Any:
    """Ids are strings in the schema (as in the peer); a number a model sends is taken as one."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


BoardId = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(pattern=r"^[0-9]{1,18}$", description="Board id, e.g. 1 (see jira_get_agile_boards)"),
]
SprintId = Annotated[
    str,
    BeforeValidator(_text_id),
    Field(pattern=r"^[0-9]{1,18}$", description="Sprint id, e.g. 2 (see jira_get_sprints_from_board)"),
]
Limit = Annotated[
    int, Field(ge=1, le=50, validation_alias=AliasChoices("limit", "max_results"), description="Items per page")
]
StartAt = Annotated[int, Field(ge=0, le=10**9, description="Offset to start at (0-based); or use page_token")]
PageToken = Annotated[str | None, Field(max_length=20, description="next_page_token of the last page")]
Fields = Annotated[
    str | None,
    Field(
        max_length=2000,
        description="More fields to include, comma-separated (e.g. description,labels); '*all' for all",
    ),
]
Expand = Annotated[str | None, Field(max_length=200, description="Jira's expand, e.g. changelog")]


def _iso_date(value: str) -> str:
    """An ISO 8601 date or date-time, as the agile API takes it (no offset given: UTC)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"'{value}' is not an ISO 8601 date or date-time; use e.g. 2026-02-02 or 2026-02-02T09:00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds")


IsoDate = Annotated[
    str,
    Field(
        min_length=8,
        max_length=40,
        description="ISO 8601 date or date-time, e.g. 2026-02-02T09:00:00+01:00 (without an offset: UTC)",
    ),
    AfterValidator(_iso_date),
]
SprintState = Annotated[
    Literal["future", "active", "closed"],
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
]


def _start(page_token: str | None, start_at: int) -> int:
    return offset_token(page_token, "page_token") if page_token else start_at


def _more(token: str | None, tool_name: str) -> list[str]:
    return ["", f'More: call {tool_name} with the same arguments and page_token="{token}".'] if token else []


# ---------------------------------------------------------------------- rows


def board_row(board: dict[str, Any]) -> dict[str, Any]:
    location = board.get("location") or {}
    return {
        "id": str(board.get("id", "")),
        "name": board.get("name"),
        "type": board.get("type"),
        "project_key": location.get("projectKey"),
        "project_name": location.get("projectName"),
    }


def sprint_row(sprint: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(sprint.get("id", "")),
        "name": sprint.get("name"),
        "state": sprint.get("state"),
        "start_date": sprint.get("startDate"),
        "end_date": sprint.get("endDate"),
        "complete_date": sprint.get("completeDate"),
        "goal": sprint.get("goal") or None,
        "board_id": str(sprint["originBoardId"]) if sprint.get("originBoardId") is not None else None,
    }


def sprint_line(r: dict[str, Any]) -> str:
    dates = " → ".join(d[:10] for d in (r["start_date"], r["end_date"]) if d)
    parts = [f"- {r['name']} (id {r['id']}, {r['state']})"]
    if dates:
        parts.append(dates)
    if r["goal"]:
        parts.append(f"— goal: {r['goal']}")
    return " ".join(parts)


def _requested(fields: str | None) -> str:
    if not fields:
        return ISSUE_FIELDS
    if "*all" in fields:
        return "*all"
    extra = [f.strip() for f in fields.split(",") if f.strip() and f.strip() not in _BRIEF_FIELDS]
    return ",".join([ISSUE_FIELDS, *dict.fromkeys(extra)])


async def _issue_row(issue: dict[str, Any], jira: JiraClient, requested: str) -> dict[str, Any]:
    row = brief(issue, jira)
    fields = issue.get("fields") or {}
    sprint = fields.get("sprint")
    row["sprint"] = sprint.get("name") if isinstance(sprint, dict) else None
    if requested != ISSUE_FIELDS:
        extra: dict[str, Any] = {}
        for name, value in fields.items():
            if name in _BRIEF_FIELDS:
                continue
            extra[name] = await read_jira(value) if name == "description" else value
        if extra:
            row["fields"] = extra
    return row


async def _issue_page(
    jira: JiraClient, data: dict[str, Any], start: int, requested: str, head: str, tool_name: str
) -> ToolResult:
    issues = list(data.get("issues") or [])
    total = data.get("total") if isinstance(data.get("total"), int) else None
    rows = [await _issue_row(i, jira, requested) for i in issues]
    more = total is not None and start + len(rows) < total
    token = next_offset(start, len(rows), more)
    if not rows:
        lines = [f"No issues {head}."]
    else:
        counted = f"{len(rows)} of {total}" if total is not None else str(len(rows))
        lines = [f"{counted} issues {head}:"]
        lines += [list_line(r) + (f" — sprint {r['sprint']}" if r["sprint"] else "") for r in rows]
    lines += _more(token, tool_name)
    structured: dict[str, Any] = {"issues": rows, "start_at": start, "total": total, "next_page_token": token}
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- boards


class Boards(Arguments):
    board_name: Annotated[str | None, Field(max_length=255, description="Part of the board's name")] = None
    project_key: Annotated[ProjectKey | None, Field(description="Only boards of this project (its key)")] = None
    board_type: Annotated[
        Literal["scrum", "kanban", "simple"] | None,
        BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
        Field(description="scrum, kanban or simple"),
    ] = None
    start_at: StartAt = 0
    limit: Limit = 10
    page_token: PageToken = None


@tool("jira_get_agile_boards", title="Jira: agile boards", toolset=TOOLSET)
async def get_agile_boards(jira: JiraClient, args: Boards) -> ToolResult:
    """List Jira Software boards (scrum and kanban), optionally by part of the name, project or type.
    Returns one page: id, name, type and project; pass next_page_token back as page_token for the next."""
    start = _start(args.page_token, args.start_at)
    data = await jira.boards(
        start, args.limit, name=args.board_name, board_type=args.board_type, project=args.project_key
    )
    rows = [board_row(b) for b in data.get("values") or []]
    token = next_offset(start, len(rows), data.get("isLast") is False)
    if rows:
        lines = [f"{len(rows)} boards:"]
        lines += [f"- {r['name']} (id {r['id']}, {r['type']}) — project {r['project_key'] or '?'}" for r in rows]
    else:
        lines = ["No boards match."]
    lines += _more(token, "jira_get_agile_boards")
    total = data.get("total") if isinstance(data.get("total"), int) else None
    return ToolResult("\n".join(lines) + "\n", {"boards": rows, "total": total, "next_page_token": token})


class BoardIssues(Arguments):
    board_id: BoardId
    jql: Annotated[
        str,
        Field(
            max_length=4000,
            description="JQL that narrows the board's issues, e.g. status = 'In Progress' (empty: all of them)",
        ),
    ]
    fields: Fields = None
    start_at: StartAt = 0
    limit: Limit = 10
    page_token: PageToken = None
    expand: Expand = None


@tool("jira_get_board_issues", title="Jira: issues on a board", toolset=TOOLSET)
async def get_board_issues(jira: JiraClient, args: BoardIssues) -> ToolResult:
    """List the issues on an agile board that match a JQL filter, with each one's sprint; one page at a time
    (pass next_page_token back as page_token)."""
    start = _start(args.page_token, args.start_at)
    requested = _requested(args.fields)
    data = await jira.board_issues(args.board_id, args.jql, start, args.limit, requested, args.expand)
    result = await _issue_page(jira, data, start, requested, f"on board {args.board_id}", "jira_get_board_issues")
    assert result.structured is not None
    result.structured["board_id"] = args.board_id
    return result


# ---------------------------------------------------------------------- sprints


class BoardSprints(Arguments):
    board_id: BoardId
    state: Annotated[
        str | None,
        Field(
            pattern=r"^\s*(?i:future|active|closed)(\s*,\s*(?i:future|active|closed))*\s*$",
            max_length=40,
            description="Only sprints in these states: active, future, closed (comma-separated)",
        ),
    ] = None
    start_at: StartAt = 0
    limit: Limit = 10
    page_token: PageToken = None


@tool("jira_get_sprints_from_board", title="Jira: sprints of a board", toolset=TOOLSET)
async def get_sprints_from_board(jira: JiraClient, args: BoardSprints) -> ToolResult:
    """List a scrum board's sprints (closed, then active, then future), optionally only some states: id, name,
    state, dates and goal. Kanban boards have no sprints."""
    start = _start(args.page_token, args.start_at)
    state = ",".join(s.strip().lower() for s in args.state.split(",")) if args.state else None
    data = await jira.board_sprints(args.board_id, start, args.limit, state)
    rows = [sprint_row(s) for s in data.get("values") or []]
    token = next_offset(start, len(rows), data.get("isLast") is False)
    which = f" ({state})" if state else ""
    if rows:
        lines = [f"{len(rows)} sprints{which} on board {args.board_id}:", *(sprint_line(r) for r in rows)]
    else:
        lines = [f"No sprints{which} on board {args.board_id}."]
    lines += _more(token, "jira_get_sprints_from_board")
    return ToolResult("\n".join(lines) + "\n", {"board_id": args.board_id, "sprints": rows, "next_page_token": token})


class SprintIssues(Arguments):
    sprint_id: SprintId
    jql: Annotated[str | None, Field(max_length=4000, description="JQL that narrows the sprint's issues")] = None
    fields: Fields = None
    start_at: StartAt = 0
    limit: Limit = 10
    page_token: PageToken = None
    expand: Expand = None


@tool("jira_get_sprint_issues", title="Jira: issues in a sprint", toolset=TOOLSET)
async def get_sprint_issues(jira: JiraClient, args: SprintIssues) -> ToolResult:
    """List the issues in a sprint (optionally narrowed by JQL): key, status, summary, assignee; one page at a
    time (pass next_page_token back as page_token)."""
    start = _start(args.page_token, args.start_at)
    requested = _requested(args.fields)
    data = await jira.sprint_issues(args.sprint_id, args.jql, start, args.limit, requested, args.expand)
    result = await _issue_page(jira, data, start, requested, f"in sprint {args.sprint_id}", "jira_get_sprint_issues")
    assert result.structured is not None
    result.structured["sprint_id"] = args.sprint_id
    return result


def _ordered(start: str | None, end: str | None) -> None:
    if start and end and datetime.fromisoformat(end) <= datetime.fromisoformat(start):
        raise ValueError("end_date must be after start_date")


SprintName = Annotated[str, Field(min_length=1, max_length=255, description="Sprint name, e.g. Sprint 7")]
Goal = Annotated[str, Field(max_length=4000, description="The sprint's goal (plain text)")]


class CreateSprint(Arguments):
    board_id: BoardId
    name: SprintName
    start_date: IsoDate
    end_date: IsoDate
    goal: Goal | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> CreateSprint:
        _ordered(self.start_date, self.end_date)
        return self


@tool("jira_create_sprint", title="Jira: create a sprint", toolset=TOOLSET, effect="create")
async def create_sprint(jira: JiraClient, args: CreateSprint) -> ToolResult:
    """Create a future sprint on a scrum board with its planned start and end (ISO 8601) and an optional goal;
    start it later with jira_update_sprint state=active."""
    body: dict[str, Any] = {
        "name": args.name,
        "originBoardId": int(args.board_id),
        "startDate": args.start_date,
        "endDate": args.end_date,
    }
    if args.goal:
        body["goal"] = args.goal
    row = sprint_row(await jira.create_sprint(body))
    text = f"Created sprint {row['name']} (id {row['id']}, {row['state']}) on board {args.board_id}.\n"
    return ToolResult(text + sprint_line(row) + "\n", {"sprint": row})


class UpdateSprint(Arguments):
    sprint_id: SprintId
    name: SprintName | None = None
    state: Annotated[
        SprintState | None, Field(description="active starts a future sprint, closed completes an active one")
    ] = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    goal: Goal | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateSprint:
        if all(v is None for v in (self.name, self.state, self.start_date, self.end_date, self.goal)):
            raise ValueError("give at least one of name, state, start_date, end_date, goal")
        _ordered(self.start_date, self.end_date)
        return self


@tool("jira_update_sprint", title="Jira: update a sprint", toolset=TOOLSET, effect="update")
async def update_sprint(jira: JiraClient, args: UpdateSprint) -> ToolResult:
    """Change a sprint's name, dates (ISO 8601) or goal, or its state: active starts a future sprint (it needs
    both dates), closed completes an active one (its unfinished issues go back to the backlog)."""
    values = {
        "name": args.name,
        "state": args.state,
        "startDate": args.start_date,
        "endDate": args.end_date,
        "goal": args.goal,
    }
    body = {k: v for k, v in values.items() if v is not None}
    row = sprint_row(await jira.update_sprint(args.sprint_id, body))
    changed = ", ".join({"startDate": "start_date", "endDate": "end_date"}.get(k, k) for k in body)
    text = f"Updated sprint {row['name']} (id {row['id']}): {changed}.\n" + sprint_line(row) + "\n"
    ignored = _ignored(args, row)
    if ignored:
        text += f"Jira left {', '.join(ignored)} as they were: a closed sprint changes only its name and goal.\n"
    return ToolResult(text, {"sprint": row, "updated": sorted(body), "ignored": ignored})


def _same_moment(asked: str, answered: Any) -> bool:
    try:
        return isinstance(answered, str) and datetime.fromisoformat(answered.replace("Z", "+00:00")) == (
            datetime.fromisoformat(asked)
        )
    except ValueError:
        return True  # an answer we cannot read is not taken as a refusal


def _ignored(args: UpdateSprint, row: dict[str, Any]) -> list[str]:
    """What Jira Cloud silently kept on a closed sprint (Server/DC refuses such an update outright)."""
    if row["state"] != "closed":
        return []
    ignored = ["state"] if args.state is not None and args.state != "closed" else []
    for name, asked in (("start_date", args.start_date), ("end_date", args.end_date)):
        if asked is not None and not _same_moment(asked, row[name]):
            ignored.append(name)
    return ignored


def _keys(value: Any) -> Any:
    """Issue keys, as the peer's comma-separated string or as a list, to "KEY-1,KEY-2" (each checked, once)."""
    if isinstance(value, str | list) and len(value) > _KEYS_CHARS:
        raise ValueError(f"Jira moves at most {MAX_MOVED} issues at once")
    if isinstance(value, str):
        value = [k for k in re.split(r"[\s,]+", value) if k]
    if not isinstance(value, list):
        return value
    keys = list(dict.fromkeys(k.strip().upper() if isinstance(k, str) else k for k in value))
    bad = [k for k in keys if not isinstance(k, str) or not _KEY.match(k)]
    if bad:
        raise ValueError(f"{bad[0]!r} is not an issue key such as PROJ-123")
    if not keys:
        raise ValueError("name at least one issue key")
    if len(keys) > MAX_MOVED:
        raise ValueError(f"Jira moves at most {MAX_MOVED} issues at once; {len(keys)} were given")
    return ",".join(keys)


IssueKeys = Annotated[
    str,
    BeforeValidator(_keys),
    Field(
        max_length=_KEYS_CHARS,
        description=f"Issue keys, comma-separated (e.g. PROJ-1,PROJ-2); at most {MAX_MOVED}",
    ),
]


class AddToSprint(Arguments):
    sprint_id: SprintId
    issue_keys: IssueKeys


@tool("jira_add_issues_to_sprint", title="Jira: move issues into a sprint", toolset=TOOLSET, effect="update")
async def add_issues_to_sprint(jira: JiraClient, args: AddToSprint) -> ToolResult:
    """Move issues into an open (active or future) sprint, out of whatever sprint or backlog they were in."""
    keys = args.issue_keys.split(",")
    await jira.move_to_sprint(args.sprint_id, keys)
    text = f"Moved {len(keys)} issue(s) to sprint {args.sprint_id}: {', '.join(keys)}.\n"
    return ToolResult(text, {"sprint_id": args.sprint_id, "issue_keys": keys})


class ToBacklog(Arguments):
    issue_keys: IssueKeys


@tool("jira_move_issues_to_backlog", title="Jira: move issues to the backlog", toolset=TOOLSET, effect="update")
async def move_issues_to_backlog(jira: JiraClient, args: ToBacklog) -> ToolResult:
    """Move issues to the backlog, out of any open sprint they are in."""
    keys = args.issue_keys.split(",")
    await jira.move_to_backlog(keys)
    text = f"Moved {len(keys)} issue(s) to the backlog: {', '.join(keys)}.\n"
    return ToolResult(text, {"issue_keys": keys})
