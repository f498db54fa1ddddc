"""Confluence tools."""

from passthrough.tools._spec import declared
from passthrough.tools.confluence import _read, _write

CONFLUENCE_TOOLS = declared(_read, _write)

__all__ = ["CONFLUENCE_TOOLS"]
