"""Evaluating parsed JQL against the fake Jira's state.

Supported fields: project, key/issuekey/id, status, statusCategory, assignee/reporter/creator
(``currentUser()``, EMPTY, any user reference), type/issuetype, priority, labels, parent, resolution,
and the text fields summary/description/comment/text with ``~`` / ``!~`` (``text`` searches the summary).
Anything else is answered with a 400, as Jira does for fields it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .._adf import rich_to_text
from .._jql import Clause, Empty, Function, JqlError, Node, Query, SortKey, Value, compile_tree, parse
from ._data import STATUSES
from ._errors import bad_request
from ._state import Issue, JiraState, key_sort

Predicate = Callable[[Issue], bool]

UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
_EQUALITY = ("=", "!=", "in", "not in")
_EMPTINESS = ("is", "is not")
_TEXT = ("~", "!~")
_PRIORITY_ORDER = {"Highest": 1, "High": 2, "Medium": 3, "Low": 4, "Lowest": 5}


def _no_field(name: str) -> JqlError:
    return JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


class _Compiler:
    def __init__(self, state: JiraState, current_user: str | None) -> None:
        self.state = state
        self.current_user = current_user

    def node(self, node: Node) -> Predicate:
        return compile_tree(node, self.clause)

    def clause(self, clause: Clause) -> Predicate:
        field = clause.field.lower()
        if field == "project":
            return self._equality(clause, self._project, lambda i: i["project"])
        if field in ("key", "issuekey", "id"):
            return self._equality(clause, self._issue_key, lambda i: i["key"])
        if field == "status":
            return self._equality(clause, lambda v: self._named(clause, v, self.state.status), lambda i: i["status"])
        if field == "statuscategory":
            return self._equality(clause, self._category, self._category_of)
        if field in ("type", "issuetype"):
            return self._equality(
                clause, lambda v: self._named(clause, v, self.state.issue_type), lambda i: i["issuetype"]
            )
        if field == "priority":
            return self._equality(
                clause, lambda v: self._named(clause, v, self.state.priority), lambda i: i["priority"]
            )
        if field in ("assignee", "reporter", "creator"):
            return self._equality(clause, self._person, lambda i: i[field], allow_empty=True)
        if field in ("labels", "label"):
            return self._labels(clause)
        if field in ("parent", "epic link"):  # an epic's children: "Epic Link" on Server/Data Center
            return self._equality(clause, self._issue_key, lambda i: i.get("parent"))
        if field == "resolution":
            return self._equality(clause, self._resolution, lambda i: i.get("resolution"), allow_empty=True)
        if field in ("summary", "description", "comment", "text"):
            return self._text(clause, field)
        raise _no_field(clause.field)

    # ------------------------------------------------------------------ value resolution

    def _literal(self, clause: Clause, value: Value) -> str:
        if isinstance(value, Function):
            raise JqlError(f"Jira does not support the function '{value.name}' for the field '{clause.field}'.")
        if isinstance(value, Empty):
            raise JqlError(f"The field '{clause.field}' does not support searching for EMPTY values.")
        return value

    def _named(self, clause: Clause, value: Value, lookup: Callable[[object], Any]) -> str:
        text = self._literal(clause, value)
        found = lookup(text)
        if found is None:
            raise JqlError(f"The value '{text}' does not exist for the field '{clause.field}'.")
        return str(found.name)

    def _project(self, value: Value) -> str:
        text = self._literal(Clause("project", "=", ()), value)
        project = self.state.find_project(text) or next(
            (p for p in self.state.projects.values() if p.name.lower() == text.lower()), None
        )
        if project is None:
            raise JqlError(f"The value '{text}' does not exist for the field 'project'.")
        return project.key

    def _issue_key(self, value: Value) -> str:
        text = self._literal(Clause("key", "=", ()), value)
        issue = self.state.find_issue(text)
        if issue is None:
            if not text.isdigit() and key_sort(text)[1] == 0:
                raise JqlError(f"The issue key '{text}' for field 'key' is invalid.")
            raise JqlError(f"An issue with key '{text}' does not exist for field 'key'.")
        return str(issue["key"])

    def _category(self, value: Value) -> str:
        text = self._literal(Clause("statusCategory", "=", ()), value).lower()
        for status in STATUSES:
            if text in (status.category_key, status.category_name.lower(), str(status.category_id)):
                return status.category_key
        raise JqlError(f"The value '{text}' does not exist for the field 'statusCategory'.")

    def _category_of(self, issue: Issue) -> str | None:
        status = self.state.status(issue["status"])
        return status.category_key if status else None

    def _person(self, value: Value) -> str | None:
        if isinstance(value, Function):
            if value.name.lower() != "currentuser":
                raise JqlError(f"Unable to find JQL function '{value.name}({', '.join(value.args)})'.")
            return self.current_user or "\x00anonymous"  # anonymous: matches nobody
        if isinstance(value, Empty):
            return None
        user = self.state.find_user(value)
        if user is None:
            raise JqlError(f"The value '{value}' does not exist for the field 'assignee'.")
        return user.name

    def _resolution(self, value: Value) -> str | None:
        if isinstance(value, Empty) or (isinstance(value, str) and value.lower() == "unresolved"):
            return None
        text = self._literal(Clause("resolution", "=", ()), value)
        if text.lower() != "done":
            raise JqlError(f"The value '{text}' does not exist for the field 'resolution'.")
        return "Done"

    # ------------------------------------------------------------------ operators

    def _equality(
        self,
        clause: Clause,
        resolve: Callable[[Value], str | None],
        attribute: Callable[[Issue], str | None],
        *,
        allow_empty: bool = False,
    ) -> Predicate:
        operator = clause.operator
        if operator in _EMPTINESS and allow_empty:
            wanted_empty = operator == "is"
            return lambda issue: (attribute(issue) is None) == wanted_empty
        if operator not in _EQUALITY:
            raise JqlError(f"The operator '{operator.upper()}' is not supported by the '{clause.field}' field.")
        wanted = {resolve(v) for v in clause.values}
        positive = operator in ("=", "in")
        return lambda issue: (attribute(issue) in wanted) == positive

    def _labels(self, clause: Clause) -> Predicate:
        operator = clause.operator
        if operator in _EMPTINESS:
            wanted_empty = operator == "is"
            return lambda issue: (not issue["labels"]) == wanted_empty
        if operator not in _EQUALITY:
            raise JqlError(f"The operator '{operator.upper()}' is not supported by the '{clause.field}' field.")
        wanted = {self._literal(clause, v) for v in clause.values}
        positive = operator in ("=", "in")
        return lambda issue: bool(wanted.intersection(issue["labels"])) == positive

    def _text(self, clause: Clause, field: str) -> Predicate:
        if clause.operator not in _TEXT:
            raise JqlError(f"The operator '{clause.operator.upper()}' is not supported by the '{clause.field}' field.")
        needle = self._literal(clause, clause.values[0]).lower().strip("*")
        positive = clause.operator == "~"

        def haystack(issue: Issue) -> str:
            if field in ("summary", "text"):
                return str(issue["summary"])
            if field == "description":
                return rich_to_text(issue.get("description"))
            return "\n".join(rich_to_text(c["body"]) for c in self.state.comments.get(issue["key"], []))

        return lambda issue: (needle in haystack(issue).lower()) == positive


def _sort_value(state: JiraState, field: str) -> Callable[[Issue], Any]:
    name = field.lower()
    if name in ("key", "issuekey", "id"):
        return lambda i: key_sort(i["key"])
    if name in ("created", "updated", "summary", "resolutiondate"):
        return lambda i: (i.get(name) is None, i.get(name) or "")
    if name in ("assignee", "reporter", "creator"):

        def person(issue: Issue) -> tuple[bool, str]:
            user = state.user(issue.get(name))
            return (user is None, user.display_name.lower() if user else "")

        return person
    if name == "priority":
        return lambda i: _PRIORITY_ORDER.get(i["priority"], 99)
    if name == "status":
        return lambda i: [s.name for s in STATUSES].index(i["status"])
    if name in ("type", "issuetype", "project"):
        return lambda i: i["issuetype" if name != "project" else "project"]
    raise _no_field(field)


def _sort(state: JiraState, issues: Iterable[Issue], order_by: tuple[SortKey, ...]) -> list[Issue]:
    result = sorted(issues, key=lambda i: key_sort(i["key"]))  # the fake's default order: key ascending
    for sort_key in reversed(order_by):
        result.sort(key=_sort_value(state, sort_key.field), reverse=sort_key.descending)
    return result


def search(state: JiraState, jql: str, current_user: str | None, *, require_bounded: bool = False) -> list[Issue]:
    """All issues matching ``jql``, in order; raises JiraError(400) for JQL Jira would refuse."""
    try:
        query: Query = parse(jql or "")
        if require_bounded and query.where is None:
            raise JqlError(UNBOUNDED)
        predicate = _Compiler(state, current_user).node(query.where) if query.where else None
        for sort_key in query.order_by:
            _sort_value(state, sort_key.field)  # validate before filtering
        matches = [i for i in state.issues.values() if predicate is None or predicate(i)]
        return _sort(state, matches, query.order_by)
    except JqlError as exc:
        raise bad_request(exc.message) from None
