"""Confluence tools, one module a family; `declared` lists every `@tool` in them, in order."""

from passthrough.tools._spec import declared
from passthrough.tools.confluence import _attachments, _discussion, _history, _people, _read, _structure, _write

CONFLUENCE_TOOLS = declared(_read, _write, _history, _structure, _discussion, _attachments, _people)

__all__ = ["CONFLUENCE_TOOLS"]
