"""Jira tools, one module a family; `declared` lists every `@tool` in them, in order."""

from passthrough.tools._spec import declared
from passthrough.tools.jira import (
    _agile,
    _browse,
    _extras,
    _forms,
    _issue_ops,
    _people,
    _projects,
    _read,
    _service_desk,
    _write,
)

JIRA_TOOLS = declared(_read, _browse, _write, _people, _projects, _issue_ops, _agile, _extras, _forms, _service_desk)

__all__ = ["JIRA_TOOLS"]
