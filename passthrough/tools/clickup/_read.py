"""Reading ClickUp: who am I, and the Workspaces the token may use."""

from __future__ import annotations

from typing import Any

from passthrough.providers.clickup import ClickUpClient
from passthrough.tools._render import pick, present
from passthrough.tools._spec import NoArguments, ToolResult, tool
from passthrough.tools.clickup._common import WORKSPACES

_ROLES = {1: "owner", 2: "admin", 3: "member", 4: "guest"}


@tool("clickup_get_myself", title="ClickUp: who am I", toolset=WORKSPACES)
async def get_myself(clickup: ClickUpClient, _: NoArguments) -> ToolResult:
    """Show the ClickUp user the request's token belongs to (id, username, email, timezone)."""
    me = await clickup.me()
    data = pick(me, id="id", username="username", email="email", initials="initials", timezone="timezone")
    return ToolResult(
        f"Signed in to ClickUp as {data['username']} (id {data['id']}, {data['email']}).",
        present(data),
    )


def _member(entry: Any) -> dict[str, Any] | None:
    user = entry.get("user") if isinstance(entry, dict) else None
    if not isinstance(user, dict):
        return None
    role = user.get("role")
    return {
        "id": user.get("id"),
        "username": user.get("username"),
        "email": user.get("email"),
        "role": _ROLES.get(role, role) if isinstance(role, int) else role,
    }


@tool("clickup_list_workspaces", title="ClickUp: list workspaces", toolset=WORKSPACES)
async def list_workspaces(clickup: ClickUpClient, _: NoArguments) -> ToolResult:
    """List the Workspaces (API v2 "teams") the token may use: id, name and members with their roles. The id
    is the workspace_id other ClickUp tools take."""
    teams = await clickup.workspaces()
    rows: list[dict[str, Any]] = []
    for team in teams:
        members = [m for m in (_member(e) for e in team.get("members") or []) if m is not None]
        rows.append(
            {"id": str(team.get("id")), "name": team.get("name"), "color": team.get("color"), "members": members}
        )
    if not rows:
        return ToolResult("This token may use no ClickUp Workspace.\n", {"workspaces": []})
    lines = [f"{len(rows)} workspace{'s' if len(rows) != 1 else ''}:"]
    for row in rows:
        names = ", ".join(str(m["username"]) for m in row["members"][:10])
        more = f" and {len(row['members']) - 10} more" if len(row["members"]) > 10 else ""
        count = len(row["members"])
        lines.append(
            f"- {row['name']} (workspace_id {row['id']}) — {count} member{'s' if count != 1 else ''}: {names}{more}"
        )
    return ToolResult("\n".join(lines) + "\n", {"workspaces": rows})
