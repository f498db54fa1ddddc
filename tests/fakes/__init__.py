"""Fake upstream servers (Jira, later Confluence and OpenProject) for tests."""

from ._base import FakeUpstream, Fault, RecordedRequest
from .confluence import ConfluenceUser, FakeConfluence
from .jira import FakeJira, JiraUser
from .openproject import FakeOpenProject, OpenProjectUser

__all__ = [
    "ConfluenceUser",
    "FakeConfluence",
    "FakeJira",
    "FakeOpenProject",
    "FakeUpstream",
    "Fault",
    "JiraUser",
    "OpenProjectUser",
    "RecordedRequest",
]
