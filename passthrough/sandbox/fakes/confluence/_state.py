"""The fake Confluence's in-memory state and the writes that change it (no HTTP here).

Stored pages are plain dicts (see ``_confluence_data.seed``): ``id``, ``type`` ("page"), ``status``,
``space_key``, ``title``, ``body`` (storage XHTML string), ``version`` (int), ``version_message``,
``parent_id``, ``position``, ``labels`` (list of names), ``created``/``updated`` (datetimes) and
``created_by``/``updated_by`` (user names, or None).  Comments are dicts of the same kind with ``page_id``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from .._atlassian import AtlassianState
from ._data import (
    FIRST_NEW_ID,
    SPACES,
    Comment,
    ConfluenceUser,
    Deployment,
    Page,
    Space,
    seed,
    user_key,
)
from ._errors import ConfluenceError, bad_request, not_found_v1
from ._history_state import remember_version
from ._storage import storage_error

Api = Literal["v1", "v2"]
_LABEL_FORBIDDEN = frozenset(":;,.?&[]()#^*@!<>/\\'\"")


@dataclass(frozen=True)
class PageUpdate:
    """One attempted page update: what ``version.number`` the client sent and what the page had before."""

    page_id: str
    api: Api
    sent_version: int | None
    current_version: int
    accepted: bool
    by: str | None


def now() -> datetime:
    return datetime.now(UTC)


class ConfluenceState(AtlassianState[ConfluenceUser]):
    """Everything the fake Confluence knows; tests may read (and tweak) the public attributes directly."""

    def __init__(self, deployment: Deployment, users: tuple[ConfluenceUser, ...]) -> None:
        super().__init__(deployment, users)
        self.spaces: dict[str, Space] = {s.key: s for s in SPACES}
        self.pages, self.comments = seed(users, cloud=self.cloud)
        self.trash: dict[str, Page] = {}
        self.updates: list[PageUpdate] = []
        self.validate_storage = True
        self._next_id = FIRST_NEW_ID
        self._label_ids: dict[str, str] = {}

    # ------------------------------------------------------------------ lookups

    def find_user(self, ref: str) -> ConfluenceUser | None:
        """A user by name, account id, user key or email (case-insensitive)."""
        wanted = ref.lower()
        for user in self.users:
            if wanted in (user.name.lower(), user.account_id.lower(), user.email.lower(), user_key(user)):
                return user
        return None

    def space_by_key(self, key: str) -> Space | None:
        return next((s for s in self.spaces.values() if s.key.lower() == key.lower()), None)

    def space_by_id(self, space_id: str) -> Space | None:
        return next((s for s in self.spaces.values() if s.id == space_id), None)

    def space_of(self, item: Page | Comment) -> Space:
        page = self.pages[item["page_id"]] if item["type"] == "comment" else item
        return self.spaces[page["space_key"]]

    def page(self, page_id: str) -> Page:
        page = self.pages.get(page_id)
        if page is None:
            raise not_found_v1(page_id)
        return page

    def comment(self, comment_id: str) -> Comment | None:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    return comment
        return None

    def content(self, content_id: str) -> Page | Comment:
        """A page or a comment by id (404 otherwise)."""
        found = self.pages.get(content_id) or self.comment(content_id)
        if found is None:
            raise not_found_v1(content_id)
        return found

    def all_comments(self) -> list[Comment]:
        return sorted((c for cs in self.comments.values() for c in cs), key=lambda c: int(c["id"]))

    def children(self, page_id: str) -> list[Page]:
        return sorted(
            (p for p in self.pages.values() if p["parent_id"] == page_id),
            key=lambda p: (p["position"], int(p["id"])),
        )

    def ancestors(self, page: Page) -> list[Page]:
        """Ancestors from the top-level page down to the direct parent."""
        chain: list[Page] = []
        parent_id = page["parent_id"]
        while parent_id is not None and parent_id in self.pages:
            parent = self.pages[parent_id]
            chain.append(parent)
            parent_id = parent["parent_id"]
        return chain[::-1]

    def find_title(self, space_key: str, title: str) -> Page | None:
        wanted = title.casefold()
        return next(
            (p for p in self.pages.values() if p["space_key"] == space_key and p["title"].casefold() == wanted),
            None,
        )

    def comment_title(self, comment: Comment) -> str:
        return f"Re: {self.pages[comment['page_id']]['title']}"

    def label_id(self, name: str) -> str:
        if name not in self._label_ids:
            self._label_ids[name] = str(1769473 + len(self._label_ids))
        return self._label_ids[name]

    # ------------------------------------------------------------------ checks

    def _new_content(self, kind: str, author: str | None, **fields: Any) -> dict[str, Any]:
        """A new page or comment: its id, type and status, its own ``fields``, created and updated now."""
        stamp = now()
        return {
            "id": self._new_id(),
            "type": kind,
            "status": "current",
            **fields,
            "created": stamp,
            "created_by": author,
            "updated": stamp,
            "updated_by": author,
        }

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id - 1)

    def check_storage(self, value: object) -> str:
        if not isinstance(value, str):
            raise bad_request("Body value must be a string in storage representation")
        if self.validate_storage:
            problem = storage_error(value)
            if problem is not None:
                raise bad_request(problem)
        return value

    def _check_title(self, space_key: str, title: object, exclude: str | None = None) -> str:
        if not isinstance(title, str) or not title.strip():
            raise bad_request("Title is required for content of type page", v2_title="Title cannot be empty")
        if len(title) > 255:
            raise bad_request("Title cannot be longer than 255 characters")
        existing = self.find_title(space_key, title)
        if existing is not None and existing["id"] != exclude:
            space = self.spaces[space_key]
            raise ConfluenceError(
                400,
                "A page with this title already exists: A page already exists with the title "
                f"{title} in the space with key {space.key}",
                v2_title="A page with this title already exists: A page already exists with the same TITLE "
                "in this space",
                validation=True,
            )
        return title

    def _check_parent(self, space_key: str, parent_id: str | None, page_id: str | None = None) -> str | None:
        if parent_id is None:
            return None
        parent = self.pages.get(parent_id)
        if parent is None:
            raise bad_request(f"Could not find parent page with id {parent_id}", v2_title="Parent page not found")
        if parent["space_key"] != space_key:
            raise bad_request("Parent page must be in the same space as the page")
        if page_id is not None:
            if parent_id == page_id or any(a["id"] == page_id for a in self.ancestors(parent)):
                raise bad_request("A page cannot be moved below itself or one of its descendants")
        return parent_id

    # ------------------------------------------------------------------ writes

    def create_page(
        self,
        space: Space,
        title: object,
        body: object,
        parent_id: str | None,
        author: str | None,
        api: Api,
    ) -> Page:
        checked_title = self._check_title(space.key, title)
        parent = self._check_parent(space.key, parent_id)
        value = self.check_storage(body)
        position = max((p["position"] for p in self.pages.values()), default=0) + 1
        details = {"space_key": space.key, "title": checked_title, "body": value, "version": 1}
        page: Page = self._new_content(
            "page", author, **details, version_message="", parent_id=parent, position=position, labels=[]
        )
        self.pages[page["id"]] = page
        self.comments[page["id"]] = []
        return page

    def check_version(self, item: Page | Comment, sent: object, api: Api, actor: str | None) -> int:
        """The new version number, or a 400/409 like Confluence's; every attempt on a page is logged."""
        number: int | None
        if isinstance(sent, bool) or not isinstance(sent, int | str):
            number = None
        else:
            try:
                number = int(sent)
            except ValueError:
                number = None
        current = int(item["version"])
        accepted = number == current + 1
        if item["type"] == "page":
            self.updates.append(PageUpdate(item["id"], api, number, current, accepted, actor))
        if number is None:
            raise bad_request(
                "Must supply an incremented version when updating Content. No version supplied.",
                v2_title="Version number must be provided",
            )
        if not accepted:
            raise ConfluenceError(
                409,
                f"Version must be incremented on update. Current version is: {current}",
                v2_title=f"Version number must be incremented on update. Current version is: {current}",
            )
        return number

    def update_page(
        self,
        page: Page,
        *,
        version: object,
        title: object,
        body: object | None,
        parent_id: str | None,
        move: bool,
        message: str,
        actor: str | None,
        api: Api,
    ) -> Page:
        number = self.check_version(page, version, api, actor)
        checked_title = self._check_title(page["space_key"], title, exclude=page["id"])
        parent = self._check_parent(page["space_key"], parent_id, page["id"]) if move else page["parent_id"]
        value = self.check_storage(body) if body is not None else page["body"]
        remember_version(self, page)  # Confluence keeps every version (routes/history serves them)
        page.update(
            title=checked_title,
            body=value,
            parent_id=parent,
            version=number,
            version_message=message,
            updated=now(),
            updated_by=actor,
        )
        return page

    def add_comment(self, page: Page, body: object, author: str | None) -> Comment:
        value = self.check_storage(body)
        comment: Comment = self._new_content("comment", author, page_id=page["id"], body=value, version=1)
        self.comments.setdefault(page["id"], []).append(comment)
        return comment

    def update_comment(self, comment: Comment, *, version: object, body: object, actor: str | None, api: Api) -> None:
        number = self.check_version(comment, version, api, actor)
        comment.update(body=self.check_storage(body), version=number, updated=now(), updated_by=actor)

    def add_labels(self, item: Page | Comment, names: Iterable[object]) -> None:
        labels: list[str] = item.setdefault("labels", [])
        for raw in names:
            if not isinstance(raw, str) or not raw.strip():
                raise bad_request("Label name must not be empty")
            name = raw.strip().lower()
            if any(c.isspace() or c in _LABEL_FORBIDDEN for c in name):
                raise bad_request(f"Label '{raw}' contains an invalid character")
            if name not in labels:
                labels.append(name)
            self.label_id(name)

    def remove_label(self, item: Page | Comment, name: str) -> None:
        labels: list[str] = item.setdefault("labels", [])
        if name.lower() not in labels:
            raise ConfluenceError(404, f"Label '{name}' is not on content with id {item['id']}")
        labels.remove(name.lower())

    def delete(self, item: Page | Comment) -> None:
        """Pages go to the trash (children move up to the parent); comments are removed."""
        if item["type"] == "comment":
            self.comments[item["page_id"]].remove(item)
            return
        for child in self.children(item["id"]):
            child["parent_id"] = item["parent_id"]
        item["status"] = "trashed"
        self.trash[item["id"]] = self.pages.pop(item["id"])

    @staticmethod
    def payload_id(value: Any) -> str | None:
        """An id given as a string or number in a payload (None when absent)."""
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        return None
