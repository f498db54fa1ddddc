"""Reading issues: who am I, one issue, JQL search, my open issues."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from passthrough.providers.jira import JiraClient
from passthrough.tools._render import pick, signed_in
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.jira._common import IssueKey
from passthrough.tools.jira._render import brief, detail, issue_text, list_line, person


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


class GetIssue(Arguments):
    issue_key: IssueKey
    comment_limit: Annotated[int, Field(ge=0, le=50, description="How many of the latest comments to include")] = 5


@tool("jira_get_issue", title="Jira: get issue", toolset="jira_issues")
async def get_issue(jira: JiraClient, args: GetIssue) -> ToolResult:
    """Get one Jira issue by key: summary, status, people, dates, description (Markdown) and latest comments."""
    d = await detail(await jira.issue(args.issue_key), jira, args.comment_limit)
    return ToolResult(issue_text(d), d)


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
    max_results: Annotated[int, Field(ge=1, le=100, description="Issues per page")] = 20
    page_token: PageToken = None


@tool("jira_search", title="Jira: search issues (JQL)", toolset="jira_issues")
async def search(jira: JiraClient, args: Search) -> ToolResult:
    """Search Jira issues with JQL. Returns one page; pass next_page_token back as page_token for the next."""
    return await _search(jira, args.jql, args.max_results, args.page_token)


async def _search(jira: JiraClient, jql: str, max_results: int, page_token: str | None) -> ToolResult:
    page = await jira.search(jql, max_results, page_token)
    briefs = [brief(issue, jira) for issue in page.issues]
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
