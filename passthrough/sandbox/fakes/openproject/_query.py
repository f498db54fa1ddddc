"""``filters`` / ``sortBy`` / ``offset`` / ``pageSize`` of OpenProject collection requests.

``filters`` is a JSON array of one-key objects, ``[{"status": {"operator": "o", "values": []}}, ...]``;
``sortBy`` a JSON array of pairs, ``[["updatedAt", "desc"]]``.  Filter names are accepted in the API's
camelCase and in the snake_case of the Rails side (``subject_or_id``, ``assigned_to``, ``status_id``).
Anything the fake does not understand is a 400 ``InvalidQuery``, as OpenProject answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import invalid_query
from ._state import OpenProjectState

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000

# operators that take no values
_VALUELESS = frozenset({"o", "c", "*", "!*"})
_TEXT = frozenset({"~", "!~", "**"})


@dataclass(frozen=True)
class Filter:
    name: str  # canonical camelCase name
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class _Spec:
    label: str
    operators: frozenset[str]
    kind: str  # "status" | "ref:<catalog>" | "principal" | "id" | "text" | "bool"


WORK_PACKAGE_FILTERS: dict[str, _Spec] = {
    "status": _Spec("Status", frozenset({"o", "c", "=", "!", "*"}), "status"),
    "type": _Spec("Type", frozenset({"=", "!", "*"}), "ref:types"),
    "project": _Spec("Project", frozenset({"=", "!", "*"}), "ref:projects"),
    "priority": _Spec("Priority", frozenset({"=", "!", "*"}), "ref:priorities"),
    "assignee": _Spec("Assignee", frozenset({"=", "!", "*", "!*"}), "principal"),
    "author": _Spec("Author", frozenset({"=", "!"}), "principal"),
    "id": _Spec("ID", frozenset({"=", "!"}), "id"),
    "parent": _Spec("Parent", frozenset({"=", "!"}), "id"),
    "subject": _Spec("Subject", frozenset({"~", "!~", "**"}), "text"),
    "subjectOrId": _Spec("Subject or ID", frozenset({"**"}), "text"),
    "search": _Spec("Search", frozenset({"**"}), "text"),
}
PROJECT_FILTERS: dict[str, _Spec] = {
    "active": _Spec("Active", frozenset({"="}), "bool"),
    "id": _Spec("ID", frozenset({"=", "!"}), "id"),
    "nameAndIdentifier": _Spec("Name or identifier", frozenset({"~", "**"}), "text"),
    "typeahead": _Spec("Typeahead", frozenset({"**"}), "text"),
}
_ALIASES = {
    "status_id": "status",
    "type_id": "type",
    "project_id": "project",
    "priority_id": "priority",
    "assigned_to": "assignee",
    "assigned_to_id": "assignee",
    "assignee_id": "assignee",
    "author_id": "author",
    "subject_or_id": "subjectOrId",
    "name_and_identifier": "nameAndIdentifier",
}
_SORT_ALIASES = {
    "created_at": "createdAt",
    "updated_at": "updatedAt",
    "start_date": "startDate",
    "due_date": "dueDate",
    "assigned_to": "assignee",
    "done_ratio": "percentageDone",
}
WORK_PACKAGE_SORTS = frozenset(
    {
        "id",
        "subject",
        "createdAt",
        "updatedAt",
        "startDate",
        "dueDate",
        "status",
        "type",
        "priority",
        "assignee",
        "author",
        "project",
        "percentageDone",
    }
)
PROJECT_SORTS = frozenset({"id", "name", "identifier", "createdAt", "updatedAt"})


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid_query(f"unexpected token at '{raw}'") from None


def _humanize(name: str) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def parse_filters(
    raw: str | None, specs: Mapping[str, _Spec], state: OpenProjectState, default: Iterable[Filter] = ()
) -> list[Filter]:
    """Parsed and validated filters; ``default`` applies when the parameter is absent (not when ``[]``)."""
    if raw is None:
        return list(default)
    data = _json(raw)
    if not isinstance(data, list):
        raise invalid_query("Filters must be an array of filter objects.")
    filters: list[Filter] = []
    for item in data:
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_query("Filters must be an array of objects with exactly one filter name each.")
        (given, body), *_ = item.items()
        given = str(given)
        name = _ALIASES.get(given, given)
        spec = specs.get(name)
        if spec is None:
            raise invalid_query(f"Filters {_humanize(given)} does not exist.")
        if not isinstance(body, dict) or not body.get("operator"):
            raise invalid_query("Operator can't be blank.")
        operator = str(body["operator"])
        if operator not in spec.operators:
            raise invalid_query(f"Filters {spec.label} filter has invalid operator '{operator}'.")
        values = body.get("values")
        if values is None:
            values = []
        if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
            raise invalid_query(f"Filters {spec.label} filter has invalid values.")
        strings = tuple(str(v) for v in values)
        if operator not in _VALUELESS and not _values_valid(spec, strings, state):
            raise invalid_query(f"Filters {spec.label} filter has invalid values.")
        filters.append(Filter(name, operator, strings if operator not in _VALUELESS else ()))
    return filters


def _values_valid(spec: _Spec, values: tuple[str, ...], state: OpenProjectState) -> bool:
    if not values:
        return False
    if spec.kind == "text":
        return len(values) == 1 and bool(values[0].strip())
    if spec.kind == "bool":
        return all(v in ("t", "f", "true", "false") for v in values)
    if spec.kind == "principal":
        return all(v == "me" or (v.isdigit() and int(v) in state.principals) for v in values)
    if not all(v.isdigit() for v in values):
        return False
    catalogs: dict[str, Mapping[int, Any]] = {
        "status": state.statuses,
        "ref:types": state.types,
        "ref:projects": state.projects,
        "ref:priorities": state.priorities,
    }
    catalog = catalogs.get(spec.kind)
    return catalog is None or all(int(v) in catalog for v in values)


def _ids(values: tuple[str, ...], me: int | None) -> set[int]:
    """The ids named by filter values; "me" names nobody for an anonymous request."""
    ids = {me if v == "me" else int(v) for v in values}
    return {i for i in ids if i is not None}


def _text_match(operator: str, needle: str, haystacks: Iterable[str]) -> bool:
    found = any(needle.lower() in h.lower() for h in haystacks)
    return not found if operator == "!~" else found


def work_package_matcher(state: OpenProjectState, f: Filter, me: int | None) -> Callable[[dict[str, Any]], bool]:
    if f.name == "status":
        if f.operator == "o":
            return lambda wp: not state.is_closed(wp)
        if f.operator == "c":
            return lambda wp: state.is_closed(wp)
    if f.operator == "*":
        return lambda wp: wp.get(f.name) is not None
    if f.operator == "!*":
        return lambda wp: wp.get(f.name) is None
    if f.name in ("status", "type", "project", "priority", "assignee", "author", "id", "parent"):
        wanted = _ids(f.values, me)
        if f.operator == "!":
            return lambda wp: wp.get(f.name) not in wanted
        return lambda wp: wp.get(f.name) in wanted
    needle = f.values[0]
    if f.name == "subject":
        return lambda wp: _text_match(f.operator, needle, [wp["subject"]])
    if f.name == "subjectOrId":
        number = needle.lstrip("#")
        return lambda wp: (number.isdigit() and wp["id"] == int(number)) or _text_match("~", needle, [wp["subject"]])

    def search(wp: dict[str, Any]) -> bool:
        comments = [a["comment"] for a in state.activities.get(wp["id"], [])]
        return _text_match("~", needle, [wp["subject"], wp["description"] or "", *comments])

    return search


def project_matcher(f: Filter) -> Callable[[dict[str, Any]], bool]:
    if f.name == "active":
        wanted = {v in ("t", "true") for v in f.values}
        return lambda p: p["active"] in wanted
    if f.name == "id":
        ids = {int(v) for v in f.values}
        return (lambda p: p["id"] not in ids) if f.operator == "!" else (lambda p: p["id"] in ids)
    needle = f.values[0]
    return lambda p: _text_match("~", needle, [p["name"], p["identifier"]])


def parse_sort(raw: str | None, allowed: frozenset[str], default: str = "id") -> list[tuple[str, bool]]:
    """``[(property, descending), ...]``; an ``id`` tie-breaker is appended."""
    if raw is None:
        criteria: list[tuple[str, bool]] = [(default, False)]
    else:
        data = _json(raw)
        if not isinstance(data, list):
            raise invalid_query("Sort criteria must be an array of [property, direction] pairs.")
        criteria = []
        for pair in data:
            if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
                raise invalid_query("Sort criteria must be an array of [property, direction] pairs.")
            name = _SORT_ALIASES.get(pair[0], pair[0])
            if name not in allowed:
                raise invalid_query(f"Sort criteria {pair[0]} is not supported.")
            if pair[1].lower() not in ("asc", "desc"):
                raise invalid_query(f"Sort criteria direction {pair[1]} is not supported.")
            criteria.append((name, pair[1].lower() == "desc"))
    if not any(name == "id" for name, _ in criteria):
        criteria.append(("id", False))
    return criteria


def sort_rows(
    rows: list[dict[str, Any]], criteria: list[tuple[str, bool]], key_of: Callable[[dict[str, Any], str], Any]
) -> list[dict[str, Any]]:
    """Stable multi-key sort; like PostgreSQL, NULLs sort last ascending and first descending."""
    result = list(rows)
    for name, descending in reversed(criteria):
        present = [r for r in result if key_of(r, name) is not None]
        missing = [r for r in result if key_of(r, name) is None]
        present.sort(key=lambda r: key_of(r, name), reverse=descending)
        result = missing + present if descending else present + missing
    return result


def work_package_sort_key(state: OpenProjectState) -> Callable[[dict[str, Any], str], Any]:
    def key(wp: dict[str, Any], name: str) -> Any:
        value = wp.get(name)
        if value is None:
            return None
        catalog = state.catalog(name)
        if catalog is not None:
            return catalog[value].position
        if name in ("assignee", "author"):
            return (state.principal_name(value) or "").lower()
        if name == "project":
            return str(state.projects[value]["name"]).lower()
        if name == "subject":
            return str(value).lower()
        return value

    return key


def page_params(query: Mapping[str, str]) -> tuple[int, int]:
    """``(offset, pageSize)``; ``offset`` is a 1-based page number, as in OpenProject."""

    def number(name: str, default: int) -> int:
        raw = query.get(name, "").strip()
        try:
            return int(raw)
        except ValueError:
            return default

    offset = max(1, number("offset", 1))
    size = number("pageSize", DEFAULT_PAGE_SIZE)
    if size < 0:
        size = DEFAULT_PAGE_SIZE
    return offset, min(size, MAX_PAGE_SIZE)
