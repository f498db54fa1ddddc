"""Reading OpenProject: who am I, projects, statuses, types, work package search and detail."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from passthrough.providers.openproject import OpenProjectClient, elements
from passthrough.tools._render import pick, present
from passthrough.tools._spec import Arguments, NoArguments, ToolResult, tool
from passthrough.tools.openproject._common import WORK_PKGS, ProjectRef, WorkPackageId, brief, detail, line, text


@tool("openproject_get_myself", title="OpenProject: who am I", toolset="openproject_users")
async def get_myself(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """Show the OpenProject user the request's API key belongs to."""
    me = await openproject.verified()
    data = pick(me, id="id", login="login", name="name", email="email", admin="admin", status="status")
    return ToolResult(
        f"Signed in to OpenProject ({openproject.base_url}) as {data['name']} "
        f"(login {data['login']}, id {data['id']}).",
        present(data),
    )


@tool("openproject_list_projects", title="OpenProject: list projects", toolset="openproject_projects")
async def list_projects(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """List the projects the user can see (id, identifier, name)."""
    projects = await openproject.projects()
    rows = [pick(p, id="id", identifier="identifier", name="name", active="active") for p in projects]
    lines = [f"{len(rows)} projects:"] + [f"- {r['identifier']} (id {r['id']}) — {r['name']}" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"projects": rows})


class SearchWorkPackages(Arguments):
    project: ProjectRef | None = None
    query: Annotated[str | None, Field(min_length=1, max_length=500, description="Words to find")] = None
    status: Annotated[
        str | None,
        Field(max_length=500, description="open (default), closed, all, or status names separated by commas"),
    ] = None
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Annotated[int, Field(ge=1, le=100_000, description="Page number, starting at 1")] = 1


async def _filters(client: OpenProjectClient, args: SearchWorkPackages) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    wanted = (args.status or "open").strip()
    lowered = wanted.casefold()
    if lowered in ("open", "closed"):
        filters.append({"status": {"operator": "o" if lowered == "open" else "c", "values": []}})
    elif lowered not in ("all", "*", "any"):
        statuses = await client.statuses()
        ids = [str(client.by_name(statuses, name, "status")["id"]) for name in wanted.split(",") if name.strip()]
        filters.append({"status": {"operator": "=", "values": ids}})
    if args.project:
        filters.append({"project": {"operator": "=", "values": [await client.project_id(args.project)]}})
    if args.query:
        filters.append({"search": {"operator": "**", "values": [args.query]}})
    return filters


@tool("openproject_search_work_packages", title="OpenProject: search work packages", toolset=WORK_PKGS)
async def search(openproject: OpenProjectClient, args: SearchWorkPackages) -> ToolResult:
    """Find work packages by project, words, and status (open by default, closed, all, or names). Pages with
    offset (1-based page number) and page_size; reports the total."""
    filters = await _filters(openproject, args)
    data = await openproject.search(filters, args.page_size, args.offset)
    rows = [brief(wp, openproject) for wp in elements(data)]
    total = data.get("total")
    shown_to = (args.offset - 1) * args.page_size + len(rows)
    more = isinstance(total, int) and shown_to < total
    head = f"{len(rows)} of {total} work packages (page {args.offset}):" if rows else "No work packages match."
    lines = [head, *(line(r) for r in rows)]
    if more:
        lines += [
            "",
            f"More: call openproject_search_work_packages with the same filters and offset={args.offset + 1}.",
        ]
    structured = {
        "work_packages": rows,
        "total": total,
        "offset": args.offset,
        "page_size": args.page_size,
        "next_offset": args.offset + 1 if more else None,
        "filters": filters,
    }
    return ToolResult("\n".join(lines) + "\n", structured)


class GetWorkPackage(Arguments):
    work_package_id: WorkPackageId
    activity_limit: Annotated[int, Field(ge=0, le=50)] = 5


@tool("openproject_get_work_package", title="OpenProject: get work package", toolset=WORK_PKGS)
async def get_work_package(openproject: OpenProjectClient, args: GetWorkPackage) -> ToolResult:
    """Get one work package: subject, status, type, assignee, dates, description (Markdown), recent activity."""
    wp = await openproject.work_package(args.work_package_id)
    activities = await openproject.activities(args.work_package_id) if args.activity_limit else []
    d = detail(wp, activities, openproject, args.activity_limit)
    return ToolResult(text(d), d)


@tool("openproject_list_statuses", title="OpenProject: list statuses", toolset=WORK_PKGS)
async def list_statuses(openproject: OpenProjectClient, _: NoArguments) -> ToolResult:
    """List the work package statuses (and which count as closed)."""
    statuses = await openproject.statuses()
    rows = [pick(s, id="id", name="name", is_closed="isClosed", is_default="isDefault") for s in statuses]
    lines = ["Statuses:"] + [f"- {r['name']} (id {r['id']}){' — closed' if r['is_closed'] else ''}" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"statuses": rows})


class ListTypes(Arguments):
    project: ProjectRef | None = None


@tool("openproject_list_types", title="OpenProject: list types", toolset=WORK_PKGS)
async def list_types(openproject: OpenProjectClient, args: ListTypes) -> ToolResult:
    """List the work package types, of one project if given."""
    project_id = await openproject.project_id(args.project) if args.project else None
    rows = [pick(t, id="id", name="name", is_milestone="isMilestone") for t in await openproject.types(project_id)]
    where = f" in project {args.project}" if args.project else ""
    lines = [f"Work package types{where}:"] + [f"- {r['name']} (id {r['id']})" for r in rows]
    return ToolResult("\n".join(lines) + "\n", {"project": args.project, "types": rows})
