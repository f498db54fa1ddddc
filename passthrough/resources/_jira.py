"""Jira issues as resources: `jira://issue/{issue_key}`, read by jira_get_issue."""

from __future__ import annotations

import re

from passthrough.providers.jira import JiraClient
from passthrough.resources._spec import Item, Memo, Recent, about, resource_template
from passthrough.tools.jira._read import get_issue

RECENT_JQL = "assignee = currentUser() ORDER BY updated DESC"
_KEY_PREFIX = re.compile(r"^([A-Z][A-Z0-9_]*)(-[0-9]*)?$")
_PROJECTS = 100  # project keys a completion looks through (Cloud pages them 50 at a time)
_KEYS = 100  # recently updated issues a completion offers keys from, per set of projects
_PROJECTS_PER_QUERY = 20


async def recent_issues(jira: JiraClient, token: str | None, limit: int) -> Recent:
    """Issues assigned to the caller, most recently updated first."""
    page = await jira.search(RECENT_JQL, limit, token, "summary,status,updated")
    items = []
    for issue in page.issues:
        key = str(issue.get("key", ""))
        fields = issue.get("fields") or {}
        status = (fields.get("status") or {}).get("name")
        updated = f"updated {fields['updated']}" if fields.get("updated") else None
        items.append(Item(key, f"{key}: {fields.get('summary') or ''}".rstrip(": "), about(status, updated)))
    return Recent(items, page.next_page_token)


async def _keys(jira: JiraClient, jql: str) -> list[str]:
    page = await jira.search(jql, _KEYS, None, "summary")
    return [str(issue["key"]) for issue in page.issues if issue.get("key")]


async def _project_keys(jira: JiraClient) -> list[str]:
    return [str(p["key"]).upper() for p in await jira.projects(_PROJECTS) if p.get("key")]


async def issue_keys(jira: JiraClient, value: str, memo: Memo) -> list[str]:
    """Issue keys for what the caller typed: `AC` → the recent issues of projects ACC, ACME …; `ACC-1` → ACC-1,
    ACC-12 … (the project's recently updated issues whose key starts so); nothing typed → the caller's own."""
    wanted = value.strip().upper()
    if not wanted:
        return await memo(RECENT_JQL, lambda: _keys(jira, RECENT_JQL))
    match = _KEY_PREFIX.match(wanted)
    if match is None:
        return []
    project, dash = match.groups()
    if dash is None:
        known = await memo("projects", lambda: _project_keys(jira))
        projects = sorted(k for k in known if k.startswith(project))[:_PROJECTS_PER_QUERY]
    else:
        projects = [project]
    if not projects:
        return []
    # Keys match [A-Z][A-Z0-9_]*: quoted, a key that is a JQL word (AND, ORDER) still reads as a key.
    jql = "project in ({}) ORDER BY updated DESC".format(", ".join(f'"{p}"' for p in projects))
    return [k for k in await memo(jql, lambda: _keys(jira, jql)) if k.startswith(wanted)]


ISSUE = resource_template(
    "jira://issue/{issue_key}",
    title="Jira issue",
    description="A Jira issue by key (PROJ-123): summary, status, people, dates, description and latest comments "
    "as Markdown, as jira_get_issue shows it, read with the caller's own credential.",
    read=get_issue,
    recent=recent_issues,
    complete=issue_keys,
)
