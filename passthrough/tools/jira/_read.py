"""Reading issues: who am I, one issue, JQL search, my open issues."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AliasChoices, Field

from passthrough.errors import InvalidArguments
from passthrough.providers.jira import JiraClient
from passthrough.providers.jira._client import DEFAULT_FIELDS, SEARCH_FIELDS
from passthrough.tools._render import pick, signed_in
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.jira._browse import transition_rows
from passthrough.tools.jira._common import IssueKey
from passthrough.tools.jira._render import (
    brief,
    change_line,
    changes,
    detail,
    issue_text,
    list_line,
    other_fields,
    person,
    shown,
)


@tool("jira_get_myself", title="Jira: who am I", toolset="jira_users")
async def get_myself(jira: JiraClient, _: NoArguments) -> ToolResult:
    """Show the Jira account the request's credential belongs to (name, email, account id)."""
    me = await jira.myself()
    data = pick(
        me,
        display_name="displayName",
        email="emailAddress",
        account_id="accountId",
        username="name",
        active="active",
        time_zone="timeZone",
    )
    data["deployment"] = "cloud" if jira.cloud else "server"
    return signed_in("Jira", jira.base_url, person(me) or "an unnamed user", data, email=True)


FieldList = Annotated[
    str | None,
    Field(
        pattern=r"^\s*(\*all|\*navigable|-?[A-Za-z0-9_.]+)(\s*,\s*(\*all|\*navigable|-?[A-Za-z0-9_.]+))*\s*$",
        max_length=2000,
        description="More fields to return, comma-separated (e.g. duedate,customfield_10010), or *all",
    ),
]
Expand = Annotated[
    str | None,
    Field(pattern=r"^[A-Za-z,_ ]*$", max_length=500, description="Jira expansions, e.g. renderedFields,changelog"),
]
DisplayNames = Annotated[
    bool, Field(description="Name custom fields by their display names (Story Points) instead of ids")
]
SECTIONS = ("transitions", "changelog", "comments", "remote_links", "watchers", "worklogs")


class GetIssue(Arguments):
    issue_key: IssueKey
    comment_limit: Annotated[int, Field(ge=0, le=100, description="How many of the latest comments to include")] = 5
    fields: FieldList = None
    expand: Expand = None
    properties: Annotated[
        str | None, Field(pattern=r"^[\w.,-]*$", max_length=1000, description="Issue properties to return")
    ] = None
    update_history: Annotated[bool | None, Field(description="Record the view in the user's history")] = None
    include: Annotated[
        str | None,
        Field(
            pattern=r"^[a-z_, ]*$",
            max_length=200,
            description="Sections to inline, comma-separated: transitions, changelog, comments (or all)",
        ),
    ] = None
    use_display_names: DisplayNames = False


def _joined(*parts: str | None) -> str | None:
    items = dict.fromkeys(p.strip() for part in parts if part for p in part.split(",") if p.strip())
    return ",".join(items) or None


@tool("jira_get_issue", title="Jira: get issue", toolset="jira_issues")
async def get_issue(jira: JiraClient, args: GetIssue) -> ToolResult:
    """Get one Jira issue by key: summary, status, people, dates, description (Markdown) and latest comments."""
    wanted = {w.strip() for w in (args.include or "").split(",") if w.strip()}
    if "all" in wanted:
        wanted = set(SECTIONS)
    expand = _joined(
        args.expand,
        "transitions" if "transitions" in wanted else None,
        "changelog" if "changelog" in wanted else None,
        "names" if args.use_display_names else None,
    )
    fields = "*all" if args.fields and "*all" in args.fields else _joined(DEFAULT_FIELDS, args.fields)
    issue = await jira.issue(
        args.issue_key,
        fields or DEFAULT_FIELDS,
        expand=expand,
        properties=args.properties,
        update_history=args.update_history,
    )
    d = await detail(issue, jira, args.comment_limit)
    text = issue_text(d)
    extra = other_fields(issue, args.use_display_names) if args.fields else {}
    if extra:
        d["fields"] = extra
        text += "\n## Other fields\n\n" + "".join(f"- {name}: {shown(value)}\n" for name, value in extra.items())
    if "transitions" in wanted:
        rows = transition_rows(list(issue.get("transitions") or []))
        d["transitions"] = rows
        text += "\n## Transitions\n\n" + "".join(f"- {r['name']} (id {r['id']}) → {r['to_status']}\n" for r in rows)
    if "changelog" in wanted:
        history = changes(issue)
        d["changelog"] = history
        text += "\n## History\n\n" + ("".join(f"- {h}\n" for h in map(change_line, history)) or "_No changes._\n")
    elsewhere = sorted(wanted & {"remote_links", "watchers", "worklogs"})
    if elsewhere:
        where = {
            "remote_links": "fields=issuelinks",
            "watchers": "jira_get_issue_watchers",
            "worklogs": "jira_get_worklog",
        }
        text += "\nNot inlined here: " + "; ".join(f"{w} (see {where[w]})" for w in elsewhere) + "\n"
    return ToolResult(text, d)


PageToken = Annotated[str | None, Field(max_length=2000, description="next_page_token from the previous page")]


class Search(Arguments):
    jql: Annotated[
        str,
        Field(
            min_length=1,
            max_length=4000,
            description="JQL, e.g. project = PROJ AND status = 'In Progress' ORDER BY updated DESC",
        ),
    ]
    max_results: Annotated[
        int, Field(ge=1, le=100, validation_alias=AliasChoices("max_results", "limit"), description="Issues per page")
    ] = 20
    page_token: PageToken = None
    start_at: Annotated[
        int | None, Field(ge=0, le=10**9, description="Server/Data Center: the offset to start at (0-based)")
    ] = None
    fields: FieldList = None
    projects_filter: Annotated[
        str | None,
        Field(
            pattern=r"^\s*[A-Za-z][A-Za-z0-9_]*(\s*,\s*[A-Za-z][A-Za-z0-9_]*)*\s*$",
            max_length=1000,
            description="Only these projects, comma-separated keys",
        ),
    ] = None
    expand: Expand = None
    use_display_names: DisplayNames = False


_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)  # anchored on the word: linear on any run of spaces


def scoped(jql: str, projects: str | None) -> str:
    """`jql` limited to `projects` (keys), its ORDER BY kept last."""
    if not projects:
        return jql
    keys = ", ".join(p.strip().upper() for p in projects.split(",") if p.strip())
    found = list(_ORDER_BY.finditer(jql))
    where, order = (jql[: found[-1].start()], jql[found[-1].end() :]) if found else (jql, "")
    scoped_jql = f"project in ({keys})" + (f" AND ({where.strip()})" if where.strip() else "")
    return scoped_jql + (f" ORDER BY {order.strip()}" if order.strip() else "")


@tool("jira_search", title="Jira: search issues (JQL)", toolset="jira_issues")
async def search(jira: JiraClient, args: Search) -> ToolResult:
    """Search Jira issues with JQL. Returns one page; pass next_page_token back as page_token for the next."""
    token = args.page_token
    if args.start_at:
        if jira.cloud:
            raise InvalidArguments("Jira Cloud pages with page_token (from next_page_token), not start_at")
        token = token or str(args.start_at)
    fields = "*all" if args.fields and "*all" in args.fields else _joined(SEARCH_FIELDS, args.fields)
    expand = _joined(args.expand, "names" if args.use_display_names else None)
    jql = scoped(args.jql, args.projects_filter)
    by_name = args.use_display_names if args.fields else None
    return await _search(jira, jql, args.max_results, token, fields or SEARCH_FIELDS, expand, by_name)


async def _search(
    jira: JiraClient,
    jql: str,
    max_results: int,
    page_token: str | None,
    fields: str = SEARCH_FIELDS,
    expand: str | None = None,
    other_fields_by_name: bool | None = None,
) -> ToolResult:
    """One page of `jql`; with `other_fields_by_name` set, each issue also shows the fields asked for beyond the
    list's own (by display name when it is True)."""
    page = await jira.search(jql, max_results, page_token, fields, expand=expand)
    briefs = [brief(issue, jira) for issue in page.issues]
    if other_fields_by_name is not None:
        for row, issue in zip(briefs, page.issues, strict=True):
            extra = other_fields(issue, other_fields_by_name, SEARCH_FIELDS)
            if extra:
                row["fields"] = extra
    structured: dict[str, Any] = {"issues": briefs, "next_page_token": page.next_page_token}
    if page.total is not None:
        structured["total"] = page.total
    if not briefs:
        head = "No issues match."
    elif page.total is not None:
        head = f"{len(briefs)} of {page.total} issues:"
    else:
        head = f"{len(briefs)} issues:"
    lines = [head, *(list_line(b) for b in briefs)]
    if page.next_page_token:
        lines += [
            "",
            f'More results: call jira_search with the same jql and page_token="{page.next_page_token}".',
        ]
    return ToolResult("\n".join(lines) + "\n", structured)


MY_ISSUES_JQL = "assignee = currentUser() AND resolution = Unresolved ORDER BY updated DESC"


class MyIssues(Arguments):
    max_results: Annotated[int, Field(ge=1, le=100, description="Issues per page")] = 20
    page_token: PageToken = None


@tool("jira_get_my_issues", title="Jira: my open issues", toolset="jira_issues")
async def my_issues(jira: JiraClient, args: MyIssues) -> ToolResult:
    """List unresolved Jira issues assigned to the requesting user, most recently updated first."""
    return await _search(jira, MY_ISSUES_JQL, args.max_results, args.page_token)
