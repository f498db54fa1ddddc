"""The fake ClickUp's rich comment runs (the ``comment`` array) and new comment ids; comments themselves live
in the shared state (``ClickUpState.comments``, plain text). A comment posted with runs keeps them here and
its plain text there, so both ``comment`` and ``comment_text`` answer as ClickUp's do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from ._errors import bad_request

Run = dict[str, Any]
MAX_RUNS = 10_000
_ATTRIBUTE_NAMES = frozenset(
    {"bold", "italic", "code", "strikethrough", "underline", "link", "list", "code-block", "blockquote", "indent"}
)


@dataclass
class DiscussionState:
    runs: dict[str, list[Run]] = field(default_factory=dict)  # comment id -> its rich runs
    next_id: int = 90091000
    history: int = 0

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)


_STATES: WeakKeyDictionary[object, DiscussionState] = WeakKeyDictionary()


def discussion_of(state: Any) -> DiscussionState:
    """The comment runs that go with a fake ClickUp's state (``ClickUpState``)."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = DiscussionState()
    return found


def checked_runs(value: Any) -> list[Run]:
    """A ``comment`` array as ClickUp takes it: objects with a text (or a tag / emoticon); else a 400."""
    if not isinstance(value, list) or len(value) > MAX_RUNS:
        raise bad_request("Comment must be an array", "COMM_001")
    runs: list[Run] = []
    for run in value:
        if not isinstance(run, dict) or not isinstance(run.get("text", ""), str):
            raise bad_request("Comment block must be an object with text", "COMM_001")
        attributes = run.get("attributes", {})
        if not isinstance(attributes, dict) or not set(attributes) <= _ATTRIBUTE_NAMES:
            raise bad_request("Comment block attributes invalid", "COMM_001")
        runs.append(dict(run))
    return runs


def plain(runs: list[Run]) -> str:
    return "".join(str(run.get("text", "")) for run in runs)
