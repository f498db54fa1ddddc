"""OpenProject tools for projects, the instance, priorities, notifications, queries, boards, documents, search.

Projects carry no lockVersion in API v3, so an update sends only the fields it was given (nobody's other
edits are overwritten). Boards are grids scoped to `/projects/{identifier}/boards` whose widgets each hold
a saved query, the board's column. Notifications are the signed-in user's own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.openproject import OpenProjectClient, elements, href_id
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.openproject._common import WORK_PKGS, brief, line

SYSTEM = "openproject_system"
PROJECTS = "openproject_projects"
NOTIFICATIONS = "openproject_notifications"
QUERIES = "openproject_queries"
DOCUMENTS = "openproject_documents"

MAX_COLUMNS = 20  # board columns whose work packages one call reads
REASONS = (
    "mentioned",
    "assigned",
    "responsible",
    "watched",
    "subscribed",
    "commented",
    "created",
    "processed",
    "prioritized",
    "scheduled",
    "dateAlert",
    "shared",
    "reminder",
)
PROJECT_STATUSES = ("not_started", "on_track", "at_risk", "off_track", "finished", "discontinued")
# the project links that are actions the signed-in user may take, and what they mean
_PROJECT_ACTIONS = {
    "updateImmediately": "edit the project",
    "delete": "delete the project",
    "createWorkPackageImmediately": "create work packages",
}


def _ref(*names: str) -> Any:
    """Our argument name first, then the peer's (pinealctx/openproject-mcp's camelCase, `id`)."""
    return Field(validation_alias=AliasChoices(*names))


def _text(value: Any) -> Any:
    """A project named by number (the peer's `id` is an integer) is the same as its digits."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
ProjectKey = Annotated[
    str,
    BeforeValidator(_text),
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", description="Project id or identifier, e.g. demo-project"),
]
PageSize = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=1, le=100_000, description="Page number, starting at 1")]
Markdown = Annotated[str, Field(max_length=100_000, description="Markdown")]
Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_-]{0,99}$",
        description="Unique project identifier: lower-case letters, digits, - and _, starting with a letter",
    ),
]
ProjectName = Annotated[str, Field(min_length=1, max_length=255)]
Status = Annotated[
    Literal["not_started", "on_track", "at_risk", "off_track", "finished", "discontinued"],
    BeforeValidator(lambda v: v.strip().lower().replace(" ", "_").replace("-", "_") if isinstance(v, str) else v),
    Field(description="Project status: not_started, on_track, at_risk, off_track, finished, discontinued"),
]


def _title(link: Any) -> str | None:
    return link.get("title") if isinstance(link, dict) and link.get("href") else None


def _raw(value: Any) -> str:
    return str((value or {}).get("raw") or "").strip() if isinstance(value, dict) else ""


def _next(total: Any, offset: int, size: int, shown: int) -> int | None:
    return offset + 1 if isinstance(total, int) and (offset - 1) * size + shown < total else None


def _more(lines: list[str], tool_name: str, next_offset: int | None) -> None:
    if next_offset:
        lines += ["", f"More: call {tool_name} with the same arguments and offset={next_offset}."]


# ---------------------------------------------------------------------- the instance


def _configuration(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "host_name": config.get("hostName"),
        "duration_format": config.get("durationFormat"),
        "maximum_attachment_file_size": config.get("maximumAttachmentFileSize"),
        "per_page_options": config.get("perPageOptions"),
        "active_feature_flags": config.get("activeFeatureFlags"),
    }


def _version(root: dict[str, Any]) -> str:
    version = root.get("coreVersion")
    return str(version) if version else "not shown (OpenProject shows its version to administrators only)"


@tool("openproject_test_connection", title="OpenProject: test connection", toolset=SYSTEM)
async def test_connection(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """Check that OpenProject answers and accepts the key: who the key signs in as, the instance's name,
    version and base URL, and whether API v3's root and configuration are readable."""
    me = await openproject.me()
    root = await openproject.api_root()
    config: dict[str, Any] | None
    try:
        config = await openproject.configuration()
        problem = None
    except UpstreamError as exc:
        config, problem = None, f"the configuration is not readable (HTTP {exc.status})"
    lines = [
        f"Connected to OpenProject at {openproject.base_url} as {me.get('name')} "
        f"(login {me.get('login')}, id {me.get('id')}).",
        f"Instance: {root.get('instanceName') or 'OpenProject'}, version {_version(root)}.",
        f"API v3 at {openproject.base_url}{openproject.api}: reachable"
        + (f"; {problem}." if problem else " (root and configuration read)."),
    ]
    settings = _configuration(config) if config is not None else None
    if settings:
        size = settings["maximum_attachment_file_size"]
        mib = f", attachments up to {size / 1_048_576:g} MiB" if isinstance(size, int) else ""
        lines.append(f"Host name {settings['host_name']}, durations shown as {settings['duration_format']}{mib}.")
    structured = {
        "connected": True,
        "base_url": openproject.base_url,
        "api_url": openproject.base_url + openproject.api,
        "user": {"id": me.get("id"), "login": me.get("login"), "name": me.get("name"), "admin": me.get("admin")},
        "instance_name": root.get("instanceName"),
        "core_version": root.get("coreVersion"),
        "api": {"root": True, "configuration": config is not None},
        "configuration": settings,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


@tool("openproject_get_api_info", title="OpenProject: API information", toolset=SYSTEM)
async def get_api_info(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """Read API v3's root: the instance's name, its core version (OpenProject shows it to administrators only)
    and the links to the API's main resources."""
    root = await openproject.api_root()
    links = {
        name: value.get("href")
        for name, value in (root.get("_links") or {}).items()
        if isinstance(value, dict) and value.get("href")
    }
    user = _title((root.get("_links") or {}).get("user"))
    lines = [
        f"OpenProject API v3 at {openproject.base_url}{openproject.api}",
        f"Instance: {root.get('instanceName')}, core version {_version(root)}.",
    ]
    if user:
        lines.append(f"Signed in as {user}.")
    lines += ["", "Links:", *(f"- {name}: {href}" for name, href in links.items())]
    structured = {
        "instance_name": root.get("instanceName"),
        "core_version": root.get("coreVersion"),
        "user": user,
        "links": links,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


class CheckPermissions(Arguments):
    project: Annotated[ProjectKey | None, _ref("project", "project_id", "projectId")] = None


@tool("openproject_check_permissions", title="OpenProject: check permissions", toolset=SYSTEM)
async def check_permissions(openproject: OpenProjectClient, args: CheckPermissions) -> ToolResult:
    """What the signed-in user may do: administrator or not, their global capabilities and, when a project
    is given, their capabilities in it and the actions OpenProject offers them on it (edit, delete, create
    work packages). Says so where the instance has no capabilities API."""
    me = await openproject.verified()
    project: dict[str, Any] | None = None
    if args.project:
        project = await openproject.project(args.project)
    contexts = ["g"] + ([f"p{project['id']}"] if project else [])
    global_actions: list[str] = []
    project_actions: list[str] = []
    note = None
    try:
        data = await openproject.capabilities(str(me.get("id")), contexts, 1000)
    except UpstreamError as exc:
        if exc.status not in (400, 404):
            raise
        note = (
            "This OpenProject has no capabilities API (it came with OpenProject 11); "
            "the project's links say what it offers."
        )
    else:
        for capability in elements(data):
            links = capability.get("_links") or {}
            action = str(capability.get("id") or "").rsplit("/", 1)[0]
            context = (links.get("context") or {}).get("href") or ""
            (project_actions if "/projects/" in context else global_actions).append(action)
    lines = [
        f"{me.get('name')} (login {me.get('login')}, id {me.get('id')}) on {openproject.base_url}:",
        f"- Administrator: {'yes' if me.get('admin') else 'no'}; account {me.get('status') or 'active'}",
    ]
    if note:
        lines.append(f"- {note}")
    else:
        lines.append(f"- Globally: {', '.join(global_actions) or 'no capabilities'}")
    structured: dict[str, Any] = {
        "user": {"id": me.get("id"), "login": me.get("login"), "name": me.get("name")},
        "admin": bool(me.get("admin")),
        "capabilities_api": note is None,
        "global": global_actions,
        "project": None,
    }
    if project is not None:
        links = project.get("_links") or {}
        offered = [name for name in _PROJECT_ACTIONS if isinstance(links.get(name), dict) and links[name].get("href")]
        where = f"{project.get('name')} ({project.get('identifier')}, id {project.get('id')})"
        if note is None:
            lines.append(f"- In {where}: {', '.join(project_actions) or 'no capabilities'}")
        lines.append(
            f"- On {where} OpenProject offers: {', '.join(_PROJECT_ACTIONS[n] for n in offered) or 'nothing to change'}"
        )
        structured["project"] = {
            "id": project.get("id"),
            "identifier": project.get("identifier"),
            "name": project.get("name"),
            "capabilities": project_actions,
            "offered": {name: name in offered for name in _PROJECT_ACTIONS},
        }
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- projects


def _project(data: dict[str, Any], client: OpenProjectClient) -> dict[str, Any]:
    links = data.get("_links") or {}
    parent = links.get("parent")
    parent_id = href_id(parent) if isinstance(parent, dict) and parent.get("href") else None
    status = links.get("status")
    return {
        "id": data.get("id"),
        "identifier": data.get("identifier"),
        "name": data.get("name"),
        "active": data.get("active"),
        "public": data.get("public"),
        "description": _raw(data.get("description")),
        "status": href_id(status) if isinstance(status, dict) and status.get("href") else None,
        "status_title": _title(status),
        "status_explanation": _raw(data.get("statusExplanation")),
        "parent": {"id": int(parent_id) if parent_id and parent_id.isdigit() else parent_id, "name": _title(parent)}
        if parent_id
        else None,
        "created_at": data.get("createdAt"),
        "updated_at": data.get("updatedAt"),
        "url": f"{client.base_url}/projects/{data.get('identifier')}",
        "offered": [n for n in _PROJECT_ACTIONS if isinstance(links.get(n), dict) and links[n].get("href")],
    }


def _project_text(p: dict[str, Any]) -> str:
    rows = [f"# {p['name']} ({p['identifier']}, id {p['id']})"]
    facts = [
        f"Status: {p['status_title'] or p['status'] or 'not set'}",
        "public" if p["public"] else "private",
        "active" if p["active"] else "archived",
    ]
    if p["parent"]:
        facts.append(f"subproject of {p['parent']['name'] or '#' + str(p['parent']['id'])}")
    rows += [" | ".join(facts), f"URL: {p['url']}", "", "## Description", "", p["description"] or "_No description._"]
    if p["status_explanation"]:
        rows += ["", "## Status", "", p["status_explanation"]]
    return "\n".join(rows) + "\n"


class GetProject(Arguments):
    project: Annotated[ProjectKey, _ref("project", "id", "project_id", "projectId")]


@tool("openproject_get_project", title="OpenProject: get project", toolset=PROJECTS)
async def get_project(openproject: OpenProjectClient, args: GetProject) -> ToolResult:
    """Get one project by id or identifier: name, identifier, description (Markdown), status and its
    explanation, parent, public or private, active or archived, and what the user may do with it."""
    p = _project(await openproject.project(args.project), openproject)
    return ToolResult(_project_text(p), p)


async def _project_links(client: OpenProjectClient, parent: str | None, status: str | None) -> dict[str, Any]:
    links: dict[str, Any] = {}
    if parent is not None:
        links["parent"] = {"href": f"/api/v3/projects/{await client.project_id(parent)}" if parent else None}
    if status is not None:
        links["status"] = {"href": f"/api/v3/project_statuses/{status}" if status else None}
    return links


class CreateProject(Arguments):
    name: ProjectName
    identifier: Identifier
    description: Markdown | None = None
    public: bool | None = None
    parent: Annotated[ProjectKey | None, _ref("parent", "parent_id", "parentId")] = None
    status: Status | None = None
    status_explanation: Markdown | None = None


@tool("openproject_create_project", title="OpenProject: create project", toolset=PROJECTS, effect="create")
async def create_project(openproject: OpenProjectClient, args: CreateProject) -> ToolResult:
    """Create a project: name, identifier (unique; lower-case letters, digits, - and _), description in
    Markdown, public or private (private unless said), parent project by identifier or id, status.
    Returns the new project."""
    body: dict[str, Any] = {"name": args.name, "identifier": args.identifier}
    if args.description is not None:
        body["description"] = {"format": "markdown", "raw": args.description}
    if args.public is not None:
        body["public"] = args.public
    if args.status_explanation is not None:
        body["statusExplanation"] = {"format": "markdown", "raw": args.status_explanation}
    links = await _project_links(openproject, args.parent, args.status)
    if links:
        body["_links"] = links
    p = _project(await openproject.create_project(body), openproject)
    under = f", a subproject of {p['parent']['name']}" if p["parent"] else ""
    return ToolResult(
        f"Created project {p['name']} ({p['identifier']}, id {p['id']}), "
        f"{'public' if p['public'] else 'private'}{under}.\nURL: {p['url']}\n",
        p,
    )


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or f"#{value.get('id')}")
    return "none" if value is None else str(value)


class UpdateProject(Arguments):
    project: Annotated[ProjectKey, _ref("project", "id", "project_id", "projectId")]
    name: ProjectName | None = None
    description: Markdown | None = None
    public: bool | None = None
    active: bool | None = None
    parent: Annotated[
        str | None,
        BeforeValidator(_text),
        Field(
            pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$",
            description="Parent project id or identifier; an empty string makes it a top-level project",
        ),
        _ref("parent", "parent_id", "parentId"),
    ] = None
    status: Annotated[Status | Literal[""] | None, Field(description="Project status, or '' to clear it")] = None
    status_explanation: Markdown | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateProject:
        fields = (self.name, self.description, self.public, self.active, self.parent, self.status)
        if all(v is None for v in (*fields, self.status_explanation)):
            raise ValueError(
                "give at least one of name, description, public, active, parent, status, status_explanation"
            )
        return self


@tool("openproject_update_project", title="OpenProject: update project", toolset=PROJECTS, effect="update")
async def update_project(openproject: OpenProjectClient, args: UpdateProject) -> ToolResult:
    """Change a project's name, description (Markdown), public flag, active (false archives it), parent
    (identifier or id; '' for none), status or status explanation. Only the fields given are sent (projects
    carry no lockVersion), so nobody's other changes are overwritten. Returns what changed."""
    before = _project(await openproject.project(args.project), openproject)
    changes: dict[str, Any] = {}
    for key, value in (("name", args.name), ("public", args.public), ("active", args.active)):
        if value is not None:
            changes[key] = value
    if args.description is not None:
        changes["description"] = {"format": "markdown", "raw": args.description}
    if args.status_explanation is not None:
        changes["statusExplanation"] = {"format": "markdown", "raw": args.status_explanation}
    links = await _project_links(openproject, args.parent, args.status)
    if links:
        changes["_links"] = links
    after = _project(await openproject.update_project(str(before["id"]), changes), openproject)
    fields = [k for k in ("name", "description", "public", "active", "statusExplanation") if k in changes] + list(links)
    changed = {
        f: {"before": before[k], "after": after[k]}
        for f, k in (
            ("name", "name"),
            ("public", "public"),
            ("active", "active"),
            ("parent", "parent"),
            ("status", "status"),
        )
        if f in fields and before[k] != after[k]
    }
    said = [
        f"{f} {_shown(changed[f]['before'])} → {_shown(changed[f]['after'])}" if f in changed else f for f in fields
    ]
    return ToolResult(
        f"Updated project {after['name']} ({after['identifier']}, id {after['id']}): {', '.join(said)}.\n",
        {**after, "updated_fields": fields, "changes": changed},
    )


class DeleteProject(Arguments):
    project: Annotated[ProjectKey, _ref("project", "id", "project_id", "projectId")]


@tool("openproject_delete_project", title="OpenProject: delete project", toolset=PROJECTS, effect="delete")
async def delete_project(openproject: OpenProjectClient, args: DeleteProject) -> ToolResult:
    """Delete a project permanently, with its work packages and everything else in it (administrators
    only). OpenProject archives it at once and deletes it in the background, so it may still be listed,
    archived, for a while. Says what it deleted."""
    p = _project(await openproject.project(args.project), openproject)
    project_filter = [{"project": {"operator": "=", "values": [str(p["id"])]}}]
    count = (await openproject.search(project_filter, 1, 1)).get("total")
    status = await openproject.delete_project(str(p["id"]))
    held = f", with its {count} work packages" if isinstance(count, int) else ""
    return ToolResult(
        f"Deleted project {p['name']} ({p['identifier']}, id {p['id']}){held}. OpenProject deletes a project "
        "in the background: it is archived at once and may still be listed for a while.\n",
        {
            "deleted": True,
            "asynchronous": True,
            "status": status,
            "project": {"id": p["id"], "identifier": p["identifier"], "name": p["name"]},
            "work_packages": count,
        },
    )


# ---------------------------------------------------------------------- work packages: priorities, search


@tool("openproject_list_priorities", title="OpenProject: list priorities", toolset=WORK_PKGS)
async def list_priorities(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """List the work package priorities, lowest first, and which is the default."""
    rows = [
        {"id": p.get("id"), "name": p.get("name"), "is_default": bool(p.get("isDefault")), "active": p.get("isActive")}
        for p in await openproject.priorities()
    ]
    lines = ["Priorities:"] + [f"- {r['name']} (id {r['id']}){' — default' if r['is_default'] else ''}" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"priorities": rows})


class Search(Arguments):
    query: Annotated[str, Field(min_length=1, max_length=500, description="Words to find")]
    type: Annotated[
        Literal["work_package", "project", "user"],
        Field(description="What to search: work_package (default) or project"),
    ] = "work_package"
    project: Annotated[ProjectKey | None, _ref("project", "project_id", "projectId")] = None
    limit: Annotated[PageSize, _ref("limit", "page_size", "pageSize")] = 10
    offset: Offset = 1


@tool("openproject_search", title="OpenProject: search", toolset=WORK_PKGS)
async def search(openproject: OpenProjectClient, args: Search) -> ToolResult:
    """Full-text search: work packages (subject, description and comments, open or closed; of one project if
    given), or projects by name or identifier with type=project. Newest change first; pages with offset
    (1-based page number) and limit; reports the total."""
    if args.type == "user":
        raise InvalidArguments(
            "Search users with openproject_list_users; this search covers work packages and projects."
        )
    if args.type == "project":
        data = await openproject.find_projects(args.query, args.limit, args.offset)
        rows = [
            {"id": p.get("id"), "identifier": p.get("identifier"), "name": p.get("name"), "active": p.get("active")}
            for p in elements(data)
        ]
        listed = [f"- {r['identifier']} (id {r['id']}) — {r['name']}" for r in rows]
        key = "projects"
    else:
        filters: list[dict[str, Any]] = [{"search": {"operator": "**", "values": [args.query]}}]
        if args.project:
            filters.append({"project": {"operator": "=", "values": [await openproject.project_id(args.project)]}})
        data = await openproject.search(filters, args.limit, args.offset)
        rows = [brief(wp, openproject) for wp in elements(data)]
        listed = [line(r) for r in rows]
        key = "work_packages"
    total = data.get("total")
    more = _next(total, args.offset, args.limit, len(rows))
    what = key.replace("_", " ")
    head = (
        f"{len(rows)} of {total} {what} matching '{args.query}' (page {args.offset}):"
        if rows
        else f"No {what} match '{args.query}'."
    )
    lines = [head, *listed]
    _more(lines, "openproject_search", more)
    structured = {key: rows, "type": args.type, "total": total, "offset": args.offset, "next_offset": more}
    return ToolResult("\n".join(lines) + "\n", structured)


# ---------------------------------------------------------------------- notifications


def _reasons(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Reason = Literal[
    "mentioned",
    "assigned",
    "responsible",
    "watched",
    "subscribed",
    "commented",
    "created",
    "processed",
    "prioritized",
    "scheduled",
    "dateAlert",
    "shared",
    "reminder",
]
Reasons = Annotated[
    list[Reason] | None,
    BeforeValidator(_reasons),
    Field(max_length=len(REASONS), description="Reasons, e.g. ['mentioned', 'assigned'] or 'mentioned,assigned'"),
]


def _notification(n: dict[str, Any]) -> dict[str, Any]:
    links = n.get("_links") or {}
    resource = links.get("resource")
    rid = href_id(resource) if isinstance(resource, dict) and resource.get("href") else None
    return {
        "id": n.get("id"),
        "reason": n.get("reason"),
        "read": bool(n.get("readIAN")),
        "work_package_id": int(rid) if rid and rid.isdigit() else None,
        "subject": _title(resource),
        "project": _title(links.get("project")),
        "actor": _title(links.get("actor")),
        "created_at": n.get("createdAt"),
    }


def _notification_line(r: dict[str, Any]) -> str:
    about = f"#{r['work_package_id']} {r['subject']}" if r["work_package_id"] else "(no work package)"
    where = f" ({r['project']})" if r["project"] else ""
    by = f" by {r['actor']}" if r["actor"] else ""
    return f"- #{r['id']} [{'read' if r['read'] else 'unread'}] {r['reason']}: {about}{where}{by}, {r['created_at']}"


async def _notification_filters(
    client: OpenProjectClient, read: bool | None, reasons: Sequence[str] | None, project: str | None
) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    if read is not None:
        filters.append({"readIAN": {"operator": "=", "values": ["t" if read else "f"]}})
    if reasons:
        filters.append({"reason": {"operator": "=", "values": sorted(set(reasons))}})
    if project:
        filters.append({"project": {"operator": "=", "values": [await client.project_id(project)]}})
    return filters


class ListNotifications(Arguments):
    unread: Annotated[bool | None, Field(description="true: unread only; false: read only; omitted: all")] = None
    reason: Reasons = None
    project: Annotated[ProjectKey | None, _ref("project", "project_id", "projectId")] = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 20
    offset: Offset = 1


@tool("openproject_list_notifications", title="OpenProject: list notifications", toolset=NOTIFICATIONS)
async def list_notifications(openproject: OpenProjectClient, args: ListNotifications) -> ToolResult:
    """List the signed-in user's in-app notifications, newest first: read or unread, why (mentioned,
    assigned, watched, dateAlert, …), the work package, project and who caused it. Narrow by unread, reason
    and project; pages with offset (1-based page number) and page_size; reports the total."""
    read = None if args.unread is None else not args.unread
    filters = await _notification_filters(openproject, read, args.reason, args.project)
    data = await openproject.notifications(filters, args.page_size, args.offset)
    rows = [_notification(n) for n in elements(data)]
    total = data.get("total")
    more = _next(total, args.offset, args.page_size, len(rows))
    kind = {None: "", True: "unread ", False: "read "}[args.unread]
    head = f"{len(rows)} of {total} {kind}notifications (page {args.offset}):" if rows else f"No {kind}notifications."
    lines = [head, *(_notification_line(r) for r in rows)]
    _more(lines, "openproject_list_notifications", more)
    structured = {
        "notifications": rows,
        "total": total,
        "offset": args.offset,
        "page_size": args.page_size,
        "next_offset": more,
        "filters": filters,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


class MarkNotificationRead(Arguments):
    notification_id: Annotated[Id, _ref("notification_id", "id")]


@tool(
    "openproject_mark_notification_read",
    title="OpenProject: mark notification read",
    toolset=NOTIFICATIONS,
    effect="set",
)
async def mark_notification_read(openproject: OpenProjectClient, args: MarkNotificationRead) -> ToolResult:
    """Mark one of the signed-in user's notifications as read; says which it was. Another user's
    notification is not found."""
    r = _notification(await openproject.notification(args.notification_id))
    if not r["read"]:
        await openproject.read_notification(args.notification_id)
    about = f"#{r['work_package_id']} {r['subject']}" if r["work_package_id"] else "no work package"
    was = "" if not r["read"] else " (it already was)"
    return ToolResult(
        f"Marked notification #{r['id']} ({r['reason']}: {about}) as read{was}.\n",
        {**r, "read": True, "was_read": r["read"]},
    )


class MarkAllNotificationsRead(Arguments):
    reason: Reasons = None
    project: Annotated[ProjectKey | None, _ref("project", "project_id", "projectId")] = None


@tool(
    "openproject_mark_all_notifications_read",
    title="OpenProject: mark all notifications read",
    toolset=NOTIFICATIONS,
    effect="set",
)
async def mark_all_notifications_read(openproject: OpenProjectClient, args: MarkAllNotificationsRead) -> ToolResult:
    """Mark all of the signed-in user's unread notifications as read, or only those of some reasons or of one
    project; says how many were unread."""
    filters = await _notification_filters(openproject, False, args.reason, args.project)
    unread = (await openproject.notifications(filters, 1, 1)).get("total")
    if unread == 0:
        return ToolResult("No unread notifications to mark; nothing changed.\n", {"marked": 0, "filters": filters})
    await openproject.read_notifications(filters)
    narrowed = [
        f"reason {', '.join(args.reason)}" if args.reason else "",
        f"project {args.project}" if args.project else "",
    ]
    scope = f" ({'; '.join(n for n in narrowed if n)})" if any(narrowed) else ""
    return ToolResult(f"Marked {unread} unread notifications as read{scope}.\n", {"marked": unread, "filters": filters})


# ---------------------------------------------------------------------- queries


def _filter_text(f: dict[str, Any]) -> str:
    links = f.get("_links") or {}
    operator = _title(links.get("operator")) or href_id(links.get("operator")) or "?"
    linked = links.get("values")
    values = (
        [str(_title(v) or href_id(v)) for v in linked if isinstance(v, dict)]
        if isinstance(linked, list) and linked
        else [str(v) for v in f.get("values") or []]
    )
    name = f.get("name") or _title(links.get("filter")) or "?"
    return f"{name} {operator}" + (f" {', '.join(values)}" if values else "")


def _query(q: dict[str, Any]) -> dict[str, Any]:
    links = q.get("_links") or {}
    group = links.get("groupBy")
    return {
        "id": q.get("id"),
        "name": q.get("name"),
        "project": _title(links.get("project")),
        "owner": _title(links.get("user")),
        "public": bool(q.get("public")),
        "starred": bool(q.get("starred")),
        "hidden": bool(q.get("hidden")),
        "filters": [_filter_text(f) for f in q.get("filters") or [] if isinstance(f, dict)],
        "columns": [str(c.get("title")) for c in links.get("columns") or [] if isinstance(c, dict)],
        "sort_by": [str(s.get("title")) for s in links.get("sortBy") or [] if isinstance(s, dict)],
        "group_by": _title(group),
        "updated_at": q.get("updatedAt"),
    }


def _raw_filters(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > 5_000:
            raise ValueError("filters is longer than 5,000 characters")
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(
                'filters must be a JSON array such as [{"project":{"operator":"=","values":["1"]}}]'
            ) from None
    return value


class ListQueries(Arguments):
    project: Annotated[ProjectKey | None, _ref("project", "project_id", "projectId")] = None
    include_hidden: Annotated[bool, Field(description="Also list hidden queries (board columns)")] = False
    filters: Annotated[
        list[dict[str, dict[str, Any]]] | None,
        BeforeValidator(_raw_filters),
        Field(max_length=10, description="More OpenProject query filters, as a JSON array (the peer's raw filters)"),
    ] = None


@tool("openproject_list_queries", title="OpenProject: list saved queries", toolset=QUERIES)
async def list_queries(openproject: OpenProjectClient, args: ListQueries) -> ToolResult:
    """List the saved work package queries (views) the user can see: their own and public ones, of one
    project if given; hidden ones (board columns) only when asked. Each with its filters and owner."""
    filters: list[dict[str, Any]] = list(args.filters or [])
    if args.project:
        filters.append({"project": {"operator": "=", "values": [await openproject.project_id(args.project)]}})
    if not args.include_hidden:
        filters.append({"hidden": {"operator": "=", "values": ["f"]}})
    data = await openproject.queries(filters)
    rows = [_query(q) for q in elements(data)]
    lines = [f"{len(rows)} saved queries:" if rows else "No saved queries."]
    for r in rows:
        flags = ", ".join(x for x in ("public" if r["public"] else "private", "starred" if r["starred"] else "") if x)
        where = r["project"] or "all projects"
        lines.append(
            f"- #{r['id']} {r['name']} ({where}; {flags}; by {r['owner']}): {'; '.join(r['filters']) or 'no filters'}"
        )
    return ToolResult("\n".join(lines) + "\n", {"queries": rows, "total": data.get("total"), "filters": filters})


class GetQuery(Arguments):
    query_id: Annotated[Id, _ref("query_id", "id")]
    results: Annotated[bool, Field(description="Also list the work packages it finds (a page of them)")] = True
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 20
    offset: Offset = 1


@tool("openproject_get_query", title="OpenProject: get saved query", toolset=QUERIES)
async def get_query(openproject: OpenProjectClient, args: GetQuery) -> ToolResult:
    """Get a saved query: its filters, columns, sort and grouping, how many work packages it finds and
    (unless results is false) a page of them. Pages with offset (1-based page number) and page_size."""
    data = await openproject.query(args.query_id, args.page_size if args.results else 0, args.offset)
    q = _query(data)
    found = (data.get("_embedded") or {}).get("results") or {}
    total = found.get("total")
    rows = [brief(wp, openproject) for wp in elements(found)] if args.results else []
    more = _next(total, args.offset, args.page_size, len(rows)) if args.results else None
    lines = [
        f"# Query #{q['id']}: {q['name']}",
        f"{q['project'] or 'All projects'} | {'public' if q['public'] else 'private'} | owner {q['owner']}",
        f"Filters: {'; '.join(q['filters']) or 'none'}",
        f"Columns: {', '.join(q['columns']) or 'default'}",
        f"Sorted by: {', '.join(q['sort_by']) or 'default'}"
        + (f" | grouped by {q['group_by']}" if q["group_by"] else ""),
        "",
        f"{total} work packages match." if isinstance(total, int) else "Its results were not included.",
    ]
    if rows:
        lines += [f"Page {args.offset}:", *(line(r) for r in rows)]
    _more(lines, "openproject_get_query", more)
    return ToolResult(
        "\n".join(lines) + "\n",
        {**q, "total": total, "work_packages": rows, "offset": args.offset, "next_offset": more},
    )


# ---------------------------------------------------------------------- boards


def _board(g: dict[str, Any]) -> dict[str, Any]:
    scope = str(((g.get("_links") or {}).get("scope") or {}).get("href") or "")
    parts = scope.strip("/").split("/")
    project = parts[1] if len(parts) == 3 and parts[0] == "projects" and parts[2] == "boards" else None
    options = g.get("options") or {}
    widgets = sorted(
        (w for w in g.get("widgets") or [] if isinstance(w, dict)),
        key=lambda w: (w.get("startRow") or 0, w.get("startColumn") or 0),
    )
    kind = "action board by " + str(options.get("attribute")) if options.get("type") == "action" else "basic board"
    return {
        "id": g.get("id"),
        "name": g.get("name"),
        "project": project,
        "scope": scope,
        "is_board": project is not None,
        "kind": kind,
        "columns": [
            {
                "widget_id": w.get("id"),
                "query_id": int(str(qid))
                if str(qid := (w.get("options") or {}).get("queryId") or "").isdigit()
                else None,
                "identifier": w.get("identifier"),
            }
            for w in widgets
        ],
        "updated_at": g.get("updatedAt"),
    }


class GetBoards(Arguments):
    project: Annotated[ProjectKey | None, _ref("project", "project_id", "projectId")] = None
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 20
    offset: Offset = 1


@tool("openproject_get_boards", title="OpenProject: list boards", toolset=QUERIES)
async def get_boards(openproject: OpenProjectClient, args: GetBoards) -> ToolResult:
    """List the boards (Kanban and basic) of a project, or of every project the user can see (the first 100
    when none is given): name, kind and number of columns. Pages with offset and page_size; reports the
    total."""
    if args.project:
        identifiers = [await openproject.project_identifier(args.project)]
    else:
        identifiers = [str(p.get("identifier")) for p in (await openproject.projects())[:100] if p.get("identifier")]
    if not identifiers:
        return ToolResult("No projects are visible to this user, so no boards.\n", {"boards": [], "total": 0})
    data = await openproject.grids([f"/projects/{i}/boards" for i in identifiers], args.page_size, args.offset)
    rows = [_board(g) for g in elements(data)]
    total = data.get("total")
    more = _next(total, args.offset, args.page_size, len(rows))
    where = f" of project {args.project}" if args.project else ""
    head = f"{len(rows)} of {total} boards{where} (page {args.offset}):" if rows else f"No boards{where}."
    lines = [head] + [
        f"- Board #{r['id']} {r['name'] or '(unnamed)'} in {r['project']}: {r['kind']}, {len(r['columns'])} columns"
        for r in rows
    ]
    _more(lines, "openproject_get_boards", more)
    return ToolResult(
        "\n".join(lines) + "\n", {"boards": rows, "total": total, "offset": args.offset, "next_offset": more}
    )


class GetBoard(Arguments):
    board_id: Annotated[Id, _ref("board_id", "id")]
    include_work_packages: Annotated[bool, Field(description="Read each column's work packages")] = True
    page_size: Annotated[
        int, Field(ge=1, le=50, description="Work packages shown per column"), _ref("page_size", "pageSize")
    ] = 10


@tool("openproject_get_board", title="OpenProject: get board", toolset=QUERIES)
async def get_board(openproject: OpenProjectClient, args: GetBoard) -> ToolResult:
    """Get a board: its columns, left to right, each a saved query, with how many work packages it holds
    and (unless include_work_packages is false) the first page_size of them. Reads at most 20 columns."""
    board = _board(await openproject.grid(args.board_id))
    if not board["is_board"]:
        raise InvalidArguments(f"Grid {args.board_id} is not a board (its scope is {board['scope'] or 'unknown'}).")
    lines = [f"# Board #{board['id']}: {board['name'] or '(unnamed)'} ({board['project']}, {board['kind']})"]
    columns: list[dict[str, Any]] = []
    for column in board["columns"][:MAX_COLUMNS]:
        entry: dict[str, Any] = {**column, "name": None, "total": None, "work_packages": []}
        if column["query_id"] is None:
            entry["name"] = column["identifier"]
            lines += ["", f"## {column['identifier']} (not a work package column)"]
            columns.append(entry)
            continue
        try:
            data = await openproject.query(column["query_id"], args.page_size if args.include_work_packages else 0, 1)
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            entry["name"] = f"query #{column['query_id']}"
            lines += ["", f"## Query #{column['query_id']}: not visible to this user"]
            columns.append(entry)
            continue
        found = (data.get("_embedded") or {}).get("results") or {}
        entry["name"], entry["total"] = data.get("name"), found.get("total")
        entry["work_packages"] = (
            [brief(wp, openproject) for wp in elements(found)] if args.include_work_packages else []
        )
        lines += ["", f"## {entry['name']} ({entry['total']} work packages)"]
        lines += [line(r) for r in entry["work_packages"]]
        columns.append(entry)
    skipped = len(board["columns"]) - len(columns)
    if skipped > 0:
        lines += ["", f"{skipped} more columns were not read (at most {MAX_COLUMNS} a call)."]
    return ToolResult("\n".join(lines) + "\n", {**board, "columns": columns})


# ---------------------------------------------------------------------- documents


def _sort(value: Any) -> Any:
    """The peer's "created_at:desc", "createdAt desc" or a JSON array, as [[field, direction]]."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError("sort_by must be like created_at:desc or id:asc") from None
    name, _, direction = text.replace(" ", ":").partition(":")
    return [[name, direction or "asc"]]


SortPair = Annotated[list[Annotated[str, Field(max_length=20)]], Field(min_length=2, max_length=2)]


class ListDocuments(Arguments):
    page_size: Annotated[PageSize, _ref("page_size", "pageSize")] = 20
    offset: Offset = 1
    sort_by: Annotated[
        list[SortPair] | None,
        BeforeValidator(_sort),
        Field(max_length=2, description="created_at:desc (default) or id:asc, …"),
        _ref("sort_by", "sortBy"),
    ] = None

    @model_validator(mode="after")
    def _known(self) -> ListDocuments:
        for name, direction in self.sort_by or []:
            if name not in ("id", "created_at", "createdAt") or direction.lower() not in ("asc", "desc"):
                raise ValueError("sort_by takes id or created_at, asc or desc")
        return self


def _document(d: dict[str, Any], client: OpenProjectClient) -> dict[str, Any]:
    links = d.get("_links") or {}
    return {
        "id": d.get("id"),
        "title": d.get("title"),
        "project": _title(links.get("project")),
        "project_id": href_id(links.get("project")),
        "created_at": d.get("createdAt"),
        "description": _raw(d.get("description")),
        "url": f"{client.base_url}/documents/{d.get('id')}",
    }


@tool("openproject_list_documents", title="OpenProject: list documents", toolset=DOCUMENTS)
async def list_documents(openproject: OpenProjectClient, args: ListDocuments) -> ToolResult:
    """List the documents of the projects the user can see, newest first unless sort_by says otherwise:
    title, project, date. Pages with offset (1-based page number) and page_size; reports the total."""
    sort = [[n if n != "createdAt" else "created_at", d.lower()] for n, d in args.sort_by or [["created_at", "desc"]]]
    data = await openproject.documents(args.page_size, args.offset, sort)
    rows = [_document(d, openproject) for d in elements(data)]
    for r in rows:
        r.pop("description")
    total = data.get("total")
    more = _next(total, args.offset, args.page_size, len(rows))
    head = f"{len(rows)} of {total} documents (page {args.offset}):" if rows else "No documents."
    lines = [head] + [f"- #{r['id']} {r['title']} ({r['project']}, {r['created_at']})" for r in rows]
    _more(lines, "openproject_list_documents", more)
    return ToolResult(
        "\n".join(lines) + "\n", {"documents": rows, "total": total, "offset": args.offset, "next_offset": more}
    )


class GetDocument(Arguments):
    document_id: Annotated[Id, _ref("document_id", "id")]


@tool("openproject_get_document", title="OpenProject: get document", toolset=DOCUMENTS)
async def get_document(openproject: OpenProjectClient, args: GetDocument) -> ToolResult:
    """Get one document: title, project, date and its description in Markdown."""
    d = _document(await openproject.document(args.document_id), openproject)
    text = (
        f"# {d['title']}\nProject: {d['project']} | Created: {d['created_at']}\nURL: {d['url']}\n\n"
        f"{d['description'] or '_No description._'}\n"
    )
    return ToolResult(text, d)
