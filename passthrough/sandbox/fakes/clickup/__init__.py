"""The fake ClickUp (API v2): ``_app`` assembles it, ``routes/`` holds one module a resource."""

from ._app import FakeClickUp
from ._data import ClickUpUser, personal_token

__all__ = ["ClickUpUser", "FakeClickUp", "personal_token"]
