"""The fake Confluence's groups, user search, page views, page templates and space permissions.

Seeded over the fake's users and spaces: every user is in ``confluence-users``, the first user also in
``confluence-administrators`` and ``engineering``. DEMO lets ``confluence-users`` read, add pages, comments,
attachments and blog posts and export; ``confluence-administrators`` administer it and delete. ENG is read and
written by ``engineering`` only (and administered by ``confluence-administrators``). So the first user may do
everything, the others may read and edit DEMO but not delete there, and may not see ENG.

Page views are counts per page (Cloud's analytics API). Templates are Cloud's content templates: two global
ones and one in each space; Server/Data Center has no template REST API. User CQL (``/search/user`` on Cloud,
``/search`` with user fields on Server) knows ``type = user``, ``user`` / ``user.accountid`` / ``user.userkey``
(``=``, ``!=``, ``IN``, ``NOT IN``) and ``user.fullname ~`` (every word a prefix of a word of the display name,
or of the email), joined by AND / OR / NOT.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from .._jql import And, Clause, Empty, JqlError, Node, Not, Or, compile_tree, parse
from ._data import SPACES, ConfluenceUser, user_key
from ._errors import ConfluenceError

USERS_GROUP = "confluence-users"
ADMINS_GROUP = "confluence-administrators"
ENGINEERING_GROUP = "engineering"
CONTENT_OPERATIONS = ("read", "update", "delete")

# (space key, group or None for the first user, operation key, target type)
_GRANTS: tuple[tuple[str, str, str, str], ...] = (
    ("DEMO", USERS_GROUP, "read", "space"),
    ("DEMO", USERS_GROUP, "create", "page"),
    ("DEMO", USERS_GROUP, "create", "blogpost"),
    ("DEMO", USERS_GROUP, "create", "comment"),
    ("DEMO", USERS_GROUP, "create", "attachment"),
    ("DEMO", USERS_GROUP, "export", "space"),
    ("DEMO", ADMINS_GROUP, "read", "space"),
    ("DEMO", ADMINS_GROUP, "administer", "space"),
    ("DEMO", ADMINS_GROUP, "delete", "page"),
    ("DEMO", ADMINS_GROUP, "delete", "comment"),
    ("DEMO", ADMINS_GROUP, "delete", "attachment"),
    ("DEMO", ADMINS_GROUP, "restrict_content", "space"),
    ("ENG", ENGINEERING_GROUP, "read", "space"),
    ("ENG", ENGINEERING_GROUP, "create", "page"),
    ("ENG", ENGINEERING_GROUP, "create", "comment"),
    ("ENG", ENGINEERING_GROUP, "delete", "page"),
    ("ENG", ADMINS_GROUP, "read", "space"),
    ("ENG", ADMINS_GROUP, "administer", "space"),
)


@dataclass(frozen=True)
class Group:
    name: str
    members: tuple[str, ...]  # user names

    @property
    def id(self) -> str:
        return group_id(self.name)


def group_id(name: str) -> str:
    """Cloud's id for a group: a UUID, stable per name (the restrictions and permissions agree on it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"confluence-group:{name}"))


@dataclass(frozen=True)
class Grant:
    """One space permission: a user or a group may do ``operation`` on ``target`` in ``space_key``."""

    id: str
    space_key: str
    principal_type: str  # "user" or "group"
    principal: str  # a user name or a group name
    operation: str
    target: str


@dataclass
class Template:
    id: str
    name: str
    description: str
    space_key: str | None  # None: a global template
    body: str  # storage XHTML
    labels: tuple[str, ...] = ()


def _seed_templates() -> dict[str, Template]:
    rows = (
        Template(
            "1081345",
            "Meeting notes",
            "Agenda, attendees, notes and action items",
            None,
            '<h2>Date</h2><p><time datetime="2026-01-12" /></p><h2>Attendees</h2><ul><li><p>Name</p></li></ul>'
            "<h2>Agenda</h2><ol><li><p>Topic</p></li></ol><h2>Action items</h2>"
            "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
            "<ac:task-body>Follow up</ac:task-body></ac:task></ac:task-list>",
            ("meeting-notes",),
        ),
        Template(
            "1081346",
            "Decision record",
            "One decision: its context, the options and the outcome",
            None,
            "<h2>Context</h2><p>What needs deciding, and why now.</p>"
            "<table><tbody><tr><th>Option</th><th>Pros</th><th>Cons</th></tr>"
            "<tr><td>A</td><td>Simple</td><td>Slow</td></tr></tbody></table>"
            "<h2>Outcome</h2><p>The decision, and who made it.</p>",
            ("decision",),
        ),
        Template(
            "1081347",
            "How-to article",
            "Step-by-step instructions",
            "DEMO",
            '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body>'
            "<p>Say what the reader will have achieved.</p></ac:rich-text-body></ac:structured-macro>"
            "<h2>Steps</h2><ol><li><p>First step</p></li><li><p>Second step</p></li></ol>",
            ("howto",),
        ),
        Template(
            "1081348",
            "Incident report",
            "Timeline, impact and root cause of an incident",
            "ENG",
            "<h2>Timeline (UTC)</h2><table><tbody><tr><th>Time</th><th>Event</th></tr>"
            "<tr><td>00:00</td><td>First alert</td></tr></tbody></table>"
            "<h2>Impact</h2><p>Who was affected, and how.</p><h2>Root cause</h2><p>Why it happened.</p>",
            ("incident",),
        ),
    )
    return {t.id: t for t in rows}


def _seed_views(page_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(views, distinct viewers) per seeded page, deterministic."""
    views: dict[str, tuple[int, int]] = {}
    for index, page_id in enumerate(sorted(page_ids, key=int)):
        count = 12 + (index * 37) % 140
        views[page_id] = (count, max(1, count // 4))
    return views


@dataclass
class PeopleState:
    users: tuple[ConfluenceUser, ...]
    groups: dict[str, Group]
    grants: list[Grant]
    views: dict[str, tuple[int, int]]
    templates: dict[str, Template] = field(default_factory=_seed_templates)

    # ------------------------------------------------------------------ users and groups

    def groups_of(self, name: str) -> set[str]:
        return {g.name for g in self.groups.values() if name in g.members}

    def group(self, name: str) -> Group | None:
        wanted = name.casefold()
        return next((g for g in self.groups.values() if g.name.casefold() == wanted), None)

    def group_by_id(self, group_id: str) -> Group | None:
        return next((g for g in self.groups.values() if g.id == group_id), None)

    def user_by_account(self, account_id: str) -> ConfluenceUser | None:
        return next((u for u in self.users if u.account_id == account_id), None)

    def search_users(self, cql: str) -> list[ConfluenceUser]:
        """The users a user CQL query selects, in name order; a 400 like Confluence's for anything else."""
        try:
            query = parse(cql)
            if query.where is None or query.order_by:
                raise _NotUserCql
            predicate = compile_tree(query.where, self._user_clause)
        except (JqlError, _NotUserCql):
            raise ConfluenceError(400, f"Could not parse cql : {cql}") from None
        return sorted((u for u in self.users if predicate(u)), key=lambda u: u.display_name.casefold())

    def _user_clause(self, clause: Clause) -> Callable[[ConfluenceUser], bool]:
        name = clause.field.lower()
        op = clause.operator
        if name == "type":
            if op != "=" or [str(v).lower() for v in clause.values] != ["user"]:
                raise _NotUserCql
            return lambda _user: True
        if name in ("user", "user.accountid", "user.userkey"):
            if op not in ("=", "!=", "in", "not in") or not all(isinstance(v, str) for v in clause.values):
                raise _NotUserCql
            wanted = {str(v).casefold() for v in clause.values}
            negate = op in ("!=", "not in")

            def ids(user: ConfluenceUser) -> set[str]:
                if name == "user.userkey":
                    return {user_key(user)}
                return {user.account_id.casefold(), user.name.casefold(), user_key(user)}

            return lambda user: bool(ids(user) & wanted) != negate
        if name == "user.fullname":
            value = clause.values[0] if len(clause.values) == 1 else Empty()
            if op not in ("~", "!~") or not isinstance(value, str) or not value.split():
                raise _NotUserCql
            words = [w.strip('*"').casefold() for w in value.split()]
            negate = op == "!~"
            return lambda user: _name_matches(user, words) != negate
        raise _NotUserCql

    # ------------------------------------------------------------------ permissions

    def space_grants(self, space_key: str) -> list[Grant]:
        return [g for g in self.grants if g.space_key == space_key]

    def may(
        self, user: ConfluenceUser | None, group: Group | None, space_key: str, operation: str, target: str
    ) -> bool:
        """Whether the user (with their groups) or the group holds the space permission."""
        if user is not None:
            held = {("user", user.name)} | {("group", g) for g in self.groups_of(user.name)}
        elif group is not None:
            held = {("group", group.name)}
        else:
            return False
        return any(
            (g.principal_type, g.principal) in held and g.operation == operation and g.target == target
            for g in self.space_grants(space_key)
        )

    def content_permission(
        self, user: ConfluenceUser | None, group: Group | None, space_key: str, kind: str, operation: str
    ) -> bool:
        """Confluence's content check: read needs the space's read, update its 'add', delete its 'delete'."""
        if not self.may(user, group, space_key, "read", "space"):
            return False
        if operation == "read":
            return True
        verb = "create" if operation == "update" else "delete"
        return self.may(user, group, space_key, verb, "page" if kind == "page" else kind)


class _NotUserCql(Exception):
    pass


def _name_matches(user: ConfluenceUser, words: list[str]) -> bool:
    names = [*user.display_name.casefold().split(), user.email.casefold(), user.name.casefold()]
    return all(any(n.startswith(w) for n in names) for w in words if w)


def _user_query_fields(node: Node) -> set[str]:
    if isinstance(node, And | Or):
        return set().union(*(_user_query_fields(p) for p in node.parts))
    if isinstance(node, Not):
        return _user_query_fields(node.part)
    assert isinstance(node, Clause)
    field = node.field.lower()
    if field == "type" and any(isinstance(v, str) and v.lower() == "user" for v in node.values):
        return {"type=user"}
    return {field}


def asks_for_users(cql: str) -> bool:
    """Whether a CQL query is a user search (``type = user`` or a ``user.*`` field), as Server's /search takes."""
    try:
        query = parse(cql)
    except JqlError:
        return False
    if query.where is None:
        return False
    fields = _user_query_fields(query.where)
    return "type=user" in fields or any(f.startswith("user.") for f in fields)


def _seed(state: Any) -> PeopleState:
    users: tuple[ConfluenceUser, ...] = state.users
    names = tuple(u.name for u in users)
    first = names[:1]
    groups = {
        USERS_GROUP: Group(USERS_GROUP, names),
        ADMINS_GROUP: Group(ADMINS_GROUP, first),
        ENGINEERING_GROUP: Group(ENGINEERING_GROUP, first),
    }
    grants: list[Grant] = []
    for space_key, group, operation, target in _GRANTS:
        grants.append(Grant(str(294913 + len(grants)), space_key, "group", group, operation, target))
    if first:  # the first user also holds DEMO's export in person, as a space's creator often does
        grants.append(Grant(str(294913 + len(grants)), "DEMO", "user", first[0], "export", "space"))
    known = {s.key for s in SPACES}
    assert all(g.space_key in known for g in grants)
    return PeopleState(users, groups, grants, _seed_views(list(state.pages)))


_STATES: WeakKeyDictionary[object, PeopleState] = WeakKeyDictionary()


def people_of(state: Any) -> PeopleState:
    """The people state that goes with a fake Confluence's state (``ConfluenceState``), seeded on first use."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = _seed(state)
    return found
