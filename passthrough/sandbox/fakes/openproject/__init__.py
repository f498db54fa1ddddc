"""The fake OpenProject."""

from ._app import FakeOpenProject, OpenProjectUser

__all__ = ["FakeOpenProject", "OpenProjectUser"]
