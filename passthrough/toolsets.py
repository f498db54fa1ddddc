"""Toolsets: mcp-atlassian's 24 names for Jira and Confluence, passthrough's own for OpenProject and ClickUp, and the
selectors `PASSTHROUGH_TOOLSETS` (what the server offers) and `X-MCP-Toolsets` (what one request is offered,
never more) are made of: toolset names, `default` (the contract's tools) and `all`.

This module imports nothing of passthrough, so settings and credentials can check names with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

TOOLSETS: Mapping[str, str] = {
    "jira_issues": "issues: read, search, create, update, delete, batches, changelogs",
    "jira_fields": "fields: search by name, allowed options",
    "jira_comments": "issue comments",
    "jira_transitions": "workflow transitions",
    "jira_projects": "projects, issue types, versions and components",
    "jira_agile": "boards and sprints",
    "jira_links": "issue links, epic links, remote links",
    "jira_worklog": "worklogs",
    "jira_attachments": "attachments and images",
    "jira_users": "user profiles and lookups",
    "jira_watchers": "issue watchers",
    "jira_service_desk": "Jira Service Management: service desks, queues, requests",
    "jira_forms": "ProForma forms",
    "jira_metrics": "issue dates and SLAs",
    "jira_development": "development information (branches, commits, pull requests)",
    "jira_project_analysis": "project-wide analysis",
    "confluence_pages": "pages and spaces: read, search, create, update, move, history",
    "confluence_comments": "footer and inline comments",
    "confluence_labels": "page labels",
    "confluence_users": "user profiles and search",
    "confluence_analytics": "page views",
    "confluence_attachments": "attachments and page images",
    "confluence_templates": "page templates",
    "confluence_permissions": "restrictions and permission checks",
    "openproject_users": "the signed-in user, users, groups and placeholder users",
    "openproject_projects": "projects: list, read, create, update, delete; versions",
    "openproject_work_packages": "work packages: search, read, create, update, delete, comment, activities; "
    "statuses, types and priorities",
    "openproject_relations": "work package relations, parent and children",
    "openproject_time": "time entries and their activities",
    "openproject_watchers": "work package watchers",
    "openproject_memberships": "project memberships and roles",
    "openproject_notifications": "in-app notifications",
    "openproject_queries": "saved queries and boards",
    "openproject_documents": "project documents",
    "openproject_attachments": "work package attachments",
    "openproject_system": "the instance: connection, API information, permissions",
    "clickup_workspaces": "the signed-in user, workspaces, spaces, folders and lists",
    "clickup_tasks": "tasks: search, read, create, update, delete",
    "clickup_comments": "task comments",
    "clickup_time": "time entries",
}

DEFAULT_TOOLS = frozenset(
    {
        # CONTRACT.md section 6: small enough for a model's context, and what every client can count on
        "jira_get_myself",
        "jira_get_issue",
        "jira_search",
        "jira_create_issue",
        "jira_update_issue",
        "jira_add_comment",
        "jira_get_transitions",
        "jira_transition_issue",
        "jira_list_projects",
        "jira_get_my_issues",
        "confluence_get_myself",
        "confluence_search",
        "confluence_get_page",
        "confluence_create_page",
        "confluence_update_page",
        "confluence_add_comment",
        "confluence_list_spaces",
        "confluence_get_page_children",
        "openproject_get_myself",
        "openproject_list_projects",
        "openproject_search_work_packages",
        "openproject_get_work_package",
        "openproject_create_work_package",
        "openproject_update_work_package",
        "openproject_add_comment",
        "openproject_list_statuses",
        "openproject_list_types",
        # CONTRACT.md section 10
        "clickup_get_myself",
        "clickup_list_workspaces",
        "clickup_list_spaces",
        "clickup_list_folders",
        "clickup_list_lists",
        "clickup_search_tasks",
        "clickup_get_task",
        "clickup_create_task",
        "clickup_update_task",
        "clickup_delete_task",
        "clickup_add_comment",
        "clickup_get_comments",
        "clickup_add_time_entry",
        "clickup_get_time_entries",
        # offered from the start, before toolsets existed; kept so that no existing setup loses a tool
        "jira_get_issue_types",
        "jira_get_comments",
        "jira_list_link_types",
        "jira_link_issues",
        "confluence_get_labels",
        "confluence_add_labels",
    }
)
SELECTORS = frozenset({"default", "all", *TOOLSETS})


def parse(raw: str, where: str) -> frozenset[str]:
    """A comma list of selectors; a ValueError naming `where` and the valid names for an unknown one."""
    chosen = frozenset(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = sorted(chosen - SELECTORS)
    if unknown:
        raise ValueError(
            f"{where}: unknown toolset {', '.join(unknown)}; valid: default, all, {', '.join(sorted(TOOLSETS))}"
        )
    return chosen or frozenset({"default"})


def offers(selectors: Iterable[str], name: str, toolset: str) -> bool:
    """Whether `selectors` include the tool `name` of `toolset`."""
    chosen = set(selectors)
    return "all" in chosen or toolset in chosen or ("default" in chosen and name in DEFAULT_TOOLS)
