"""Confluence tools."""

from passthrough.tools.confluence._read import READ_TOOLS
from passthrough.tools.confluence._write import WRITE_TOOLS

CONFLUENCE_TOOLS = (*READ_TOOLS, *WRITE_TOOLS)

__all__ = ["CONFLUENCE_TOOLS"]
