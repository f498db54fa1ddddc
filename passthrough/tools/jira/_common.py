"""What the Jira tools share: argument types and the client for this request."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from passthrough.providers.jira import JiraClient
from passthrough.tools._spec import ToolContext

IssueKey = Annotated[
    str,
    Field(
        pattern=r"^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$",
        max_length=64,
        description="Issue key such as PROJ-123 (or the numeric issue id)",
    ),
]


def jira(ctx: ToolContext) -> JiraClient:
    upstream, credential = ctx.upstream("jira")
    return JiraClient(upstream, credential)


ProjectKey = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64, description="Project key such as PROJ"),
]
