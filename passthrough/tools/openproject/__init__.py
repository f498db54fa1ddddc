"""OpenProject tools."""

from passthrough.tools._spec import declared
from passthrough.tools.openproject import _read, _write

OPENPROJECT_TOOLS = declared(_read, _write)

__all__ = ["OPENPROJECT_TOOLS"]
