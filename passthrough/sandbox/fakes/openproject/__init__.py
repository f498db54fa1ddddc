"""The fake OpenProject (API v3): ``_app`` assembles it, ``routes/`` holds one module a resource."""

from ._app import FakeOpenProject
from ._data import OpenProjectUser

__all__ = ["FakeOpenProject", "OpenProjectUser"]
