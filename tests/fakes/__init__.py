"""The fake upstreams live in the package (they also power `passthrough serve --sandbox`); tests import them here."""

from passthrough.sandbox.fakes import ClickUpUser as ClickUpUser
from passthrough.sandbox.fakes import ConfluenceUser as ConfluenceUser
from passthrough.sandbox.fakes import FakeClickUp as FakeClickUp
from passthrough.sandbox.fakes import FakeConfluence as FakeConfluence
from passthrough.sandbox.fakes import FakeJira as FakeJira
from passthrough.sandbox.fakes import FakeOpenProject as FakeOpenProject
from passthrough.sandbox.fakes import FakeUpstream as FakeUpstream
from passthrough.sandbox.fakes import Fault as Fault
from passthrough.sandbox.fakes import JiraUser as JiraUser
from passthrough.sandbox.fakes import OpenProjectUser as OpenProjectUser
from passthrough.sandbox.fakes import RecordedRequest as RecordedRequest
