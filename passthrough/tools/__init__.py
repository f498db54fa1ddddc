"""Tools: specs (name, arguments, annotations, handler) and the registry built from settings."""

from passthrough.tools._registry import ToolRegistry, all_tools, build_registry
from passthrough.tools._spec import Arguments, NoArguments, ToolContext, ToolResult, ToolSpec, write_tool

__all__ = [
    "Arguments",
    "NoArguments",
    "ToolContext",
    "ToolRegistry",
    "ToolResult",
    "ToolSpec",
    "all_tools",
    "build_registry",
    "write_tool",
]
