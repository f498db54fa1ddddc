"""The fake upstreams live in the package (they also power `passthrough serve --sandbox`); tests import them here."""

from passthrough.sandbox.fakes import (
    ConfluenceUser,
    FakeConfluence,
    FakeJira,
    FakeOpenProject,
    FakeUpstream,
    Fault,
    JiraUser,
    OpenProjectUser,
    RecordedRequest,
)

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
