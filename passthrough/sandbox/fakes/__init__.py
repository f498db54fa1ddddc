"""Realistic simulated Jira, Confluence and OpenProject: the tests' upstreams and the sandbox's."""

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
