"""Jira tools."""

from passthrough.tools.jira._read import READ_TOOLS

JIRA_TOOLS = READ_TOOLS

__all__ = ["JIRA_TOOLS"]
