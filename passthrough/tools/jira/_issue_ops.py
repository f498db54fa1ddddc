"""Jira tools for issue operations beyond read and write: delete, move, batches, changelogs, comment edits, links."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import Field

from passthrough.errors import InvalidArguments, ToolError, UpstreamError
from passthrough.providers.jira import JiraClient
from passthrough.tools._markdown import read_jira, write_jira
from passthrough.tools._spec import Arguments, ToolResult, progress, tool
from passthrough.tools.jira._common import IssueKey, ProjectKey
from passthrough.tools.jira._render import person
from passthrough.tools.jira._write import Visibility, comment_visibility, json_argument, prepare_fields

BATCH_LIMIT = 50  # Jira's own bound on POST /issue/bulk
CHANGELOG_ISSUES = 100
CHANGELOG_PAGES = 20  # Cloud bulk pages of up to 1000 histories each
MOVE_POLLS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0)  # seconds before each look at the move task (about 15 s)


# ---------------------------------------------------------------------------------------------- delete, move


class DeleteIssue(Arguments):
    issue_key: IssueKey
    delete_subtasks: Annotated[bool, Field(description="Also delete its sub-tasks (needed when it has any)")] = False


@tool("jira_delete_issue", title="Jira: delete issue", toolset="jira_issues", effect="delete")
async def delete_issue(jira: JiraClient, args: DeleteIssue) -> ToolResult:
    """Delete a Jira issue for good (no undo); an issue with sub-tasks needs delete_subtasks=true."""
    await jira.delete_issue(args.issue_key, args.delete_subtasks)
    text = f"Deleted {args.issue_key}" + (" and its sub-tasks." if args.delete_subtasks else ".")
    return ToolResult(text + "\n", {"key": args.issue_key, "deleted": True, "subtasks_deleted": args.delete_subtasks})


class MoveIssue(Arguments):
    issue_key: IssueKey
    target_project_key: ProjectKey


SERVER_MOVE = (
    "Jira Server/Data Center has no REST API to move an issue to another project: use the issue's Move action "
    "in Jira, or create it anew there (jira_create_issue) and delete this one."
)


@tool("jira_move_issue", title="Jira: move issue to another project", toolset="jira_issues", effect="update")
async def move_issue(jira: JiraClient, args: MoveIssue) -> ToolResult:
    """Move an issue to another project, keeping its issue type; it gets a key in that project (Jira Cloud;
    Server/Data Center cannot move issues through its API)."""
    if not jira.cloud:
        raise InvalidArguments(SERVER_MOVE)
    source = await jira.issue_fields(args.issue_key, "issuetype,project,summary")
    fields = source.get("fields") or {}
    kind = fields.get("issuetype") or {}
    if str((fields.get("project") or {}).get("key", "")).upper() == args.target_project_key.upper():
        raise InvalidArguments(f"{args.issue_key} is already in project {args.target_project_key}.")
    types = await jira.issue_types(args.target_project_key)
    same = [t for t in types if str(t.get("id")) == str(kind.get("id"))] or [
        t for t in types if str(t.get("name", "")).casefold() == str(kind.get("name", "")).casefold()
    ]
    if not same:
        offered = ", ".join(str(t.get("name")) for t in types) or "none"
        raise InvalidArguments(
            f"Project {args.target_project_key} has no issue type {kind.get('name')!r} (it has: {offered})."
        )
    task = await jira.bulk_move(args.issue_key, args.target_project_key, str(same[0].get("id")))
    task_id = str(task.get("taskId") or "")
    if not task_id:
        raise UpstreamError("jira", 200, "Jira accepted the move but named no task to follow.")
    status: dict[str, Any] = {}
    for pause in MOVE_POLLS:
        await asyncio.sleep(pause)
        status = await jira.bulk_task(task_id)
        if status.get("status") in ("COMPLETE", "FAILED", "CANCELLED", "DEAD"):
            break
    state = str(status.get("status") or "unknown")
    if state != "COMPLETE":
        if state in ("FAILED", "CANCELLED", "DEAD"):
            raise UpstreamError("jira", 200, f"Jira's move of {args.issue_key} ended {state} (task {task_id}).")
        return ToolResult(
            f"Jira is still moving {args.issue_key} to {args.target_project_key} (task {task_id}, {state}); "
            "look it up again in a minute.\n",
            {"key": args.issue_key, "task_id": task_id, "status": state, "moved": False},
        )
    failed = status.get("invalidOrInaccessibleIssueCount") or 0
    if failed:
        raise UpstreamError("jira", 200, f"Jira could not move {args.issue_key}: it is invalid or not accessible.")
    processed = status.get("processedAccessibleIssues")
    lookup = str(processed[0]) if isinstance(processed, list) and processed else args.issue_key
    moved = await jira.issue_fields(lookup, "project,summary,issuetype")
    new_key = str(moved.get("key") or args.issue_key)
    url = jira.browse_url(new_key)
    return ToolResult(
        f"Moved {args.issue_key} to {args.target_project_key}: it is now {new_key}.\nURL: {url}\n",
        {"key": new_key, "previous_key": args.issue_key, "project": args.target_project_key, "moved": True, "url": url},
    )


# ---------------------------------------------------------------------------------------------- batch create


class BatchCreate(Arguments):
    issues: Annotated[
        str | list[dict[str, Any]],
        Field(
            description=(
                f"Up to {BATCH_LIMIT} issues (a list, or the list as a JSON string), each "
                '{"project_key": "PROJ", "summary": "…", "issue_type": "Task", "description": "Markdown", '
                '"assignee": "…", "components": ["…"], "labels": ["…"], "priority": "High", "parent": "PROJ-1"}; '
                "other keys are Jira fields"
            )
        ),
    ]
    validate_only: Annotated[
        bool, Field(description="Only check the issues (project, issue type, fields) and create nothing")
    ] = False


async def _prepare_item(jira: JiraClient, item: Any) -> dict[str, Any]:
    """One batch item as the fields Jira wants, or InvalidArguments saying what is wrong with it."""
    if not isinstance(item, dict):
        raise InvalidArguments("each issue must be an object")
    rest = dict(item)
    project = rest.pop("project_key", None) or rest.pop("project", None)
    if isinstance(project, dict):
        project = project.get("key")
    summary = rest.pop("summary", None)
    kind = rest.pop("issue_type", None) or rest.pop("issuetype", None) or "Task"
    missing = [name for name, value in (("project_key", project), ("summary", summary)) if not value]
    if missing:
        raise InvalidArguments(f"missing {', '.join(missing)}")
    if not isinstance(project, str) or not isinstance(summary, str) or not isinstance(kind, str | dict):
        raise InvalidArguments("project_key, summary and issue_type must be text")
    if "parent_key" in rest:
        rest["parent"] = rest.pop("parent_key")
    fields = await prepare_fields(jira, {"issuetype": kind, **rest})
    return {"project": {"key": project.strip().upper()}, "summary": summary, **fields}


async def _check_type(jira: JiraClient, fields: dict[str, Any], known: dict[str, list[dict[str, Any]]]) -> None:
    """validate_only: the project exists and offers the issue type (createmeta), or InvalidArguments."""
    project = fields["project"]["key"]
    if project not in known:
        known[project] = await jira.issue_types(project)
    wanted = fields.get("issuetype") or {}
    ref = str(wanted.get("id") or wanted.get("name") or "")
    folded = ref.casefold()
    if not any(folded in (str(t.get("id", "")).casefold(), str(t.get("name", "")).casefold()) for t in known[project]):
        offered = ", ".join(str(t.get("name")) for t in known[project]) or "none"
        raise InvalidArguments(f"project {project} has no issue type {ref!r} (it has: {offered})")


def _element_errors(entry: dict[str, Any]) -> str:
    element = entry.get("elementErrors") or {}
    parts = [str(m) for m in element.get("errorMessages") or []]
    parts += [f"{name}: {msg}" for name, msg in (element.get("errors") or {}).items()]
    return "; ".join(parts) or f"HTTP {entry.get('status', '?')}"


@tool("jira_batch_create_issues", title="Jira: create issues in a batch", toolset="jira_issues", effect="create")
async def batch_create_issues(jira: JiraClient, args: BatchCreate) -> ToolResult:
    """Create up to 50 issues in one call (descriptions in Markdown), with a result for each; validate_only
    checks them without creating anything."""
    items = json_argument(args.issues, "issues")
    if not isinstance(items, list) or not items:
        raise InvalidArguments("issues must be a non-empty list of issue objects")
    if len(items) > BATCH_LIMIT:
        raise InvalidArguments(f"at most {BATCH_LIMIT} issues a call ({len(items)} given): split the batch")
    results: list[dict[str, Any]] = []
    ready: list[tuple[int, dict[str, Any]]] = []
    known: dict[str, list[dict[str, Any]]] = {}
    for index, item in enumerate(items):
        progress(index, len(items) + 1, f"checking issue {index + 1} of {len(items)}")
        summary = item.get("summary") if isinstance(item, dict) else None
        row: dict[str, Any] = {"index": index, "summary": summary if isinstance(summary, str) else None}
        try:
            fields = await _prepare_item(jira, item)
            if args.validate_only:
                await _check_type(jira, fields, known)
        except ToolError as exc:
            row.update(status="invalid", error=exc.message)
        else:
            row["status"] = "valid"
            ready.append((index, fields))
        results.append(row)
    if ready and not args.validate_only:
        progress(len(items), len(items) + 1, f"creating {len(ready)} issues")
        answer = await _bulk(jira, [fields for _, fields in ready])
        created = list(answer.get("issues") or [])
        failures = {e.get("failedElementNumber"): e for e in answer.get("errors") or [] if isinstance(e, dict)}
        done = iter(created)
        for position, (index, _) in enumerate(ready):
            row = results[index]
            if position in failures:
                row.update(status="failed", error=_element_errors(failures[position]))
                continue
            made: dict[str, Any] = next(done, {})
            key = str(made.get("key", ""))
            row.update(status="created", key=key, id=str(made.get("id", "")), url=jira.browse_url(key))
    return _batch_answer(results, args.validate_only)


async def _bulk(jira: JiraClient, updates: list[dict[str, Any]]) -> dict[str, Any]:
    return await jira.create_issues([{"fields": fields} for fields in updates])


def _batch_answer(results: list[dict[str, Any]], validate_only: bool) -> ToolResult:
    counts: dict[str, int] = {}
    for row in results:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    head = f"Checked {len(results)} issues (nothing created): {summary}." if validate_only else f"{summary}."
    lines = [head[0].upper() + head[1:]]
    for row in results:
        what = row.get("summary") or "(no summary)"
        if row["status"] == "created":
            lines.append(f"- #{row['index'] + 1} {row['key']} — {what}")
        elif row["status"] == "valid":
            lines.append(f"- #{row['index'] + 1} ok — {what}")
        else:
            lines.append(f"- #{row['index'] + 1} {row['status']} — {what}: {row['error']}")
    structured = {"validate_only": validate_only, "counts": counts, "results": results}
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------------------------------- changelogs


def _list_argument(value: str | list[str] | None) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(i.strip() for i in items if i.strip()))


IssueRefs = Annotated[
    str | list[Annotated[str, Field(max_length=64)]],
    Field(description=f"Issue keys or ids, comma-separated or a list (at most {CHANGELOG_ISSUES})"),
]


class BatchChangelogs(Arguments):
    issue_ids_or_keys: IssueRefs
    fields: Annotated[
        str | list[Annotated[str, Field(max_length=255)]] | None,
        Field(description="Only changes of these fields, e.g. status,assignee (field ids)"),
    ] = None
    limit: Annotated[int, Field(ge=-1, le=10_000, description="Changes shown per issue, newest kept; -1 all")] = -1


def _change(history: dict[str, Any], wanted: set[str]) -> dict[str, Any] | None:
    items = [
        {
            "field": i.get("field"),
            "field_id": i.get("fieldId") or i.get("field"),
            "from": i.get("fromString") if i.get("fromString") is not None else i.get("from"),
            "to": i.get("toString") if i.get("toString") is not None else i.get("to"),
        }
        for i in history.get("items") or []
        if not wanted
        or str(i.get("fieldId") or i.get("field") or "").casefold() in wanted
        or str(i.get("field") or "").casefold() in wanted
    ]
    if not items:
        return None
    return {
        "id": str(history.get("id", "")),
        "author": person(history.get("author")),
        "created": history.get("created"),
        "items": items,
    }


async def _cloud_changelogs(jira: JiraClient, refs: list[str], fields: list[str]) -> dict[str, list[dict[str, Any]]]:
    by_issue: dict[str, list[dict[str, Any]]] = {}
    token: str | None = None
    for number in range(CHANGELOG_PAGES):
        progress(number, None, f"reading page {number + 1} of the change histories")
        page = await jira.changelogs_bulk(refs, fields or None, token, 1000)
        for log in page.get("issueChangeLogs") or []:
            by_issue.setdefault(str(log.get("issueId", "")), []).extend(log.get("changeHistories") or [])
        token = page.get("nextPageToken")
        if not token:
            break
    return by_issue


async def _server_changelogs(jira: JiraClient, refs: list[str]) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    gate = asyncio.Semaphore(4)
    done = [0]

    async def one(ref: str) -> tuple[str, str, list[dict[str, Any]]]:
        async with gate:
            issue = await jira.issue_changelog(ref)
        done[0] += 1
        progress(done[0], len(refs), f"{done[0]} of {len(refs)} issues read")
        return (
            str(issue.get("id", "")),
            str(issue.get("key", ref)),
            list((issue.get("changelog") or {}).get("histories") or []),
        )

    found = await asyncio.gather(*(one(ref) for ref in refs))
    return {issue_id: (key, histories) for issue_id, key, histories in found}


@tool("jira_batch_get_changelogs", title="Jira: change history of issues", toolset="jira_issues")
async def batch_get_changelogs(jira: JiraClient, args: BatchChangelogs) -> ToolResult:
    """Read the change history (who changed which field from what to what, when) of several issues at once,
    optionally only for some fields."""
    refs = _list_argument(args.issue_ids_or_keys)
    if not refs:
        raise InvalidArguments("issue_ids_or_keys names no issue")
    if len(refs) > CHANGELOG_ISSUES:
        raise InvalidArguments(f"at most {CHANGELOG_ISSUES} issues a call ({len(refs)} given)")
    fields = _list_argument(args.fields)
    wanted = {f.casefold() for f in fields}
    rows: list[dict[str, Any]] = []
    sources: list[tuple[str, str | None, list[dict[str, Any]]]]
    if jira.cloud:
        by_id = await _cloud_changelogs(jira, refs, fields)
        sources = [(issue_id, None, histories) for issue_id, histories in by_id.items()]
    else:
        sources = [(i, key, histories) for i, (key, histories) in (await _server_changelogs(jira, refs)).items()]
    for issue_id, key, histories in sources:
        changes = [c for c in (_change(h, wanted) for h in histories) if c]
        changes.sort(key=lambda c: str(c["created"] or ""))
        total = len(changes)
        if args.limit >= 0:
            changes = changes[-args.limit :] if args.limit else []
        rows.append({"issue_id": issue_id, "key": key, "total": total, "changelogs": changes})
    lines: list[str] = []
    for row in rows:
        name = f"{row['key']} (id {row['issue_id']})" if row["key"] else f"Issue id {row['issue_id']}"
        shown = len(row["changelogs"])
        lines.append(f"## {name}: {row['total']} changes" + (f", last {shown} shown" if shown < row["total"] else ""))
        for change in row["changelogs"]:
            what = "; ".join(f"{i['field']}: {i['from'] or '∅'} → {i['to'] or '∅'}" for i in change["items"])
            lines.append(f"- {change['created']} {change['author'] or 'Someone'}: {what}")
    if not rows:
        lines.append("No changes found for these issues.")
    return ToolResult("\n".join(lines) + "\n", {"issues": rows, "fields": fields or None})


# ---------------------------------------------------------------------------------------------- comments


class EditComment(Arguments):
    issue_key: IssueKey
    comment_id: Annotated[str, Field(pattern=r"^[0-9]{1,18}$", description="The comment's id")]
    body: Annotated[str, Field(min_length=1, max_length=100_000, description="The new text, Markdown")]
    visibility: Visibility = None


@tool("jira_edit_comment", title="Jira: edit comment", toolset="jira_comments", effect="update")
async def edit_comment(jira: JiraClient, args: EditComment) -> ToolResult:
    """Replace the text (Markdown) of a comment on an issue; may restrict it to a group or role."""
    shown_to = comment_visibility(args.visibility)
    comment = await jira.edit_comment(args.issue_key, args.comment_id, await write_jira(jira, args.body), shown_to)
    body = await read_jira(comment.get("body"))
    return ToolResult(
        f"Edited comment {args.comment_id} on {args.issue_key}:\n\n{body}\n",
        {
            "key": args.issue_key,
            "comment_id": str(comment.get("id", args.comment_id)),
            "body": body,
            "updated": comment.get("updated"),
            "visibility": comment.get("visibility") or shown_to,
        },
    )


# ---------------------------------------------------------------------------------------------- links


class RemoteLink(Arguments):
    issue_key: IssueKey
    url: Annotated[
        str, Field(min_length=3, max_length=2000, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", description="Link target")
    ]
    title: Annotated[str, Field(min_length=1, max_length=255, description="Text shown for the link")]
    summary: Annotated[str | None, Field(max_length=1000, description="A line about the link")] = None
    relationship: Annotated[
        str | None, Field(max_length=255, description="How it relates, e.g. documentation, causes")
    ] = None
    icon_url: Annotated[str | None, Field(max_length=2000, pattern=r"^https?://\S+$", description="16x16 icon")] = None


@tool("jira_create_remote_issue_link", title="Jira: add web link to issue", toolset="jira_links", effect="create")
async def create_remote_issue_link(jira: JiraClient, args: RemoteLink) -> ToolResult:
    """Add a web link (any URL, e.g. a Confluence page or a pull request) to an issue's links."""
    target: dict[str, Any] = {"url": args.url, "title": args.title}
    if args.summary:
        target["summary"] = args.summary
    if args.icon_url:
        target["icon"] = {"url16x16": args.icon_url, "title": args.title}
    payload: dict[str, Any] = {"object": target}
    if args.relationship:
        payload["relationship"] = args.relationship
    made = await jira.add_remote_link(args.issue_key, payload)
    link_id = str(made.get("id", ""))
    return ToolResult(
        f"Added link {link_id} to {args.issue_key}: [{args.title}]({args.url}).\n",
        {"key": args.issue_key, "link_id": link_id, "url": args.url, "title": args.title},
    )


class RemoveLink(Arguments):
    link_id: Annotated[str, Field(pattern=r"^[0-9]{1,18}$", description="The issue link's id (from the issue)")]


@tool("jira_remove_issue_link", title="Jira: remove issue link", toolset="jira_links", effect="delete")
async def remove_issue_link(jira: JiraClient, args: RemoveLink) -> ToolResult:
    """Remove a link between two issues by its id (the id of an entry of the issue's links)."""
    link = await jira.issue_link(args.link_id)  # what it joined, to say so (and a 404 before anything is removed)
    inward = str((link.get("inwardIssue") or {}).get("key") or "?")
    outward = str((link.get("outwardIssue") or {}).get("key") or "?")
    kind = link.get("type") or {}
    await jira.delete_link(args.link_id)
    relation = str(kind.get("outward") or kind.get("name") or "is linked to")
    return ToolResult(
        f"Removed issue link {args.link_id}: {inward} {relation} {outward} no longer.\n",
        {
            "link_id": args.link_id,
            "removed": True,
            "link_type": kind.get("name"),
            "inward_issue": inward,
            "outward_issue": outward,
        },
    )


class LinkToEpic(Arguments):
    issue_key: IssueKey
    epic_key: IssueKey


@tool("jira_link_to_epic", title="Jira: put issue in epic", toolset="jira_links", effect="update")
async def link_to_epic(jira: JiraClient, args: LinkToEpic) -> ToolResult:
    """Put an issue into an epic (its parent on Cloud, company-managed and team-managed alike; the epic link
    on Server/Data Center)."""
    epic = await jira.issue_fields(args.epic_key, "summary,issuetype")
    fields = epic.get("fields") or {}
    kind = fields.get("issuetype") or {}
    level = kind.get("hierarchyLevel")
    if (level is not None and level != 1) or (level is None and str(kind.get("name", "")).casefold() != "epic"):
        raise InvalidArguments(f"{args.epic_key} is a {kind.get('name') or 'issue'}, not an epic.")
    if jira.cloud:
        await jira.set_parent(args.issue_key, args.epic_key)
        how = "parent"
    else:
        await jira.move_to_epic(args.epic_key, [args.issue_key])
        how = "epic link"
    title = fields.get("summary") or ""
    return ToolResult(
        f"{args.issue_key} is now in epic {args.epic_key} ({title}).\n",
        {"key": args.issue_key, "epic_key": args.epic_key, "epic_summary": title, "set_as": how},
    )
