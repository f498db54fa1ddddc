"""Jira tools for attachments and images, dates and SLAs, development information, project analysis."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import Field

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.jira import JiraClient
from passthrough.tools._attachments import Wanted, decoded_upload, gather, human_size, image_type
from passthrough.tools._spec import Arguments, ToolResult, progress, tool
from passthrough.tools.jira._common import IssueKey, ProjectKey
from passthrough.tools.jira._render import person

# ---------------------------------------------------------------------------------------------- attachments


class Download(Arguments):
    issue_key: IssueKey
    attachment_ids: Annotated[
        list[Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]] | None,
        Field(max_length=50, description="Only these attachments (ids from the list this tool returns)"),
    ] = None

    # an argument name that would name a place on the server's disk, beyond the ones every tool refuses
    server_places: ClassVar[frozenset[str]] = frozenset({"path"})


def _row(attachment: dict[str, Any]) -> dict[str, Any]:
    size = attachment.get("size")
    return {
        "id": str(attachment.get("id") or ""),
        "filename": str(attachment.get("filename") or "unnamed"),
        "mime_type": str(attachment.get("mimeType") or "application/octet-stream"),
        "size": size if isinstance(size, int) else None,
        "author": person(attachment.get("author")),
        "created": attachment.get("created"),
    }


def _is_image(attachment: dict[str, Any]) -> bool:
    return image_type(attachment.get("mimeType"), attachment.get("filename")) is not None


async def _fetch(jira: JiraClient, key: str, wanted: list[dict[str, Any]], images_only: bool) -> ToolResult:
    """Each wanted attachment as MCP content, within the per-attachment and per-answer limits."""

    def one(row: dict[str, Any]) -> Wanted:
        async def fetch(max_bytes: int) -> bytes:
            return (await jira.download(row["id"], row["filename"], max_bytes)).content

        uri = f"{jira.base_url}{jira.attachment_path(row['id'], row['filename'])}"
        return Wanted(row, uri, fetch)

    rows, content = await gather(
        [one(_row(a)) for a in wanted],
        limit=jira.max_attachment_bytes,
        max_reply_bytes=jira.max_reply_bytes,
        narrow="ask for fewer with attachment_ids",
    )
    what = "images" if images_only else "attachments"
    fetched = sum(1 for r in rows if r.get("fetched"))
    if not rows:
        lines = [f"{key} has no {what}."]
    else:
        lines = [f"{key}: {len(rows)} {what}, {fetched} included below."]
        for r in rows:
            state = f"not fetched: {r['skipped']}" if "skipped" in r else "included"
            lines.append(f"- {r['filename']} ({r['mime_type']}, {human_size(r['size'])}, id {r['id']}): {state}")
    structured = {"issue_key": key, "total": len(rows), "downloaded": fetched, what: rows}
    return ToolResult("\n".join(lines) + "\n", structured, content)


@tool("jira_download_attachments", title="Jira: download attachments", toolset="jira_attachments")
async def download_attachments(jira: JiraClient, args: Download) -> ToolResult:
    """Download the attachments of a Jira issue into the answer: images as image content, other files as
    embedded resources (text files as text, others base64). Each is at most this server's attachment limit;
    larger ones are listed with their size and not fetched. Nothing is written to the server's disk."""
    attachments = await jira.attachments(args.issue_key)
    if args.attachment_ids is not None:
        ids = set(args.attachment_ids)
        unknown = ids - {str(a.get("id")) for a in attachments}
        if unknown:
            raise InvalidArguments(
                f"{args.issue_key} has no attachment with id {', '.join(sorted(unknown))}; "
                "call without attachment_ids to list them"
            )
        attachments = [a for a in attachments if str(a.get("id")) in ids]
    return await _fetch(jira, args.issue_key, attachments, images_only=False)


class Images(Arguments):
    issue_key: IssueKey


@tool("jira_get_issue_images", title="Jira: issue images", toolset="jira_attachments")
async def get_issue_images(jira: JiraClient, args: Images) -> ToolResult:
    """Get the images attached to a Jira issue (PNG, JPEG, GIF, WebP, SVG, BMP) as image content a model can
    look at; other attachments are left out. Images over this server's attachment limit are listed, not fetched."""
    attachments = [a for a in await jira.attachments(args.issue_key) if _is_image(a)]
    return await _fetch(jira, args.issue_key, attachments, images_only=True)


# ---------------------------------------------------------------------------------------------- dates and SLAs


def _when(value: Any) -> datetime | None:
    """A Jira timestamp (2026-01-15T10:20:30.000+0000) or date (2026-01-20) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", value.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours or days:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)


def _working_seconds(start: datetime, end: datetime) -> float:
    """Seconds between two moments that fall on Monday to Friday, 09:00 to 17:00 UTC."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end and total < 1e9:
        if day.weekday() < 5:
            opens, closes = day + timedelta(hours=9), day + timedelta(hours=17)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


class Timeline:
    """An issue's dates and the status changes its changelog records, oldest first."""

    def __init__(self, issue: dict[str, Any]) -> None:
        fields = issue.get("fields") or {}
        self.fields = fields
        self.created = _when(fields.get("created"))
        self.updated = _when(fields.get("updated"))
        self.due = _when(fields.get("duedate"))
        self.resolved = _when(fields.get("resolutiondate"))
        status = fields.get("status")
        self.status = str(status.get("name")) if isinstance(status, dict) and status.get("name") else None
        self.changes: list[dict[str, Any]] = []
        histories = (issue.get("changelog") or {}).get("histories") or []
        for history in histories if isinstance(histories, list) else []:
            if not isinstance(history, dict):
                continue
            at = _when(history.get("created"))
            for item in history.get("items") or []:
                if isinstance(item, dict) and item.get("field") == "status" and at is not None:
                    self.changes.append(
                        {"at": at, "from": item.get("fromString"), "to": item.get("toString"), "by": history}
                    )
        self.changes.sort(key=lambda c: c["at"])

    def periods(self, now: datetime) -> list[tuple[str, datetime, datetime]]:
        """(status, entered, left) for each stay, the current one up to `now` (or the resolution)."""
        if self.created is None:
            return []
        first = self.changes[0]["from"] if self.changes else self.status
        current, since = str(first or "unknown"), self.created
        stays: list[tuple[str, datetime, datetime]] = []
        for change in self.changes:
            stays.append((current, since, change["at"]))
            current, since = str(change["to"] or "unknown"), change["at"]
        stays.append((current, since, self.resolved if self.resolved and self.resolved > since else now))
        return stays


def _status_summary(stays: list[tuple[str, datetime, datetime]], working: bool) -> list[dict[str, Any]]:
    totals: dict[str, list[float]] = {}
    for status, start, end in stays:
        seconds = _working_seconds(start, end) if working else max(0.0, (end - start).total_seconds())
        entry = totals.setdefault(status, [0.0, 0])
        entry[0] += seconds
        entry[1] += 1
    return [{"status": s, "hours": _hours(t), "visits": int(n)} for s, (t, n) in totals.items()]


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class Dates(Arguments):
    issue_key: IssueKey
    include_status_changes: Annotated[bool, Field(description="List each status change with its time")] = True
    include_status_summary: Annotated[bool, Field(description="Add up the time spent in each status")] = True


@tool("jira_get_issue_dates", title="Jira: issue dates and status history", toolset="jira_metrics")
async def get_issue_dates(jira: JiraClient, args: Dates) -> ToolResult:
    """Get an issue's dates (created, updated, due, resolved) and, from its changelog, each status change with
    how long the issue stayed before it, and the total time spent in each status."""
    line = Timeline(await jira.dated_issue(args.issue_key))
    now = datetime.now(UTC)
    data: dict[str, Any] = {
        "issue_key": args.issue_key,
        "status": line.status,
        "created": _stamp(line.created),
        "updated": _stamp(line.updated),
        "due_date": line.fields.get("duedate"),
        "resolution_date": _stamp(line.resolved),
    }
    lines = [f"{args.issue_key} ({line.status or 'no status'})"]
    lines += [f"- {name.replace('_', ' ')}: {data[name] or '—'}" for name in ("created", "updated", "due_date")]
    lines.append(f"- resolved: {data['resolution_date'] or 'not resolved'}")
    stays = line.periods(now)
    if args.include_status_changes:
        rows = []
        for change, (_, entered, left) in zip(line.changes, stays, strict=False):
            rows.append(
                {
                    "at": _stamp(change["at"]),
                    "from": change["from"],
                    "to": change["to"],
                    "by": person((change["by"] or {}).get("author")),
                    "hours_in_previous": _hours((left - entered).total_seconds()),
                }
            )
        data["status_changes"] = rows
        lines.append("Status changes:" if rows else "No status changes recorded.")
        lines += [
            f"- {r['at']}: {r['from']} → {r['to']}"
            + (f" by {r['by']}" if r["by"] else "")
            + f" (after {_span(r['hours_in_previous'] * 3600)})"
            for r in rows
        ]
    if args.include_status_summary:
        data["status_summary"] = _status_summary(stays, working=False)
        lines.append("Time in each status:")
        lines += [f"- {s['status']}: {_span(s['hours'] * 3600)}" for s in data["status_summary"]]
    return ToolResult("\n".join(lines) + "\n", data)


SLA_METRICS = (
    "cycle_time",
    "lead_time",
    "time_in_status",
    "due_date_compliance",
    "resolution_time",
    "first_response_time",
)


class Sla(Arguments):
    issue_key: IssueKey
    metrics: Annotated[
        str | None,
        Field(
            max_length=300,
            description="Comma-separated: " + ", ".join(SLA_METRICS) + " (default: cycle_time,time_in_status)",
        ),
    ] = None
    working_hours_only: Annotated[bool | None, Field(description="Count only Monday to Friday, 09:00 to 17:00 UTC")] = (
        None
    )
    include_raw_dates: Annotated[bool, Field(description="Add the issue's raw dates to the answer")] = False


@tool("jira_get_issue_sla", title="Jira: issue SLA metrics", toolset="jira_metrics")
async def get_issue_sla(jira: JiraClient, args: Sla) -> ToolResult:
    """Compute time metrics of an issue from its dates and changelog: cycle_time (first left its initial status
    → resolved), lead_time (created → resolved, or now), time_in_status, due_date_compliance, resolution_time,
    first_response_time (created → first comment by someone other than the reporter). Optionally in working
    hours only (Monday to Friday, 09:00-17:00 UTC)."""
    wanted = [m.strip() for m in (args.metrics or "cycle_time,time_in_status").split(",") if m.strip()]
    unknown = [m for m in wanted if m not in SLA_METRICS]
    if unknown or not wanted:
        raise InvalidArguments(f"Unknown metric {', '.join(unknown) or '(none)'}; choose from {', '.join(SLA_METRICS)}")
    issue = await jira.dated_issue(args.issue_key)
    line = Timeline(issue)
    now = datetime.now(UTC)
    working = bool(args.working_hours_only)

    def between(start: datetime | None, end: datetime | None) -> dict[str, Any] | None:
        if start is None or end is None:
            return None
        seconds = _working_seconds(start, end) if working else max(0.0, (end - start).total_seconds())
        return {"hours": _hours(seconds), "text": _span(seconds), "from": _stamp(start), "to": _stamp(end)}

    results: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for metric in dict.fromkeys(wanted):
        if metric == "cycle_time":
            started = line.changes[0]["at"] if line.changes else None
            results[metric] = between(started, line.resolved)
            if results[metric] is None:
                notes[metric] = "not started" if started is None else "not resolved yet"
        elif metric == "lead_time":
            results[metric] = between(line.created, line.resolved or now)
            if line.resolved is None:
                notes[metric] = "still open: counted up to now"
        elif metric == "resolution_time":
            results[metric] = between(line.created, line.resolved)
            if results[metric] is None:
                notes[metric] = "not resolved yet"
        elif metric == "time_in_status":
            results[metric] = _status_summary(line.periods(now), working)
        elif metric == "due_date_compliance":
            if line.due is None:
                results[metric], notes[metric] = None, "no due date"
            else:
                due_end = line.due + timedelta(days=1) if len(str(line.fields.get("duedate"))) == 10 else line.due
                done = line.resolved
                met = done <= due_end if done else (None if now <= due_end else False)
                results[metric] = {"due_date": line.fields.get("duedate"), "resolved": _stamp(done), "met": met}
                if met is None:
                    notes[metric] = "open and not yet due"
        elif metric == "first_response_time":
            reporter = person(line.fields.get("reporter"))
            comments = ((line.fields.get("comment") or {}).get("comments")) or []
            answers = sorted(
                at
                for c in comments
                if isinstance(c, dict) and person(c.get("author")) != reporter
                for at in [_when(c.get("created"))]
                if at is not None
            )
            results[metric] = between(line.created, answers[0] if answers else None)
            if not answers:
                notes[metric] = "no response yet"
    data: dict[str, Any] = {
        "issue_key": args.issue_key,
        "working_hours_only": working,
        "metrics": results,
        "notes": notes,
    }
    if args.include_raw_dates:
        data["raw_dates"] = {k: line.fields.get(k) for k in ("created", "updated", "duedate", "resolutiondate")}
    lines = [f"{args.issue_key} SLA metrics" + (" (working hours, Mon-Fri 09:00-17:00 UTC)" if working else "") + ":"]
    for metric, value in results.items():
        if metric == "time_in_status" and isinstance(value, list):
            shown = "; ".join(f"{s['status']} {_span(s['hours'] * 3600)}" for s in value) or "—"
        elif metric == "due_date_compliance" and isinstance(value, dict):
            verdict = {True: "met", False: "missed", None: "pending"}[value["met"]]
            shown = f"{verdict} (due {value['due_date']})"
        elif isinstance(value, dict):
            shown = value["text"]
        else:
            shown = "—"
        note = f" ({notes[metric]})" if metric in notes else ""
        lines.append(f"- {metric}: {shown}{note}")
    return ToolResult("\n".join(lines) + "\n", data)


# ---------------------------------------------------------------------------------------------- development

_DATA_TYPES = ("pullrequest", "branch", "repository")
AppType = Annotated[
    str | None,
    Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Only this source-control integration (case-sensitive: stash, bitbucket, GitHub, GitLab …)",
    ),
]
DataType = Annotated[
    str | None, Field(pattern=r"^(pullrequest|branch|repository)$", description="pullrequest, branch or repository")
]


async def _development(jira: JiraClient, key: str, app: str | None, data_type: str | None) -> dict[str, Any]:
    """Pull requests, branches, commits and repositories linked to one issue, from the dev-status API."""
    issue_id = await jira.issue_id(key)
    summary = (await jira.dev_summary(issue_id)).get("summary") or {}
    pairs: list[tuple[str, str]] = []
    for kind in (data_type,) if data_type else _DATA_TYPES:
        section = summary.get(kind) if isinstance(summary, dict) else None
        by_instance = section.get("byInstanceType") if isinstance(section, dict) else None
        for instance, counts in (by_instance or {}).items() if isinstance(by_instance, dict) else ():
            if (app is None or instance == app) and isinstance(counts, dict) and counts.get("count"):
                pairs.append((instance, kind))
    if app is not None and not pairs:  # not in the summary: ask for it directly
        pairs = [(app, kind) for kind in ((data_type,) if data_type else _DATA_TYPES)]
    found: dict[str, list[dict[str, Any]]] = {"pull_requests": [], "branches": [], "commits": [], "repositories": []}
    seen_repos: set[str] = set()
    for instance, kind in pairs:
        answer = await jira.dev_detail(issue_id, instance, kind)
        for detail in answer.get("detail") or []:
            if not isinstance(detail, dict):
                continue
            for pr in detail.get("pullRequests") or []:
                found["pull_requests"].append(
                    {
                        "id": pr.get("id"),
                        "title": pr.get("name"),
                        "status": pr.get("status"),
                        "url": pr.get("url"),
                        "author": (pr.get("author") or {}).get("name"),
                        "source": (pr.get("source") or {}).get("branch"),
                        "destination": (pr.get("destination") or {}).get("branch"),
                        "reviewers": [r.get("name") for r in pr.get("reviewers") or [] if isinstance(r, dict)],
                        "application": instance,
                    }
                )
            for branch in detail.get("branches") or []:
                found["branches"].append(
                    {
                        "name": branch.get("name"),
                        "url": branch.get("url"),
                        "repository": (branch.get("repository") or {}).get("name"),
                        "application": instance,
                    }
                )
            for repo in detail.get("repositories") or []:
                name = str(repo.get("name"))
                if name not in seen_repos:
                    seen_repos.add(name)
                    found["repositories"].append(
                        {"name": repo.get("name"), "url": repo.get("url"), "application": instance}
                    )
                for commit in repo.get("commits") or []:
                    found["commits"].append(
                        {
                            "id": commit.get("displayId") or commit.get("id"),
                            "message": commit.get("message"),
                            "author": (commit.get("author") or {}).get("name"),
                            "when": commit.get("authorTimestamp"),
                            "url": commit.get("url"),
                            "repository": repo.get("name"),
                        }
                    )
    return {"issue_key": key, **found}


def _development_text(d: dict[str, Any]) -> list[str]:
    counts = [len(d[k]) for k in ("pull_requests", "branches", "commits", "repositories")]
    if not any(counts):
        return [f"{d['issue_key']}: no linked development information."]
    lines = [f"{d['issue_key']}: {counts[0]} pull requests, {counts[1]} branches, {counts[2]} commits"]
    lines += [
        f"- PR {p['id']} [{p['status']}] {p['title']} ({p['source']} → {p['destination']}) {p['url']}"
        for p in d["pull_requests"]
    ]
    lines += [f"- branch {b['name']} in {b['repository']}" for b in d["branches"]]
    lines += [f"- commit {c['id']} {c['message']} ({c['author']})" for c in d["commits"]]
    return lines


class Development(Arguments):
    issue_key: IssueKey
    application_type: AppType = None
    data_type: DataType = None


@tool("jira_get_issue_development_info", title="Jira: development info", toolset="jira_development")
async def get_issue_development_info(jira: JiraClient, args: Development) -> ToolResult:
    """Get the pull requests, branches, commits and repositories linked to a Jira issue by its source-control
    integrations (Bitbucket, GitHub, GitLab …), as the issue's development panel shows them."""
    d = await _development(jira, args.issue_key, args.application_type, args.data_type)
    return ToolResult("\n".join(_development_text(d)) + "\n", d)


class DevelopmentMany(Arguments):
    issue_keys: Annotated[
        str | list[str], Field(description="Issue keys, comma-separated (PROJ-1,PROJ-2) or a list; at most 20")
    ]
    application_type: AppType = None
    data_type: DataType = None


_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$")


@tool("jira_get_issues_development_info", title="Jira: development info of several issues", toolset="jira_development")
async def get_issues_development_info(jira: JiraClient, args: DevelopmentMany) -> ToolResult:
    """Get the linked pull requests, branches and commits of several Jira issues at once (up to 20)."""
    raw = args.issue_keys.split(",") if isinstance(args.issue_keys, str) else args.issue_keys
    keys = list(dict.fromkeys(k.strip() for k in raw if k.strip()))
    bad = [k for k in keys if not _KEY.match(k) or len(k) > 64]
    if bad or not keys:
        raise InvalidArguments(f"issue_keys: {', '.join(bad[:5]) or 'none given'} is not an issue key such as PROJ-123")
    if len(keys) > 20:
        raise InvalidArguments(f"issue_keys: {len(keys)} keys; ask for at most 20 at a time")
    issues: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    for key in keys:
        try:
            issues.append(await _development(jira, key, args.application_type, args.data_type))
        except UpstreamError as exc:
            failed.append({"issue_key": key, "error": exc.message})
    lines = [line for d in issues for line in _development_text(d)]
    lines += [f"{f['issue_key']}: {f['error']}" for f in failed]
    return ToolResult("\n".join(lines) + "\n", {"issues": issues, "failed": failed})


# ---------------------------------------------------------------------------------------------- project analysis


def _status_name(issue: dict[str, Any]) -> str | None:
    status = (issue.get("fields") or {}).get("status")
    return str(status["name"]) if isinstance(status, dict) and status.get("name") else None


async def _all(jira: JiraClient, jql: str, limit: int, fields: str) -> list[dict[str, Any]]:
    """Up to `limit` issues of a search, page by page."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    while len(found) < limit:
        progress(len(found), limit, f"{len(found)} issues read")
        page = await jira.search(jql, min(100, limit - len(found)), token, fields)
        found.extend(page.issues)
        token = page.next_page_token
        if not token or not page.issues:
            break
    return found[:limit]


class EpicHierarchy(Arguments):
    project_key: ProjectKey
    max_epics: Annotated[int, Field(ge=1, le=500, description="At most this many epics (most recently updated)")] = 200


@tool("jira_get_project_epic_hierarchy", title="Jira: project epics and their issues", toolset="jira_project_analysis")
async def get_project_epic_hierarchy(jira: JiraClient, args: EpicHierarchy) -> ToolResult:
    """Get a project's epics and, under each, the issues that belong to it (with status), most recently
    updated epics first."""
    epics = await _all(
        jira,
        f'project = "{args.project_key}" AND issuetype = Epic ORDER BY updated DESC',
        args.max_epics,
        "summary,status",
    )
    rows: list[dict[str, Any]] = [
        {
            "key": e.get("key"),
            "summary": (e.get("fields") or {}).get("summary"),
            "status": _status_name(e),
            "children": [],
        }
        for e in epics
    ]
    by_key = {r["key"]: r for r in rows}
    keys = [str(k) for k in by_key]
    # Cloud: an epic is its issues' parent, so one search serves many epics. Server/Data Center: the
    # "Epic Link" field, whose id differs per site, so one search an epic tells whose issues came back.
    groups = [keys[i : i + 50] for i in range(0, len(keys), 50)] if jira.cloud else [[k] for k in keys]
    for group in groups:
        jql = f"parent in ({', '.join(group)})" if jira.cloud else f'"Epic Link" = {group[0]}'
        for child in await _all(jira, jql + " ORDER BY key ASC", 1000, "summary,status,issuetype,parent"):
            f = child.get("fields") or {}
            parent = f.get("parent")
            owner = str(parent.get("key")) if jira.cloud and isinstance(parent, dict) else group[0]
            row = by_key.get(owner)
            if row is not None:
                kind = f.get("issuetype")
                row["children"].append(
                    {
                        "key": child.get("key"),
                        "summary": f.get("summary"),
                        "status": _status_name(child),
                        "type": kind.get("name") if isinstance(kind, dict) else None,
                    }
                )
    if not rows:
        text = f"{args.project_key} has no epics."
    else:
        lines = [f"{args.project_key}: {len(rows)} epics"]
        for r in rows:
            lines.append(f"- {r['key']} [{r['status']}] {r['summary']} ({len(r['children'])} issues)")
            lines += [f"  - {c['key']} [{c['status']}] {c['summary']}" for c in r["children"]]
        text = "\n".join(lines)
    return ToolResult(text + "\n", {"project_key": args.project_key, "epics": rows})


class CrossProject(Arguments):
    project_key: ProjectKey
    max_issues: Annotated[int, Field(ge=1, le=500, description="Look at this many issues (most recently updated)")] = (
        200
    )


@tool(
    "jira_get_cross_project_dependencies",
    title="Jira: links to other projects",
    toolset="jira_project_analysis",
)
async def get_cross_project_dependencies(jira: JiraClient, args: CrossProject) -> ToolResult:
    """Find a project's issue links to issues of other projects (blocks, relates to …), grouped by project:
    which of its issues depend on, or are depended on by, work elsewhere."""
    issues = await _all(
        jira, f'project = "{args.project_key}" ORDER BY updated DESC', args.max_issues, "summary,status,issuelinks"
    )
    prefix = args.project_key.upper() + "-"
    links: list[dict[str, Any]] = []
    for issue in issues:
        for link in (issue.get("fields") or {}).get("issuelinks") or []:
            if not isinstance(link, dict):
                continue
            kind = link.get("type") or {}
            for side, verb in (("outwardIssue", "outward"), ("inwardIssue", "inward")):
                other = link.get(side)
                if not isinstance(other, dict) or str(other.get("key", "")).upper().startswith(prefix):
                    continue
                other_key = str(other.get("key", ""))
                links.append(
                    {
                        "issue": issue.get("key"),
                        "relation": kind.get(verb) if isinstance(kind, dict) else None,
                        "other_issue": other_key,
                        "other_project": other_key.rpartition("-")[0],
                        "other_summary": (other.get("fields") or {}).get("summary"),
                        "other_status": _status_name(other),
                    }
                )
    projects = sorted({link["other_project"] for link in links})
    if not links:
        text = f"No links from the {len(issues)} issues of {args.project_key} looked at to other projects."
    else:
        lines = [
            f"{args.project_key}: {len(links)} links to {len(projects)} other projects ({len(issues)} issues looked at)"
        ]
        lines += [
            f"- {x['issue']} {x['relation']} {x['other_issue']} [{x['other_status']}] {x['other_summary']}"
            for x in links
        ]
        text = "\n".join(lines)
    structured = {
        "project_key": args.project_key,
        "issues_examined": len(issues),
        "projects": projects,
        "dependencies": links,
    }
    return ToolResult(text + "\n", structured)


# ---------------------------------------------------------------------------------------------- uploads


class AttachmentUpload(Arguments):
    filename: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$")]
    content_base64: Annotated[str, Field(min_length=1, description="The file's bytes, base64-encoded")]
    mime_type: Annotated[str, Field(max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")] = "application/octet-stream"


Uploads = Annotated[
    list[AttachmentUpload] | str | None,
    Field(
        description=(
            "Files to attach: [{filename, content_base64, mime_type?}] (or that list as JSON); "
            "never a path on the server"
        )
    ),
]


def prepared_uploads(jira: JiraClient, value: list[AttachmentUpload] | str | None) -> list[tuple[str, str, bytes]]:
    """The uploads as (filename, MIME type, bytes), checked before anything is sent. A string must be the
    list as JSON, not paths."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            raise InvalidArguments(
                "attachments names files on the server, and this shared server never reads its own files for a "
                "client: send [{filename, content_base64, mime_type}] instead"
            )
        try:
            value = [AttachmentUpload.model_validate(item) for item in json.loads(text)]
        except (ValueError, TypeError) as exc:
            raise InvalidArguments(f"attachments: not a list of {{filename, content_base64}} ({exc})") from None
    if len(value) > 20:
        raise InvalidArguments("attachments: at most 20 files at a time")
    limit = jira.max_attachment_bytes
    return [
        (u.filename, u.mime_type, decoded_upload(u.filename, u.content_base64, limit, "attachments")) for u in value
    ]


async def upload_attachments(jira: JiraClient, key: str, files: list[tuple[str, str, bytes]]) -> list[str]:
    """Attach checked uploads to the issue; the filenames Jira attached."""
    if not files:
        return []
    added = await jira.upload(key, files)
    return [str(a.get("filename")) for a in added]
