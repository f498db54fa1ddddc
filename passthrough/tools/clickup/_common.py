"""What the ClickUp tools share: toolset names and argument types."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

WORKSPACES = "clickup_workspaces"
TASKS = "clickup_tasks"
COMMENTS = "clickup_comments"
TIME = "clickup_time"

WorkspaceId = Annotated[
    str, Field(pattern=r"^[0-9]{1,20}$", description="Workspace id (a ClickUp team_id), e.g. 9010101")
]
ContainerId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$", description="A space, folder or list id")]
TaskId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
        description="Task id (e.g. 86b1aa001) or custom task id (e.g. ENG-1)",
    ),
]
