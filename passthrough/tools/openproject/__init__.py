"""OpenProject tools."""

from passthrough.tools.openproject._read import READ_TOOLS
from passthrough.tools.openproject._write import WRITE_TOOLS

OPENPROJECT_TOOLS = (*READ_TOOLS, *WRITE_TOOLS)

__all__ = ["OPENPROJECT_TOOLS"]
