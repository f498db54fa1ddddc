"""The fake Confluence (Server/DC and Cloud): ``_app`` assembles it, ``routes/`` holds one module a resource."""

from ._app import FakeConfluence
from ._data import ConfluenceUser

__all__ = ["ConfluenceUser", "FakeConfluence"]
