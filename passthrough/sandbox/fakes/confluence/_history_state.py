"""The fake Confluence's page versions: what each page was at every earlier version.

Confluence keeps every version of a page; the fake keeps a copy of a page each time an update replaces it
(``ConfluenceState.update_page`` calls ``remember_version`` just before it writes). Seeded pages that start
past version 1 get earlier versions of their own, made from their seed body the way such pages grow
(the architecture overview gained its sections one version at a time, the release checklist its tasks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from ._data import Page

if TYPE_CHECKING:
    from ._state import ConfluenceState

Versions = dict[int, Page]  # version number -> the page as it was then
_VERSIONS: WeakKeyDictionary[ConfluenceState, dict[str, Versions]] = WeakKeyDictionary()


def _cut(body: str, start: str, end: str | None = None) -> str:
    """`body` without the part from `start` through `end` (to its end when `end` is None)."""
    at = body.find(start)
    if at < 0:
        return body
    if end is None:
        return body[:at]
    stop = body.find(end, at)
    return body if stop < 0 else body[:at] + body[stop + len(end) :]


def _architecture(body: str) -> list[tuple[str, str]]:
    v4 = body.replace("PostgreSQL 17", "PostgreSQL 16")
    v3 = _cut(_cut(v4, "<p><ac:image", "</ac:image></p>"), " See <ac:link>", " for the tables.")
    v2 = _cut(_cut(v3, "<h2>Data flow</h2>"), "<ul><li>rate limiting", "</ul>")
    v1 = "<h1>Architecture overview</h1><p>Draft: to be written.</p>"
    return [(v1, ""), (v2, "Listed the components"), (v3, "Added the data flow"), (v4, "Added the diagram")]


def _installation(body: str) -> list[tuple[str, str]]:
    v1 = _cut(body.replace("demo-server==2.4.1", "demo-server==2.3.0"), "<li>Open <a ", "</li>")
    return [(v1, "")]


def _home(body: str) -> list[tuple[str, str]]:
    v1 = "<h1>Welcome to the Demo space</h1><p>This space collects everything about the demo product.</p>"
    return [(v1, ""), (_cut(body, "<h2>Useful links</h2>"), "Linked the first pages")]


def _catalog(body: str) -> list[tuple[str, str]]:
    old = body.replace(">Yellow</ac:parameter>", ">Grey</ac:parameter>").replace(">BETA<", ">ALPHA<")
    return [(old, "")]


def _checklist(body: str) -> list[tuple[str, str]]:
    v3 = _cut(body, '<ac:structured-macro ac:name="warning"')
    v2 = _cut(v3, "<ac:task><ac:task-id>3</ac:task-id>", "</ac:task>")
    v1 = v2.replace("<ac:task-status>complete</ac:task-status>", "<ac:task-status>incomplete</ac:task-status>", 1)
    return [(v1, ""), (v2, "Regression suite step"), (v3, "Release notes step")]


def _standards(body: str) -> list[tuple[str, str]]:
    return [(_cut(body, "<p>Architecture decisions: "), "")]


# seeded page id -> its earlier bodies and version comments, from version 1 on
_EARLIER: dict[str, Callable[[str], list[tuple[str, str]]]] = {
    "98305": _home,
    "98307": _installation,
    "98310": _architecture,
    "98311": _catalog,
    "98314": _checklist,
    "98318": _standards,
}


def _seed(page: Page) -> Versions:
    number = int(page["version"])
    if number <= 1:
        return {}
    recipe = _EARLIER.get(page["id"])
    earlier = recipe(page["body"]) if recipe else []
    earlier = (earlier + [(page["body"], "")] * number)[: number - 1]
    versions: Versions = {}
    for index, (body, message) in enumerate(earlier, start=1):
        versions[index] = {
            **page,
            "status": "historical",
            "body": body,
            "version": index,
            "version_message": message,
            "labels": list(page["labels"]),
            "updated": page["created"] + timedelta(days=index - 1),
            "updated_by": page["created_by"] if index == 1 else page["updated_by"],
        }
    return versions


def versions_of(state: ConfluenceState) -> dict[str, Versions]:
    """Earlier versions by page id (the current version is the page itself)."""
    found = _VERSIONS.get(state)
    if found is None:
        found = {page_id: _seed(page) for page_id, page in state.pages.items()}
        _VERSIONS[state] = found
    return found


def remember_version(state: ConfluenceState, page: Page) -> None:
    """Keep `page` as it is now, as one of its earlier versions (called just before an update replaces it)."""
    versions = versions_of(state).setdefault(page["id"], {})
    versions[int(page["version"])] = {**page, "status": "historical", "labels": list(page["labels"])}


def page_at(state: ConfluenceState, page: Page, number: int) -> Page | None:
    """`page` as it was at version `number`: the page itself at its current version, None past it."""
    if number == page["version"]:
        return page
    return versions_of(state).get(page["id"], {}).get(number)


def all_versions(state: ConfluenceState, page: Page) -> list[Page]:
    """Every version of `page`, the newest first."""
    earlier = versions_of(state).get(page["id"], {})
    return [page, *(earlier[n] for n in sorted(earlier, reverse=True) if n < page["version"])]
