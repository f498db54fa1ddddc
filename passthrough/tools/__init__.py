"""Tools: each one a decorated handler (`tool`), collected per provider, and the registry built from settings."""

from passthrough.tools._registry import ToolRegistry, all_tools, build_registry
from passthrough.tools._spec import Arguments, NoArguments, ToolContext, ToolResult, ToolSpec, declared, tool

__all__ = [
    "Arguments",
    "NoArguments",
    "ToolContext",
    "ToolRegistry",
    "ToolResult",
    "ToolSpec",
    "all_tools",
    "build_registry",
    "declared",
    "tool",
]
