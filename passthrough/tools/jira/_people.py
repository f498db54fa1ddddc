"""Jira tools for users, watchers, worklogs and assigning.

Wherever a tool takes a person, it takes what a person would type: a display name, an email, an account
id (Cloud) or a username (Server/Data Center); `JiraClient.resolve_user` finds the one user it names.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from passthrough.errors import InvalidArguments
from passthrough.providers._client import next_offset, offset_token
from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import read_jira, write_jira
from passthrough.tools._render import present
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.jira._common import IssueKey, ProjectKey

UserIdentifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        description="Display name, email, account id (Cloud) or username (Server/Data Center); 'me' for yourself",
    ),
]

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhm])", re.IGNORECASE)
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?\s*[wdhm]\s*)+$", re.IGNORECASE)


def duration(value: str) -> str:
    """A Jira duration (`1w 2d 3h 30m`, units w/d/h/m) in Jira's spacing; anything else refused, saying why."""
    if not _DURATION.match(value.strip()):
        raise ValueError(f"'{value}' is not a Jira duration: use weeks, days, hours, minutes such as '1h 30m' or '2d'")
    return " ".join(f"{n}{u.lower()}" for n, u in _DURATION_PART.findall(value))


Duration = Annotated[
    str,
    Field(max_length=64, description="Jira duration such as '1h 30m', '2d' or '1w' (w, d, h, m)"),
    AfterValidator(duration),
]


def started_time(value: str) -> str:
    """An ISO 8601 time as Jira's worklog `started` wants it (`2026-01-15T09:00:00.000+0000`); no zone is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{value}' is not an ISO 8601 date and time such as 2026-01-15T09:00:00+01:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


Started = Annotated[
    str,
    Field(max_length=64, description="When the work began, ISO 8601 (e.g. 2026-01-15T09:00:00+01:00; no zone: UTC)"),
    AfterValidator(started_time),
]


def user_row(user: dict[str, Any]) -> dict[str, Any]:
    """A user as the tools show one: name, email, the id Jira takes (account id or username), activity."""
    return present(
        {
            "display_name": user.get("displayName"),
            "email": user.get("emailAddress"),
            "account_id": user.get("accountId"),
            "username": user.get("name"),
            "key": user.get("key"),
            "active": user.get("active"),
            "time_zone": user.get("timeZone"),
        }
    )


def user_line(row: dict[str, Any]) -> str:
    ident = row.get("account_id") or row.get("username") or row.get("key")
    email = f" <{row['email']}>" if row.get("email") else ""
    inactive = " — inactive" if row.get("active") is False else ""
    return f"- {row.get('display_name') or ident}{email} ({ident}){inactive}"


# ---------------------------------------------------------------------- users


class UserProfile(Arguments):
    user_identifier: UserIdentifier


@tool("jira_get_user_profile", title="Jira: user profile", toolset="jira_users")
async def get_user_profile(jira: JiraClient, args: UserProfile) -> ToolResult:
    """Look up one Jira user by display name, email, account id (Cloud) or username (Server/Data Center):
    name, email, the id Jira takes for them, whether active, time zone."""
    row = user_row(await jira.resolve_user(args.user_identifier))
    lines = [f"**{row.get('display_name') or args.user_identifier}**"]
    labels = (("email", "Email"), ("account_id", "Account id"), ("username", "Username"), ("time_zone", "Time zone"))
    lines += [f"- {label}: {row[name]}" for name, label in labels if row.get(name)]
    if "active" in row:
        lines.append(f"- Active: {'yes' if row['active'] else 'no'}")
    return ToolResult("\n".join(lines) + "\n", {"user": row})


class AssignableUsers(Arguments):
    query: Annotated[str, Field(min_length=1, max_length=255, description="Part of a display name, username or email")]
    project_key: ProjectKey | None = None
    issue_key: IssueKey | None = None
    limit: Annotated[int, Field(ge=1, le=1000, description="Most users to return")] = 20


@tool("jira_search_assignable_users", title="Jira: search assignable users", toolset="jira_users")
async def search_assignable_users(jira: JiraClient, args: AssignableUsers) -> ToolResult:
    """Find users who can be assigned issues in a project (project_key) or one issue (issue_key), by part of
    their display name, username or email; shows the id to pass to jira_assign_issue."""
    if not args.project_key and not args.issue_key:
        raise InvalidArguments("Give project_key or issue_key: Jira searches assignable users within one of them.")
    users = await jira.assignable_users(args.query, args.project_key, args.issue_key, args.limit)
    rows = [user_row(u) for u in users]
    scope = args.issue_key or args.project_key
    if not rows:
        text = f"No user matching '{args.query}' can be assigned in {scope}.\n"
    else:
        text = (
            "\n".join(
                [f"{len(rows)} assignable users in {scope} matching '{args.query}':"] + [user_line(r) for r in rows]
            )
            + "\n"
        )
    return ToolResult(text, {"query": args.query, "scope": scope, "users": rows})


# ---------------------------------------------------------------------- watchers


class IssueOnly(Arguments):
    issue_key: IssueKey


@tool("jira_get_issue_watchers", title="Jira: issue watchers", toolset="jira_watchers")
async def get_issue_watchers(jira: JiraClient, args: IssueOnly) -> ToolResult:
    """List who watches a Jira issue, and whether the requesting user does."""
    data = await jira.watchers(args.issue_key)
    rows = [user_row(w) for w in data.get("watchers") or [] if isinstance(w, dict)]
    count = data.get("watchCount") if isinstance(data.get("watchCount"), int) else len(rows)
    watching = bool(data.get("isWatching"))
    lines = [
        f"{count} watching {args.issue_key}" + (" (including you)" if watching else "") + ":"
        if count
        else f"Nobody watches {args.issue_key}."
    ]
    lines += [user_line(r) for r in rows]
    structured = {"issue_key": args.issue_key, "watch_count": count, "is_watching": watching, "watchers": rows}
    return ToolResult("\n".join(lines) + "\n", structured)


class AddWatcher(Arguments):
    issue_key: IssueKey
    user_identifier: UserIdentifier


@tool("jira_add_watcher", title="Jira: add watcher", toolset="jira_watchers", effect="set")
async def add_watcher(jira: JiraClient, args: AddWatcher) -> ToolResult:
    """Make a user watch a Jira issue (display name, email, account id or username)."""
    user = await jira.resolve_user(args.user_identifier)
    await jira.add_watcher(args.issue_key, jira.user_id(user))
    row = user_row(user)
    return ToolResult(
        f"{row.get('display_name') or jira.user_id(user)} now watches {args.issue_key}.\n",
        {"issue_key": args.issue_key, "watcher": row},
    )


class RemoveWatcher(Arguments):
    issue_key: IssueKey
    user_identifier: Annotated[
        str | None,
        Field(max_length=255, description="Display name, email, account id or username of the watcher"),
    ] = None
    username: Annotated[str | None, Field(max_length=255, description="Username (Server/Data Center)")] = None
    account_id: Annotated[str | None, Field(max_length=128, description="Account id (Cloud)")] = None


@tool("jira_remove_watcher", title="Jira: remove watcher", toolset="jira_watchers", effect="delete")
async def remove_watcher(jira: JiraClient, args: RemoveWatcher) -> ToolResult:
    """Stop a user watching a Jira issue; name them by user_identifier, username (Server/Data Center) or
    account_id (Cloud)."""
    given = [v for v in (args.user_identifier, args.username, args.account_id) if v]
    if len(given) != 1:
        raise InvalidArguments("Name the watcher to remove once: user_identifier, username or account_id.")
    if args.account_id and not jira.cloud:
        raise InvalidArguments("Jira Server/Data Center has no account ids; name the watcher by username.")
    direct = args.account_id if jira.cloud else args.username
    if direct:
        ident, name = direct, direct
    else:
        user = await jira.resolve_user(given[0])
        ident, name = jira.user_id(user), str(user.get("displayName") or jira.user_id(user))
    await jira.remove_watcher(args.issue_key, ident)
    return ToolResult(
        f"{name} no longer watches {args.issue_key}.\n",
        {"issue_key": args.issue_key, "removed": ident},
    )


# ---------------------------------------------------------------------- worklogs


class GetWorklog(Arguments):
    issue_key: IssueKey
    max_results: Annotated[int, Field(ge=1, le=1000, description="Worklogs per page, oldest first")] = 100
    page_token: Annotated[str | None, Field(max_length=9, description="next_page_token of the last page")] = None


async def worklog_row(worklog: dict[str, Any]) -> dict[str, Any]:
    comment = worklog.get("comment")
    return {
        "id": str(worklog.get("id", "")),
        "author": (worklog.get("author") or {}).get("displayName"),
        "started": worklog.get("started"),
        "time_spent": worklog.get("timeSpent"),
        "time_spent_seconds": worklog.get("timeSpentSeconds"),
        "comment": await read_jira(comment) if comment else "",
        "created": worklog.get("created"),
        "updated": worklog.get("updated"),
    }


@tool("jira_get_worklog", title="Jira: worklogs", toolset="jira_worklog")
async def get_worklog(jira: JiraClient, args: GetWorklog) -> ToolResult:
    """Read the work logged on a Jira issue: who, when, how long, and each entry's comment as Markdown."""
    start = offset_token(args.page_token, "page_token")
    data = await jira.worklogs(args.issue_key, start, args.max_results)
    items = [w for w in data.get("worklogs") or [] if isinstance(w, dict)]
    rows = [await worklog_row(w) for w in items]
    reported = data.get("total")
    total = reported if isinstance(reported, int) else len(rows)
    token = next_offset(start, len(rows), start + len(rows) < total)
    seconds = sum(r["time_spent_seconds"] or 0 for r in rows)
    if not rows:
        lines = [f"No work logged on {args.issue_key}."]
    else:
        lines = [f"{len(rows)} of {total} worklogs on {args.issue_key} ({_hours(seconds)} on this page):"]
    for r in rows:
        lines.append(f"- {r['started']} — {r['author'] or 'Someone'}: {r['time_spent']} (worklog {r['id']})")
        if r["comment"]:
            lines += ["  " + line for line in r["comment"].splitlines()]
    if token:
        lines += ["", f'More: call jira_get_worklog with page_token="{token}".']
    structured = {"issue_key": args.issue_key, "worklogs": rows, "total": total, "next_page_token": token}
    return ToolResult("\n".join(lines) + "\n", structured)


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:g}h"


class AddWorklog(Arguments):
    issue_key: IssueKey
    time_spent: Duration
    comment: Annotated[str | None, Field(max_length=100_000, description="Markdown")] = None
    started: Started | None = None
    original_estimate: Annotated[Duration | None, Field(description="New original estimate of the issue")] = None
    remaining_estimate: Annotated[
        Duration | None, Field(description="New remaining estimate (else Jira reduces it by time_spent)")
    ] = None


@tool("jira_add_worklog", title="Jira: log work", toolset="jira_worklog", effect="create")
async def add_worklog(jira: JiraClient, args: AddWorklog) -> ToolResult:
    """Log time spent on a Jira issue ('1h 30m', '2d'), with an optional Markdown comment and start time; can
    also set the issue's original and remaining estimates."""
    if args.original_estimate:
        await jira.set_estimate(args.issue_key, args.original_estimate)
    body: dict[str, Any] = {"timeSpent": args.time_spent}
    if args.started:
        body["started"] = args.started
    if args.comment:
        body["comment"] = await write_jira(jira, args.comment)
    created = await jira.add_worklog(args.issue_key, body, args.remaining_estimate)
    row = await worklog_row(created)
    text = f"Logged {row['time_spent'] or args.time_spent} on {args.issue_key} (worklog {row['id']})."
    if args.original_estimate:
        text += f" Original estimate: {args.original_estimate}."
    if args.remaining_estimate:
        text += f" Remaining estimate: {args.remaining_estimate}."
    structured = {
        "issue_key": args.issue_key,
        "worklog": row,
        "original_estimate": args.original_estimate,
        "remaining_estimate": args.remaining_estimate,
    }
    return ToolResult(text + "\n", present(structured))


# ---------------------------------------------------------------------- assigning


class AssignIssue(Arguments):
    issue_key: IssueKey
    assignee: Annotated[
        str | None,
        Field(
            max_length=255,
            description="Display name, email, account id or username ('me' for yourself); empty or omitted: unassign",
        ),
    ] = None


@tool("jira_assign_issue", title="Jira: assign issue", toolset="jira_issues", effect="update")
async def assign_issue(jira: JiraClient, args: AssignIssue) -> ToolResult:
    """Assign a Jira issue to a user (display name, email, account id or username), or unassign it when no
    assignee is given."""
    user = await jira.resolve_user(args.assignee) if args.assignee else None
    await jira.assign(args.issue_key, user)
    if user is None:
        return ToolResult(f"{args.issue_key} is now unassigned.\n", {"issue_key": args.issue_key, "assignee": None})
    row = user_row(user)
    return ToolResult(
        f"Assigned {args.issue_key} to {row.get('display_name') or jira.user_id(user)}.\n",
        {"issue_key": args.issue_key, "assignee": row},
    )
