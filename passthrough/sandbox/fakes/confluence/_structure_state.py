"""The fake Confluence's page restrictions, groups, and the moves and copies that change where pages live.

Restrictions are kept per page id and operation ("read" = view, "update" = edit) as user names and group
names, seeded on first use: the ENG postmortem may be seen and edited only by the first user and the
administrators, and only the engineering group may edit the DEMO release checklist. Like Confluence's
REST API, the fake stores them but does not hide restricted pages from other users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from ._data import ConfluenceUser, Page, user_key
from ._errors import ConfluenceError, bad_request
from ._people_state import ADMINS_GROUP, ENGINEERING_GROUP, USERS_GROUP, group_id
from ._state import ConfluenceState

OPERATIONS = ("read", "update")
POSITIONS = ("before", "after", "append")

# group name -> its Cloud id (Server names groups only), the same ids the people routes show
GROUPS = {name: group_id(name) for name in (ADMINS_GROUP, USERS_GROUP, ENGINEERING_GROUP)}


@dataclass
class CopyRecord:
    """One copy a client asked for: the source, the new page and the flags it sent."""

    source_id: str
    new_id: str
    copy_attachments: bool
    copy_labels: bool


@dataclass
class StructureState:
    """Restrictions by page id and operation, and the copies made; tests may read and tweak them."""

    restrictions: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    copies: list[CopyRecord] = field(default_factory=list)

    def of(self, page_id: str) -> dict[str, dict[str, list[str]]]:
        """A page's restrictions (empty lists: unrestricted for that operation)."""
        return self.restrictions.get(page_id) or {op: {"users": [], "groups": []} for op in OPERATIONS}


_STATES: WeakKeyDictionary[object, StructureState] = WeakKeyDictionary()


def _seeded(users: tuple[ConfluenceUser, ...]) -> StructureState:
    found = StructureState()
    first = [users[0].name] if users else []
    found.restrictions["98319"] = {
        "read": {"users": list(first), "groups": ["confluence-administrators"]},
        "update": {"users": list(first), "groups": []},
    }
    found.restrictions["98314"] = {
        "read": {"users": [], "groups": []},
        "update": {"users": [], "groups": ["engineering"]},
    }
    return found


def structure_of(state: ConfluenceState) -> StructureState:
    """The structure state that goes with a fake Confluence's state, seeded on first use."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = _seeded(state.users)
    return found


# ---------------------------------------------------------------------- users and groups


def user_of_ref(state: ConfluenceState, ref: object) -> ConfluenceUser:
    """The user a restriction names: by ``accountId`` on Cloud, by ``username`` or ``userKey`` on Server."""
    if not isinstance(ref, dict):
        raise bad_request("Each restriction user must be an object")
    if state.cloud:
        account_id = ref.get("accountId")
        if not isinstance(account_id, str) or not account_id:
            raise bad_request("A user in a restriction must be identified by accountId")
        found = next((u for u in state.users if u.account_id == account_id), None)
        if found is None:
            raise bad_request(f"No user found with accountId: {account_id}")
        return found
    username, key = ref.get("username"), ref.get("userKey")
    if isinstance(key, str) and key:
        found = next((u for u in state.users if user_key(u) == key), None)
        if found is None:
            raise bad_request(f"No user found with key: {key}")
        return found
    if isinstance(username, str) and username:
        found = state.user(username)
        if found is None:
            raise bad_request(f"No user found with username: {username}")
        return found
    raise bad_request("Either the username or the userKey must be specified to identify the user")


def group_of_ref(state: ConfluenceState, ref: object) -> str:
    """A group a restriction names: by ``name`` (or, on Cloud, ``id``)."""
    if not isinstance(ref, dict):
        raise bad_request("Each restriction group must be an object")
    name, group_id = ref.get("name"), ref.get("id")
    if isinstance(name, str) and name:
        if name not in GROUPS:
            raise bad_request(f"No group found with name: {name}")
        return name
    if state.cloud and isinstance(group_id, str) and group_id:
        found = next((n for n, i in GROUPS.items() if i == group_id), None)
        if found is None:
            raise bad_request(f"No group found with id: {group_id}")
        return found
    raise bad_request("A group in a restriction must have a name")


def _refs(value: object) -> list[Any]:
    """A restriction's user or group list: a plain array or, as v1 answers show it, ``{"results": [...]}``."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = value.get("results", [])
    if not isinstance(value, list):
        raise bad_request("Restriction users and groups must be arrays")
    return value


def replace_restrictions(state: ConfluenceState, page: Page, entries: object) -> dict[str, dict[str, list[str]]]:
    """Replace a page's restrictions with ``entries`` (Confluence's update body); checked whole first."""
    if isinstance(entries, dict):
        entries = entries.get("results")
    if not isinstance(entries, list):
        raise bad_request("The restrictions must be an array of {operation, restrictions}")
    new: dict[str, dict[str, list[str]]] = {op: {"users": [], "groups": []} for op in OPERATIONS}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("operation") not in OPERATIONS:
            operation = entry.get("operation") if isinstance(entry, dict) else entry
            raise bad_request(f"Invalid restriction operation: {operation}; pages take read and update")
        restrictions = entry.get("restrictions")
        if not isinstance(restrictions, dict):
            raise bad_request("Each restriction needs its restrictions: {user, group}")
        target = new[entry["operation"]]
        for ref in _refs(restrictions.get("user")):
            name = user_of_ref(state, ref).name
            if name not in target["users"]:
                target["users"].append(name)
        for ref in _refs(restrictions.get("group")):
            group = group_of_ref(state, ref)
            if group not in target["groups"]:
                target["groups"].append(group)
    structure_of(state).restrictions[page["id"]] = new
    return new


# ---------------------------------------------------------------------- moves


def _descendants(state: ConfluenceState, page: Page) -> list[Page]:
    found: list[Page] = []
    todo = [page]
    while todo:
        children = state.children(todo.pop()["id"])
        found += children
        todo += children
    return found


def _siblings(state: ConfluenceState, parent_id: str | None, space_key: str, page: Page) -> list[Page]:
    if parent_id is not None:
        return [p for p in state.children(parent_id) if p["id"] != page["id"]]
    return [p for p in state.pages.values() if p["parent_id"] is None and p["space_key"] == space_key and p is not page]


def move_page(state: ConfluenceState, page: Page, position: str, target: Page) -> None:
    """Cloud's move: ``append`` makes ``target`` the parent; ``before``/``after`` a sibling next to it.

    The page's descendants move with it (into the target's space, when that differs); versions stay."""
    if position not in POSITIONS:
        raise bad_request(f"Invalid position: {position}; use before, after or append")
    moved = [page, *_descendants(state, page)]
    if any(p["id"] == target["id"] for p in moved):
        raise bad_request("A page cannot be moved below itself or one of its descendants")
    space_key = target["space_key"]
    if space_key != page["space_key"]:
        for p in moved:
            clash = state.find_title(space_key, p["title"])
            if clash is not None:
                raise ConfluenceError(
                    400,
                    f"A page with this title already exists: A page already exists with the title {p['title']} "
                    f"in the space with key {space_key}",
                    validation=True,
                )
    parent_id = target["id"] if position == "append" else target["parent_id"]
    siblings = _siblings(state, parent_id, space_key, page)
    if position == "append":
        slot = max((p["position"] for p in siblings), default=target["position"]) + 1
    else:
        slot = target["position"] if position == "before" else target["position"] + 1
        for sibling in siblings:
            if sibling["position"] >= slot:
                sibling["position"] += 1
    for p in moved:
        p["space_key"] = space_key
    page.update(parent_id=parent_id, position=slot)
