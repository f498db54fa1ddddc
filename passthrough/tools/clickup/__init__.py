"""ClickUp tools, one module a family; `declared` lists every `@tool` in them, in order."""

from passthrough.tools._spec import declared
from passthrough.tools.clickup import _discussion, _read, _tasks, _time

CLICKUP_TOOLS = declared(_read, _tasks, _discussion, _time)

__all__ = ["CLICKUP_TOOLS"]
