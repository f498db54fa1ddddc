"""Tools: each one a decorated handler (`tool`), collected per provider, and the registry built from settings."""

from passthrough.tools._registry import ToolRegistry, all_tools, build_registry
from passthrough.tools._spec import (
    Arguments,
    NoArguments,
    Progress,
    ToolContext,
    ToolResult,
    ToolSpec,
    declared,
    progress,
    tool,
)

__all__ = [
    "Arguments",
    "NoArguments",
    "Progress",
    "ToolContext",
    "ToolRegistry",
    "ToolResult",
    "ToolSpec",
    "all_tools",
    "build_registry",
    "declared",
    "progress",
    "tool",
]
