"""Jira tools."""

from passthrough.tools.jira._browse import BROWSE_TOOLS
from passthrough.tools.jira._read import READ_TOOLS
from passthrough.tools.jira._write import WRITE_TOOLS

JIRA_TOOLS = (*READ_TOOLS, *BROWSE_TOOLS, *WRITE_TOOLS)

__all__ = ["JIRA_TOOLS"]
