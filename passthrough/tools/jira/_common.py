"""What the Jira tools share: argument types."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

IssueKey = Annotated[
    str,
    Field(
        pattern=r"^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$",
        max_length=64,
        description="Issue key such as PROJ-123 (or the numeric issue id)",
    ),
]


ProjectKey = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64, description="Project key such as PROJ"),
]
