"""Jira tools."""

from passthrough.tools._spec import declared
from passthrough.tools.jira import _browse, _read, _write

JIRA_TOOLS = declared(_read, _browse, _write)

__all__ = ["JIRA_TOOLS"]
