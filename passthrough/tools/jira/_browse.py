"""Browsing around an issue: projects, issue types, comments, transitions, link types."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from passthrough.providers.jira import JiraClient
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.jira._common import IssueKey, ProjectKey
from passthrough.tools.jira._render import comment_row


class Transitions(Arguments):
    issue_key: IssueKey


def transition_rows(transitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": str(t.get("id", "")), "name": t.get("name"), "to_status": (t.get("to") or {}).get("name")}
        for t in transitions
    ]


@tool("jira_get_transitions", title="Jira: available transitions", toolset="jira_transitions")
async def get_transitions(jira: JiraClient, args: Transitions) -> ToolResult:
    """List the workflow transitions the user can take on an issue now (id, name, target status)."""
    rows = transition_rows(await jira.transitions(args.issue_key))
    if not rows:
        return ToolResult(f"No transitions are available on {args.issue_key} for this user.\n", {"transitions": []})
    lines = [f"Transitions available on {args.issue_key}:"]
    lines += [f"- {r['name']} (id {r['id']}) → {r['to_status']}" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"issue_key": args.issue_key, "transitions": rows})


class ListProjects(Arguments):
    include_archived: Annotated[bool, Field(description="Include archived projects")] = False


@tool("jira_list_projects", title="Jira: list projects", toolset="jira_projects", aliases=("jira_get_all_projects",))
async def list_projects(jira: JiraClient, args: ListProjects) -> ToolResult:
    """List the Jira projects the user can see (key and name)."""
    projects = await (jira.projects_including_archived() if args.include_archived else jira.projects())
    rows = [
        {"key": p.get("key"), "name": p.get("name"), "id": str(p.get("id", "")), "type": p.get("projectTypeKey")}
        for p in projects
    ]
    lines = [f"{len(rows)} projects:"] + [f"- {r['key']} — {r['name']}" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"projects": rows})


class IssueTypes(Arguments):
    project_key: ProjectKey


@tool(
    "jira_get_issue_types",
    title="Jira: issue types of a project",
    toolset="jira_projects",
    aliases=("jira_get_project_issue_types",),
)
async def issue_types(jira: JiraClient, args: IssueTypes) -> ToolResult:
    """List the issue types that can be created in a project (use a name with jira_create_issue)."""
    types = await jira.issue_types(args.project_key)
    rows = [{"id": str(t.get("id", "")), "name": t.get("name"), "subtask": bool(t.get("subtask"))} for t in types]
    lines = [f"Issue types in {args.project_key}:"]
    lines += [f"- {r['name']} (id {r['id']}){' — sub-task' if r['subtask'] else ''}" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"project_key": args.project_key, "issue_types": rows})


class Comments(Arguments):
    issue_key: IssueKey
    max_results: Annotated[int, Field(ge=1, le=100, description="Comments per page, newest first")] = 20
    page_token: Annotated[
        str | None, Field(pattern=r"^[0-9]{1,9}$", description="next_page_token of the last page")
    ] = None


@tool("jira_get_comments", title="Jira: issue comments", toolset="jira_comments")
async def comments(jira: JiraClient, args: Comments) -> ToolResult:
    """Read an issue's comments, newest first, as Markdown; one page at a time."""
    start = int(args.page_token or 0)
    data = await jira.comments(args.issue_key, start, args.max_results)
    items = list(data.get("comments") or [])
    total = data.get("total")
    rows = [await comment_row(c) for c in items]
    following = start + len(items)
    token = str(following) if items and isinstance(total, int) and following < total else None
    lines = [f"{len(rows)} of {total} comments on {args.issue_key}:" if rows else f"No comments on {args.issue_key}."]
    for r in rows:
        lines += ["", f"**{r['author'] or 'Someone'}** — {r['created']} (comment {r['id']})", "", r["body"]]
    if token:
        lines += ["", f'More: call jira_get_comments with page_token="{token}".']
    structured: dict[str, Any] = {
        "issue_key": args.issue_key,
        "comments": rows,
        "total": total,
        "next_page_token": token,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


class LinkTypes(Arguments):
    name_filter: Annotated[
        str | None, Field(max_length=255, description="Only types whose name contains this (case-insensitive)")
    ] = None


@tool("jira_list_link_types", title="Jira: issue link types", toolset="jira_links", aliases=("jira_get_link_types",))
async def link_types(jira: JiraClient, args: LinkTypes) -> ToolResult:
    """List the kinds of links between issues (Blocks, Relates, …) for jira_link_issues."""
    types = await jira.link_types()
    rows = [
        {"id": str(t.get("id", "")), "name": t.get("name"), "inward": t.get("inward"), "outward": t.get("outward")}
        for t in types
    ]
    if args.name_filter:
        wanted = args.name_filter.casefold()
        rows = [r for r in rows if wanted in str(r["name"] or "").casefold()]
        if not rows:
            return ToolResult(f"No issue link type's name contains '{args.name_filter}'.\n", {"link_types": []})
    lines = ["Issue link types:"] + [f"- {r['name']}: A {r['outward']} B / B {r['inward']} A" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"link_types": rows})
