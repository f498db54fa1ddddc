"""Writing to OpenProject: create and update work packages (names resolved to links), comments.

Updates go through `patch_safely` (see _common.py): never over someone else's concurrent change.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from passthrough.providers.openproject import OpenProjectClient
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.openproject._common import WORK_PKGS, ProjectRef, WorkPackageId, brief, patch_safely

Markdown = Annotated[str, Field(max_length=100_000, description="Markdown")]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Assignee = Annotated[str, Field(pattern=r"^(me|[0-9]{1,12})$", description="'me' or a user id")]


async def _assignee_href(client: OpenProjectClient, assignee: str) -> str:
    user_id = (await client.verified())["id"] if assignee == "me" else assignee
    return f"/api/v3/users/{user_id}"


class CreateWorkPackage(Arguments):
    project: ProjectRef
    subject: Name
    type: Name = "Task"
    description: Markdown | None = None
    status: Name | None = None
    assignee: Assignee | None = None


@tool("openproject_create_work_package", title="OpenProject: create work package", toolset=WORK_PKGS, effect="create")
async def create(openproject: OpenProjectClient, args: CreateWorkPackage) -> ToolResult:
    """Create a work package in a project; type and status by name, assignee 'me' or a user id; description in
    Markdown."""
    project_id = await openproject.project_id(args.project)
    kind = openproject.by_name(await openproject.types(project_id), args.type, "type")
    links: dict[str, Any] = {"type": {"href": f"/api/v3/types/{kind['id']}"}}
    if args.status:
        status = openproject.by_name(await openproject.statuses(), args.status, "status")
        links["status"] = {"href": f"/api/v3/statuses/{status['id']}"}
    if args.assignee:
        links["assignee"] = {"href": await _assignee_href(openproject, args.assignee)}
    body: dict[str, Any] = {"subject": args.subject, "_links": links}
    if args.description is not None:
        body["description"] = {"format": "markdown", "raw": args.description}
    wp = await openproject.create(project_id, body)
    b = brief(wp, openproject)
    return ToolResult(
        f"Created work package #{b['id']}: {b['subject']} ({b['type']}, {b['status']})\nURL: {b['url']}\n",
        {**b, "lock_version": wp.get("lockVersion")},
    )


class UpdateWorkPackage(Arguments):
    work_package_id: WorkPackageId
    subject: Name | None = None
    description: Markdown | None = None
    status: Name | None = None
    assignee: Assignee | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateWorkPackage:
        if all(v is None for v in (self.subject, self.description, self.status, self.assignee)):
            raise ValueError("give at least one of subject, description, status, assignee")
        return self


@tool("openproject_update_work_package", title="OpenProject: update work package", toolset=WORK_PKGS, effect="update")
async def update(openproject: OpenProjectClient, args: UpdateWorkPackage) -> ToolResult:
    """Change a work package's subject, description (Markdown), status (by name) or assignee. Never overwrites
    someone else's concurrent change to the same field."""
    changes: dict[str, Any] = {}
    links: dict[str, Any] = {}
    if args.subject is not None:
        changes["subject"] = args.subject
    if args.description is not None:
        changes["description"] = {"format": "markdown", "raw": args.description}
    if args.status is not None:
        status = openproject.by_name(await openproject.statuses(), args.status, "status")
        links["status"] = {"href": f"/api/v3/statuses/{status['id']}"}
    if args.assignee is not None:
        links["assignee"] = {"href": await _assignee_href(openproject, args.assignee)}
    if links:
        changes["_links"] = links
    fields = [f for f in ("subject", "description") if f in changes] + list(links)

    wp, retried = await patch_safely(openproject, args.work_package_id, changes, fields)
    b = brief(wp, openproject)
    note = " (after a concurrent change to other fields)" if retried else ""
    return ToolResult(
        f"Updated work package #{b['id']}: {', '.join(fields)}{note}. Status: {b['status']}.\n",
        {**b, "updated_fields": fields, "lock_version": wp.get("lockVersion"), "retried": retried},
    )


class AddComment(Arguments):
    work_package_id: WorkPackageId
    comment: Annotated[str, Field(min_length=1, max_length=100_000, description="Markdown")]


@tool("openproject_add_comment", title="OpenProject: add comment", toolset=WORK_PKGS, effect="create")
async def add_comment(openproject: OpenProjectClient, args: AddComment) -> ToolResult:
    """Add a comment (Markdown) to a work package."""
    activity = await openproject.comment(args.work_package_id, args.comment)
    return ToolResult(
        f"Added a comment to work package #{args.work_package_id}.\n",
        {"work_package_id": args.work_package_id, "activity_id": activity.get("id")},
    )
