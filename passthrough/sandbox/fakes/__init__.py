"""Realistic simulated Jira, Confluence, OpenProject and ClickUp: the tests' upstreams and the sandbox's.

Layout (one concept a module)::

    _base.py        FakeUpstream: recording, faults, serving; Routes (a resource module's route table),
                    StateView, sessions, JSON / int helpers shared by every product
    _atlassian.py   what Jira and Confluence share: users, login, the auth gate, the common state
    _adf.py _jql.py rich text (ADF / wiki / HTML) and the JQL/CQL parser with its AND/OR/NOT compiler
    <product>/      jira/, confluence/, openproject/, clickup/, each:
        _app.py       the fake's class: installs the route tables, its 401s, 404s and fault bodies
        _call.py      one request as handlers see it (state, caller, body, path ids, renderer)
        _state.py     the in-memory data and the writes that change it (no HTTP)
        _render.py    stored data -> the product's JSON;  _data.py catalogs and seed;  _errors.py bodies
        routes/       one module a resource (issues, comments, pages, spaces, work_packages, ...):
                      each handler declared with its route, ``@routes("GET", "/issue/{key}")``

Adding an endpoint is one handler in the resource's ``routes/`` module (a new resource: a new module,
listed once in ``routes/__init__.py``); state and rendering it needs go to ``_state.py`` / ``_render.py``.
"""

from ._base import FakeUpstream, Fault, RecordedRequest
from .clickup import ClickUpUser, FakeClickUp
from .confluence import ConfluenceUser, FakeConfluence
from .jira import FakeJira, JiraUser
from .openproject import FakeOpenProject, OpenProjectUser

__all__ = [
    "ClickUpUser",
    "ConfluenceUser",
    "FakeClickUp",
    "FakeConfluence",
    "FakeJira",
    "FakeOpenProject",
    "FakeUpstream",
    "Fault",
    "JiraUser",
    "OpenProjectUser",
    "RecordedRequest",
]
