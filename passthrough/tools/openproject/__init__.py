"""OpenProject tools, one module a family; `declared` lists every `@tool` in them, in order."""

from passthrough.tools._spec import declared
from passthrough.tools.openproject import _attachments, _people, _read, _relations, _time, _workspace, _write

OPENPROJECT_TOOLS = declared(_read, _write, _relations, _time, _people, _workspace, _attachments)

__all__ = ["OPENPROJECT_TOOLS"]
