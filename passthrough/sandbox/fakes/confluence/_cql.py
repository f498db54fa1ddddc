"""A small CQL evaluator over the fake Confluence's pages and comments.

CQL shares JQL's syntax (clauses, AND / OR / NOT, parentheses, ``IN (...)``, functions, ``ORDER BY``), so
the tree comes from the JQL parser in ``_jql``; this module decides what fields mean.

Supported fields: ``type``, ``space`` / ``space.key``, ``space.id``, ``title`` (``=``, ``!=``, ``~``,
``!~``), ``text`` / ``siteSearch`` (``~``, ``!~``: title, body text and labels), ``label`` / ``labels``,
``ancestor``, ``parent``, ``id`` / ``content``, ``container``, ``creator``, ``contributor`` (user names,
account ids, ``currentUser()``), ``created`` / ``lastmodified`` (dates ``2026-01-05``, ``2026/01/05 10:00``,
``now("-4w")``, ``startOfDay()``).  Sorting: ``created``, ``lastmodified``, ``title``, ``id``; without
ORDER BY results come in content id order (pages before comments).

A ``~`` value is split into words and ``"quoted phrases"`` (CQL's way to search a phrase, written with
escaped quotes: ``text ~ "say \\"hi\\""``); every part must occur, case-insensitively; a trailing ``*`` is
a prefix wildcard.  Anything unparseable or unknown is a 400 ``Could not parse cql : <cql>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .._jql import Clause, Empty, Function, JqlError, Node, Value, compile_tree, parse
from ._errors import ConfluenceError
from ._state import ConfluenceState
from ._storage import plain_text

Item = dict[str, Any]
Predicate = Callable[[Item], bool]

_PHRASE = re.compile(r'"([^"]*)"')
_OFFSET = re.compile(r"^([+-]?)(\d+)([yMwdhm])$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_TYPES = frozenset({"page", "blogpost", "comment", "attachment", "space", "user", "whiteboard", "database"})


class _CqlError(Exception):
    pass


def cql_error(cql: str) -> ConfluenceError:
    return ConfluenceError(400, f"Could not parse cql : {cql}")


@dataclass(frozen=True)
class SearchResult:
    items: list[Item]
    terms: tuple[str, ...]  # words and phrases of positive ~ clauses, for highlighting


def terms_of(value: str) -> list[str]:
    """The words and phrases of a ``~`` value, lower-cased, wildcards stripped."""
    phrases = [p.strip().lower() for p in _PHRASE.findall(value) if p.strip()]
    rest = _PHRASE.sub(" ", value)
    words = [w.strip("*?").lower() for w in rest.split() if w.upper() not in ("AND", "OR", "NOT")]
    return phrases + [w for w in words if w]


class _Compiler:
    def __init__(self, state: ConfluenceState, current_user: str | None) -> None:
        self.state = state
        self.current_user = current_user
        self.terms: list[str] = []
        self.started = datetime.now(UTC)

    # ------------------------------------------------------------------ item facts

    def _page(self, item: Item) -> Item:
        return self.state.pages[item["page_id"]] if item["type"] == "comment" else item

    def title(self, item: Item) -> str:
        return str(self.state.comment_title(item) if item["type"] == "comment" else item["title"])

    def _text(self, item: Item) -> str:
        parts = [plain_text(item["body"]), " ".join(item.get("labels", []))]
        if item["type"] == "page":
            parts.insert(0, item["title"])
        return " ".join(parts).lower()

    # ------------------------------------------------------------------ tree

    def node(self, node: Node) -> Predicate:
        return compile_tree(node, self.clause)

    def clause(self, clause: Clause) -> Predicate:
        field = clause.field.lower()
        if field == "type":
            return self._equality(clause, self._type_value, lambda i: {i["type"]})
        if field in ("space", "space.key"):
            return self._equality(clause, lambda v: self._plain(v).upper(), lambda i: {self._page(i)["space_key"]})
        if field == "space.id":
            return self._equality(clause, self._plain, lambda i: {self.state.space_of(i).id})
        if field == "title":
            if clause.operator in ("~", "!~"):
                return self._contains(clause, lambda i: self.title(i).lower())
            return self._equality(clause, lambda v: self._plain(v).casefold(), lambda i: {self.title(i).casefold()})
        if field in ("text", "sitesearch"):
            return self._contains(clause, self._text)
        if field in ("label", "labels"):
            return self._equality(
                clause, lambda v: self._plain(v).lower(), lambda i: set(i.get("labels", [])), allow_empty=True
            )
        if field == "ancestor":
            return self._equality(
                clause,
                self._plain,
                lambda i: {a["id"] for a in self.state.ancestors(i)} if i["type"] == "page" else set(),
            )
        if field == "parent":
            return self._equality(clause, self._plain, lambda i: {i["parent_id"]} if i["type"] == "page" else set())
        if field in ("id", "content"):
            return self._equality(clause, self._plain, lambda i: {i["id"]})
        if field == "container":
            return self._equality(clause, self._plain, lambda i: {i["page_id"]} if i["type"] == "comment" else set())
        if field == "creator":
            return self._equality(clause, self._user, lambda i: {i["created_by"]})
        if field == "contributor":
            return self._equality(clause, self._user, lambda i: {i["created_by"], i["updated_by"]})
        if field in ("created", "lastmodified"):
            key = "created" if field == "created" else "updated"
            return self._dates(clause, key)
        raise _CqlError(field)

    # ------------------------------------------------------------------ values

    @staticmethod
    def _plain(value: Value) -> str:
        if not isinstance(value, str):
            raise _CqlError("value")
        return value

    def _type_value(self, value: Value) -> str:
        text = self._plain(value).lower()
        if text not in _TYPES:
            raise _CqlError(text)
        return text

    def _user(self, value: Value) -> str | None:
        if isinstance(value, Function):
            if value.name.lower() != "currentuser":
                raise _CqlError(value.name)
            return self.current_user
        user = self.state.find_user(self._plain(value))
        return user.name if user else f"\0unknown:{value}"

    def _date(self, value: Value) -> tuple[datetime, timedelta]:
        """A moment and the span it stands for (a whole day for date-only values)."""
        if isinstance(value, Function):
            name = value.name.lower()
            offset = self._offset(value.args[0]) if value.args else timedelta()
            if name == "now":
                return self.started + offset, timedelta(minutes=1)
            if name in ("startofday", "endofday"):
                day = self.started.replace(hour=0, minute=0, second=0, microsecond=0) + offset
                return (day if name == "startofday" else day + timedelta(days=1)), timedelta(minutes=1)
            raise _CqlError(value.name)
        text = self._plain(value).strip()
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
            return moment, timedelta(days=1) if "%H" not in fmt else timedelta(minutes=1)
        raise _CqlError(text)

    @staticmethod
    def _offset(text: str) -> timedelta:
        match = _OFFSET.match(text.strip())
        if match is None:
            raise _CqlError(text)
        sign = -1 if match.group(1) == "-" else 1
        amount = int(match.group(2)) * sign
        unit = match.group(3)
        days = {"y": 365, "M": 30, "w": 7, "d": 1}
        if unit in days:
            return timedelta(days=amount * days[unit])
        return timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount)

    # ------------------------------------------------------------------ operators

    def _equality(
        self,
        clause: Clause,
        resolve: Callable[[Value], str | None],
        actual: Callable[[Item], set[str | None]],
        allow_empty: bool = False,
    ) -> Predicate:
        op = clause.operator
        if op in ("is", "is not"):
            if not allow_empty:
                raise _CqlError(op)
            negate = op == "is not"
            return lambda item: bool(actual(item) - {None}) == negate
        if op not in ("=", "!=", "in", "not in"):
            raise _CqlError(op)
        if any(isinstance(v, Empty) for v in clause.values):
            raise _CqlError("empty")
        wanted = {resolve(v) for v in clause.values}
        negate = op in ("!=", "not in")
        return lambda item: bool(actual(item) & wanted) != negate

    def _contains(self, clause: Clause, haystack: Callable[[Item], str]) -> Predicate:
        if clause.operator not in ("~", "!~"):
            raise _CqlError(clause.operator)
        terms = terms_of(self._plain(clause.values[0]))
        if not terms:
            raise _CqlError("empty text")
        negate = clause.operator == "!~"
        if not negate:
            self.terms.extend(t for t in terms if t not in self.terms)
        return lambda item: all(t in haystack(item) for t in terms) != negate

    def _dates(self, clause: Clause, key: str) -> Predicate:
        op = clause.operator
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            raise _CqlError(op)
        moment, span = self._date(clause.values[0])
        end = moment + span

        def check(item: Item) -> bool:
            value: datetime = item[key]
            if op in ("=", "!="):
                return (moment <= value < end) == (op == "=")
            if op == "<":
                return value < moment
            if op == "<=":
                return value < end
            if op == ">":
                return value >= end
            return value >= moment

        return check


_SORT_FIELDS = frozenset({"created", "lastmodified", "title", "id"})


def _sort_key(field: str, compiler: _Compiler) -> Callable[[Item], Any]:
    if field == "created":
        return lambda item: item["created"]
    if field == "lastmodified":
        return lambda item: item["updated"]
    if field == "title":
        return lambda item: compiler.title(item).casefold()
    return lambda item: int(item["id"])


def search(state: ConfluenceState, cql: str, current_user: str | None) -> SearchResult:
    """Pages and comments matching ``cql``, ordered; raises the 400 ConfluenceError on bad CQL."""
    if not cql.strip():
        raise ConfluenceError(400, "CQL query parameter is required")
    try:
        query = parse(cql)
        compiler = _Compiler(state, current_user)
        predicate = compiler.node(query.where) if query.where is not None else (lambda _item: True)
        order = [(key.field.lower(), key.descending) for key in query.order_by]
        if any(field not in _SORT_FIELDS for field, _ in order):
            raise _CqlError("order by")
    except (JqlError, _CqlError):
        raise cql_error(cql) from None
    items: list[Item] = [*state.pages.values(), *state.all_comments()]
    items.sort(key=lambda i: (i["type"] != "page", int(i["id"])))
    found = [i for i in items if predicate(i)]
    for field, descending in reversed(order):
        found.sort(key=_sort_key(field, compiler), reverse=descending)
    return SearchResult(found, tuple(compiler.terms))
