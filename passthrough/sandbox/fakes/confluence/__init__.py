"""The fake Confluence."""

from ._app import ConfluenceUser, FakeConfluence

__all__ = ["ConfluenceUser", "FakeConfluence"]
