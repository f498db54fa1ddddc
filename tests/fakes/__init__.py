"""Fake upstream servers (Jira, later Confluence and OpenProject) for tests."""

from ._base import FakeUpstream, Fault, RecordedRequest
from .jira import FakeJira, JiraUser

__all__ = ["FakeJira", "FakeUpstream", "Fault", "JiraUser", "RecordedRequest"]
