"""The fake OpenProject's work package relations and hierarchy (no HTTP here).

A work package's parent is its own ``parent`` key (a work package id or None), so that a PATCH of
``_links.parent`` is checked, journaled and bumps ``lockVersion`` like any other change (see ``_state``);
this module holds what the hierarchy needs beyond that: the checks a new parent must pass, ancestors,
children and descendants, the HAL links a work package shows for them, and deleting a work package with
its descendants, as OpenProject does.

Relations live in a store of their own (``relations_of(state)``), seeded on first use::

    {"id", "from", "to", "type", "description", "lag"}

OpenProject keeps one canonical direction per pair: a relation sent with a reverse type (``precedes``,
``blocked``, ``duplicated``, ``partof``, ``required``) is stored with the canonical one and ``from``/``to``
swapped. Only one relation may join two work packages (a second one is a 409), never a work package and
its ancestor or descendant, and ``follows`` relations may not close a cycle. Relations carry no
``lockVersion``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from ._errors import READ_ONLY, OpenProjectError, Violation, conflict, not_found, violations

API = "/api/v3"
RELATION_NOT_FOUND = "The specified relation does not exist."
SUBTASK = "A work package cannot be linked to one of its subtasks."
CIRCULAR = "This relation would create a circular dependency."
MILESTONE_ID = 2  # the Milestone type: a milestone has no children

# type: (reverse type, its name as OpenProject shows it)
RELATION_TYPES: Mapping[str, tuple[str, str]] = {
    "relates": ("relates", "related to"),
    "duplicates": ("duplicated", "duplicates"),
    "duplicated": ("duplicates", "duplicated by"),
    "blocks": ("blocked", "blocks"),
    "blocked": ("blocks", "blocked by"),
    "precedes": ("follows", "precedes"),
    "follows": ("precedes", "follows"),
    "includes": ("partof", "includes"),
    "partof": ("includes", "part of"),
    "requires": ("required", "requires"),
    "required": ("requires", "required by"),
}
# the spellings stored the other way round
_REVERSED = {"precedes": "follows", "blocked": "blocks", "duplicated": "duplicates", "partof": "includes"}
_REVERSED["required"] = "requires"

_WP_HREF = re.compile(r"^/api/v3/work_packages/(?P<id>[0-9]{1,12})/?$")

Relation = dict[str, Any]
WorkPackages = Mapping[int, dict[str, Any]]

# (child, parent): the demo project's kick-off phase and the scrum project's website epic
_SEED_PARENTS = ((2, 1), (3, 1), (22, 21), (23, 21), (26, 21))
# (from, to, type, description, lag), stored as given (canonical types)
_SEED_RELATIONS: tuple[tuple[int, int, str, str | None, int | None], ...] = (
    (3, 2, "follows", "The plan is approved once it is written.", 0),
    (16, 3, "follows", None, 5),
    (5, 16, "blocks", "No go-live while logins fail.", None),
    (15, 8, "relates", None, None),
    (25, 22, "relates", "Both forms send mail through the same service.", None),
)


def seed_hierarchy(work_packages: WorkPackages) -> None:
    """Give the seeded work packages their parents (every other one has none)."""
    for wp in work_packages.values():
        wp.setdefault("parent", None)
    for child, parent in _SEED_PARENTS:
        if child in work_packages and parent in work_packages:
            work_packages[child]["parent"] = parent


# ---------------------------------------------------------------------- hierarchy


def children(work_packages: WorkPackages, wp_id: int) -> list[int]:
    return sorted(i for i, wp in work_packages.items() if wp.get("parent") == wp_id)


def descendants(work_packages: WorkPackages, wp_id: int) -> list[int]:
    """Every work package below ``wp_id``, breadth first (a loop, not recursion; each one once)."""
    found: list[int] = []
    seen = {wp_id}
    queue = [wp_id]
    while queue:
        current = queue.pop(0)
        for child in children(work_packages, current):
            if child not in seen:
                seen.add(child)
                found.append(child)
                queue.append(child)
    return found


def ancestors(work_packages: WorkPackages, wp_id: int) -> list[int]:
    """The parent, its parent, ... up to the root (stops on a cycle, which the checks never let in)."""
    found: list[int] = []
    current = work_packages[wp_id].get("parent") if wp_id in work_packages else None
    while current is not None and current in work_packages and current not in found and current != wp_id:
        found.append(current)
        current = work_packages[current].get("parent")
    return found


def _wp_link(work_packages: WorkPackages, wp_id: int | None) -> dict[str, Any]:
    if wp_id is None or wp_id not in work_packages:
        return {"href": None}
    return {"href": f"{API}/work_packages/{wp_id}", "title": work_packages[wp_id]["subject"]}


def hierarchy_links(work_packages: WorkPackages, wp: Mapping[str, Any]) -> dict[str, Any]:
    """A work package's ``parent``, ``ancestors`` (root first) and, when it has any, ``children`` links."""
    links: dict[str, Any] = {
        "parent": _wp_link(work_packages, wp.get("parent")),
        "ancestors": [_wp_link(work_packages, a) for a in reversed(ancestors(work_packages, wp["id"]))],
    }
    below = children(work_packages, wp["id"])
    if below:
        links["children"] = [_wp_link(work_packages, c) for c in below]
    return links


def parent_title(work_packages: WorkPackages, type_name: str | None, wp_id: int) -> str:
    """How a journal names a parent: ``Phase #1: Project kick-off``."""
    wp = work_packages.get(wp_id)
    if wp is None:
        return f"#{wp_id}"
    return f"{type_name or 'Work package'} #{wp_id}: {wp['subject']}"


def parent_change(
    state: Any, wp: Mapping[str, Any] | None, values: dict[str, Any], links: Mapping[str, Any]
) -> list[Violation]:
    """Apply ``_links.parent`` of a create (``wp`` None) or update body to ``values``; the violations found.

    ``state`` is the ``OpenProjectState`` (its ``work_packages`` and ``types``)."""
    if "parent" not in links:
        return []
    link = links["parent"]
    if not isinstance(link, dict) or "href" not in link:
        return [Violation("parent", "Parent is invalid.", "PropertyFormatError")]
    href = link["href"]
    if href is None:
        values["parent"] = None
        return []
    match = _WP_HREF.match(str(href))
    work_packages: WorkPackages = state.work_packages
    parent_id = int(match["id"]) if match else None
    if parent_id is None or parent_id not in work_packages:
        return [Violation("parent", "Parent does not exist.")]
    if wp is not None and parent_id != wp.get("parent"):
        if parent_id == wp["id"] or parent_id in descendants(work_packages, wp["id"]):
            return [Violation("parent", SUBTASK)]
        if any({r["from"], r["to"]} == {wp["id"], parent_id} for r in relations_of(state).relations.values()):
            return [Violation("parent", SUBTASK)]  # OpenProject's message for a related work package, too
    if work_packages[parent_id]["type"] == MILESTONE_ID:
        return [Violation("parent", "Parent cannot be a milestone.")]
    values["parent"] = parent_id
    return []


def delete_work_package(state: Any, wp: Mapping[str, Any]) -> list[int]:
    """Delete a work package, its descendants, their journals and every relation they are in; the ids."""
    gone = [wp["id"], *descendants(state.work_packages, wp["id"])]
    for wp_id in gone:
        state.work_packages.pop(wp_id, None)
        state.activities.pop(wp_id, None)
    store = relations_of(state)
    for rel_id in [i for i, r in store.relations.items() if r["from"] in gone or r["to"] in gone]:
        del store.relations[rel_id]
    return gone


# ---------------------------------------------------------------------- relations


class RelationStore:
    """The relations of one fake OpenProject, by id."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.relations: dict[int, Relation] = {}
        for number, (source, target, kind, description, lag) in enumerate(_SEED_RELATIONS, start=1):
            if source in state.work_packages and target in state.work_packages:
                self.relations[number] = _relation(number, source, target, kind, description, lag)
        self._next = 1 + len(_SEED_RELATIONS)

    def get(self, ref: str | int) -> Relation:
        found = self.relations.get(int(ref)) if str(ref).isdigit() else None
        if found is None:
            raise not_found(RELATION_NOT_FOUND)
        return found

    def between(self, one: int, other: int) -> Iterator[Relation]:
        return (r for r in self.relations.values() if {r["from"], r["to"]} == {one, other})

    def create(self, source: Mapping[str, Any], payload: Mapping[str, Any]) -> Relation:
        """A relation from ``source`` as a create body asks; 422 for invalid values, 409 for a second one."""
        found: list[Violation] = []
        links = _links(payload)
        target = self._target(links, found)
        kind = _kind(payload, found, required=True)
        description = _description(payload, found)
        lag = _lag(payload, found)
        if target is not None and target == source["id"]:
            found.append(Violation("to", "Related work package is invalid."))
        if found:
            raise violations(found)
        assert target is not None and kind is not None
        origin, target, kind = _canonical(source["id"], target, kind)
        self._check_pair(origin, target, kind, None)
        relation = _relation(self._next, origin, target, kind, description, lag)
        self._next += 1
        self.relations[relation["id"]] = relation
        return relation

    def update(self, relation: Relation, payload: Mapping[str, Any]) -> Relation:
        """Apply a PATCH body: type, description, lag; the work packages it joins cannot change."""
        found: list[Violation] = []
        links = _links(payload)
        for end in ("from", "to"):
            link = links.get(end)
            if isinstance(link, dict) and link.get("href") != f"{API}/work_packages/{relation[end]}":
                found.append(Violation(end, READ_ONLY, "PropertyIsReadOnly"))
        kind = _kind(payload, found, required=False)
        description = _description(payload, found) if "description" in payload else relation["description"]
        lag = _lag(payload, found) if "lag" in payload else relation["lag"]
        if found:
            raise violations(found)
        origin, target = relation["from"], relation["to"]
        if kind is not None:
            origin, target, kind = _canonical(origin, target, kind)
            self._check_pair(origin, target, kind, relation["id"])
        relation.update(
            {"from": origin, "to": target, "type": kind or relation["type"], "description": description, "lag": lag}
        )
        return relation

    def delete(self, relation: Relation) -> None:
        del self.relations[relation["id"]]

    # ------------------------------------------------------------------ checks

    def _target(self, links: Mapping[str, Any], found: list[Violation]) -> int | None:
        link = links.get("to")
        href = link.get("href") if isinstance(link, dict) else None
        if href is None:
            found.append(Violation("to", "Related work package can't be blank."))
            return None
        match = _WP_HREF.match(str(href))
        if match is None or int(match["id"]) not in self.state.work_packages:
            found.append(Violation("to", "Related work package does not exist."))
            return None
        return int(match["id"])

    def _check_pair(self, origin: int, target: int, kind: str, itself: int | None) -> None:
        work_packages = self.state.work_packages
        if any(r["id"] != itself for r in self.between(origin, target)):
            raise conflict()
        related = {*ancestors(work_packages, origin), *descendants(work_packages, origin)}
        if target in related:
            raise OpenProjectError(422, "PropertyConstraintViolation", SUBTASK, "base")
        if kind == "follows" and self._follows_path(target, origin, itself):
            raise OpenProjectError(422, "PropertyConstraintViolation", CIRCULAR, "base")

    def _follows_path(self, start: int, goal: int, itself: int | None) -> bool:
        """Whether ``start`` already follows ``goal`` through a chain of ``follows`` relations."""
        edges: dict[int, list[int]] = {}
        for r in self.relations.values():
            if r["type"] == "follows" and r["id"] != itself:
                edges.setdefault(r["from"], []).append(r["to"])
        seen = {start}
        stack = [start]
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            for nxt in edges.get(current, []):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False


_STORES: WeakKeyDictionary[Any, RelationStore] = WeakKeyDictionary()


def relations_of(state: Any) -> RelationStore:
    """The relation store that goes with a fake OpenProject's state (``OpenProjectState``), seeded on first use."""
    found = _STORES.get(state)
    if found is None:
        found = _STORES[state] = RelationStore(state)
    return found


def _relation(rel_id: int, source: int, target: int, kind: str, description: str | None, lag: int | None) -> Relation:
    return {"id": rel_id, "from": source, "to": target, "type": kind, "description": description, "lag": lag}


def _links(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    links = payload.get("_links")
    return links if isinstance(links, dict) else {}


def _canonical(source: int, target: int, kind: str) -> tuple[int, int, str]:
    if kind in _REVERSED:
        return target, source, _REVERSED[kind]
    return source, target, kind


def _kind(payload: Mapping[str, Any], found: list[Violation], *, required: bool) -> str | None:
    if "type" not in payload:
        if required:
            found.append(Violation("type", "Type can't be blank."))
        return None
    kind = payload["type"]
    if not isinstance(kind, str) or kind not in RELATION_TYPES:
        found.append(Violation("type", "Type is not set to one of the allowed values."))
        return None
    return kind


def _description(payload: Mapping[str, Any], found: list[Violation]) -> str | None:
    value = payload.get("description")
    if value is not None and not isinstance(value, str):
        found.append(Violation("description", "Description is invalid.", "PropertyFormatError"))
        return None
    return value


def _lag(payload: Mapping[str, Any], found: list[Violation]) -> int | None:
    value = payload.get("lag")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        found.append(Violation("lag", "Lag must be a number greater than or equal to 0"))
        return None
    return value


def render_relation(work_packages: WorkPackages, relation: Relation) -> dict[str, Any]:
    """A relation as API v3 shows it, both work packages linked with their subjects."""
    href = f"{API}/relations/{relation['id']}"
    reverse, name = RELATION_TYPES[relation["type"]]
    return {
        "_type": "Relation",
        "id": relation["id"],
        "name": name,
        "type": relation["type"],
        "reverseType": reverse,
        "description": relation["description"],
        "lag": relation["lag"],
        "_links": {
            "self": {"href": href},
            "updateImmediately": {"href": href, "method": "patch"},
            "delete": {"href": href, "method": "delete", "title": "Remove relation"},
            "from": _wp_link(work_packages, relation["from"]),
            "to": _wp_link(work_packages, relation["to"]),
        },
    }
