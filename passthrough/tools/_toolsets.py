"""The toolsets a tool may belong to: mcp-atlassian's 24 names for Jira and Confluence, and passthrough's own
for OpenProject. `PASSTHROUGH_TOOLSETS` and `X-MCP-Toolsets` choose among these names."""

from __future__ import annotations

from collections.abc import Mapping

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
    "openproject_users": "the signed-in user, users and groups",
    "openproject_projects": "projects",
    "openproject_work_packages": "work packages: search, read, create, update, comment; statuses and types",
}
