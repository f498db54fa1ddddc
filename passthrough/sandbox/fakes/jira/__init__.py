"""The fake Jira (Server/Data Center and Cloud): ``_app`` assembles it, ``routes/`` holds one module a resource."""

from ._app import FakeJira
from ._data import JiraUser

__all__ = ["FakeJira", "JiraUser"]
