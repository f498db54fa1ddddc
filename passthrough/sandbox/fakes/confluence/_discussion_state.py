"""The fake Confluence's comment threads: which comment answers which, and what inline comments are anchored to.

Every comment, wherever it sits, is stored as the shared state stores comments (``state.comments[page_id]``), so
v1 content reads, deletes and search find replies and inline comments as Confluence does; this module keeps only
what makes a comment a reply (its parent) or an inline comment (its anchor: the selected text, the marker and the
resolution). A reply belongs where its thread's root is: an inline comment's replies are inline too.

Seeded on first use, over the seeded footer comments (98320-98322): a reply to 98320 and a reply to that reply
on "Installation guide" (98307), an open inline comment with one reply on the same page, and a resolved inline
comment on "Architecture overview" (98310), ids 98360-98364.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from weakref import WeakKeyDictionary

from ._data import SEED_EPOCH, Comment, Page
from ._errors import ConfluenceError, bad_request
from ._state import ConfluenceState, now
from ._storage import plain_text

Location = Literal["footer", "inline"]
RESOLUTIONS = ("open", "reopened", "resolved", "dangling")
MAX_DEPTH = 64  # a thread deeper than this is cut (a parent chain cannot loop, but stays bounded anyway)
V1_INLINE_FIELDS = ("originalSelection", "numMatches", "matchIndex", "lastFetchTime", "serializedHighlights")
V1_INLINE_REFUSED = "Could not create content with type comment"


@dataclass
class Anchor:
    """Where an inline comment (the root of an inline thread) sits on its page, and whether it is resolved."""

    selection: str
    marker_ref: str
    match_count: int
    match_index: int
    resolution: str = "open"
    changed_by: str | None = None
    changed: datetime | None = None


class InlineRefused(ConfluenceError):
    """Data Center's 400 for an inline comment missing inline properties: one error key per missing field."""

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__(400, V1_INLINE_REFUSED, v2_title=V1_INLINE_REFUSED, validation=True)
        self.keys = tuple(keys)

    def v1_body(self) -> dict[str, Any]:
        body = super().v1_body()
        body["data"]["errors"] = [{"message": {"key": key, "args": []}} for key in self.keys]
        return body


# (id, page, parent or None, author index, storage body, anchor: (selection, resolution) or None)
_SEED: tuple[tuple[str, str, str | None, int, str, tuple[str, str] | None], ...] = (
    ("98360", "98307", "98320", 0, "<p>Good point. I will add the Homebrew steps next week.</p>", None),
    ("98361", "98307", "98360", 1, "<p>Done: the macOS section is in version 2.</p>", None),
    (
        "98362",
        "98307",
        None,
        1,
        "<p>Should we say which Python version creates the <code>.venv</code>?</p>",
        ("fresh virtual environment", "open"),
    ),
    ("98363", "98307", "98362", 0, "<p>Yes, 3.11 or newer. I will add it.</p>", None),
    ("98364", "98310", None, 1, "<p>Is 2026 still the target date?</p>", ("target", "resolved")),
)


class DiscussionState:
    """Replies and inline anchors over a fake Confluence's comments."""

    def __init__(self, state: ConfluenceState) -> None:
        self.state = state
        self.parents: dict[str, str] = {}  # reply id -> the id of the comment it answers
        self.anchors: dict[str, Anchor] = {}  # inline comment (thread root) id -> its anchor
        self._seed()

    def _seed(self) -> None:
        users = self.state.users
        for index, (cid, page_id, parent, who, body, anchor) in enumerate(_SEED):
            if page_id not in self.state.pages:
                continue
            author = users[who % len(users)].name if users else None
            created = SEED_EPOCH + timedelta(days=3, hours=index)
            comment: Comment = {
                "id": cid,
                "type": "comment",
                "status": "current",
                "page_id": page_id,
                "body": body,
                "version": 1,
                "created": created,
                "created_by": author,
                "updated": created,
                "updated_by": author,
            }
            self.state.comments.setdefault(page_id, []).append(comment)
            if parent is not None:
                self.parents[cid] = parent
            if anchor is not None:
                selection, resolution = anchor
                count = self.occurrences(self.state.pages[page_id], selection)
                marker = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-confluence-marker:{cid}"))
                changed = created + timedelta(hours=2) if resolution != "open" else None
                self.anchors[cid] = Anchor(
                    selection, marker, max(count, 1), 0, resolution, author if changed else None, changed
                )

    # ------------------------------------------------------------------ reading threads

    def parent(self, comment: Comment) -> Comment | None:
        parent_id = self.parents.get(comment["id"])
        return self.state.comment(parent_id) if parent_id else None

    def ancestors(self, comment: Comment) -> list[Comment]:
        """The comments above ``comment``, from its thread's root down to its direct parent."""
        chain: list[Comment] = []
        current = self.parent(comment)
        while current is not None and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = self.parent(current)
        return chain[::-1]

    def root(self, comment: Comment) -> Comment:
        chain = self.ancestors(comment)
        return chain[0] if chain else comment

    def anchor(self, comment: Comment) -> Anchor | None:
        """The anchor of ``comment``'s thread (None for footer threads)."""
        return self.anchors.get(self.root(comment)["id"])

    def location(self, comment: Comment) -> Location:
        return "inline" if self.anchor(comment) is not None else "footer"

    def children(self, comment: Comment) -> list[Comment]:
        return [
            c for c in self.state.comments.get(comment["page_id"], []) if self.parents.get(c["id"]) == comment["id"]
        ]

    def roots(self, page: Page, location: Location) -> list[Comment]:
        """A page's top-level comments of one kind, oldest first."""
        return [
            c
            for c in self.state.comments.get(page["id"], [])
            if c["id"] not in self.parents and self.location(c) == location
        ]

    def threads(self, roots: list[Comment]) -> list[Comment]:
        """``roots``, each followed by its replies (depth first, oldest first), as v1 lists them with depth=all."""
        ordered: list[Comment] = []
        stack = list(reversed(roots))
        while stack:
            comment = stack.pop()
            ordered.append(comment)
            if len(self.ancestors(comment)) < MAX_DEPTH:
                stack.extend(reversed(self.children(comment)))
        return ordered

    def v1_location(self, comment: Comment) -> str:
        """v1's ``location`` filter value: footer, inline, or resolved (an inline thread marked resolved)."""
        anchor = self.anchor(comment)
        if anchor is None:
            return "footer"
        return "resolved" if anchor.resolution == "resolved" else "inline"

    # ------------------------------------------------------------------ writing

    def reply(self, parent: Comment, body: object, author: str | None) -> Comment:
        page = self.state.page(parent["page_id"])
        comment = self.state.add_comment(page, body, author)
        self.parents[comment["id"]] = parent["id"]
        return comment

    @staticmethod
    def occurrences(page: Page, selection: str) -> int:
        return plain_text(page["body"]).count(selection) if selection else 0

    def add_inline(
        self, page: Page, body: object, author: str | None, selection: object, count: object, index: object
    ) -> Comment:
        """A new inline comment on ``page``, anchored to occurrence ``index`` of ``count`` of ``selection``."""
        if not isinstance(selection, str) or not selection.strip():
            raise bad_request("The text selection must not be empty", v2_title="textSelection must not be empty")
        if not _whole(count) or not _whole(index):
            raise bad_request(
                "numMatches and matchIndex must be whole numbers",
                v2_title="textSelectionMatchCount and textSelectionMatchIndex must be integers",
            )
        assert isinstance(count, int) and isinstance(index, int)
        found = self.occurrences(page, selection)
        if found == 0:
            raise bad_request(
                f"The selected text was not found on the page: {selection}",
                v2_title="Could not find the text selection in the page content",
            )
        if count != found or not 0 <= index < found:
            raise bad_request(
                f"The selected text occurs {found} times on the page; numMatches {count}, matchIndex {index} do "
                "not match it",
                v2_title=f"The text selection occurs {found} times in the page content; textSelectionMatchCount "
                f"{count} and textSelectionMatchIndex {index} do not match it",
            )
        comment = self.state.add_comment(page, body, author)
        self.anchors[comment["id"]] = Anchor(selection, str(uuid.uuid4()), count, index)
        return comment

    def add_v1(self, page: Page, payload: Mapping[str, Any], body: object, author: str | None) -> Comment:
        """A v1 ``POST /content`` comment: a reply when it names ``ancestors``, inline when its extensions say so."""
        ancestors = payload.get("ancestors")
        extensions = payload.get("extensions")
        if ancestors:
            if not isinstance(ancestors, list) or not all(isinstance(a, dict) for a in ancestors):
                raise bad_request("ancestors must be a list of objects with an id")
            parent_id = self.state.payload_id(ancestors[-1].get("id"))
            parent = self.state.comment(parent_id) if parent_id else None
            if parent is None:
                raise bad_request(f"Cannot find the parent comment with id {parent_id}")
            if parent["page_id"] != page["id"]:
                raise bad_request("A reply must have the same container as the comment it answers")
            return self.reply(parent, body, author)
        if isinstance(extensions, dict) and extensions.get("location") == "inline":
            props = extensions.get("inlineProperties")
            props = props if isinstance(props, dict) else {}
            missing = [key for key in V1_INLINE_FIELDS if props.get(key) in (None, "")]
            if missing:
                raise InlineRefused(missing)
            highlights = props["serializedHighlights"]
            try:
                parsed = json.loads(highlights) if isinstance(highlights, str) else None
            except ValueError:
                parsed = None
            if not isinstance(parsed, list):
                raise InlineRefused(["serializedHighlights"])
            return self.add_inline(
                page, body, author, props["originalSelection"], props["numMatches"], props["matchIndex"]
            )
        return self.state.add_comment(page, body, author)

    def resolve(self, comment: Comment, resolution: str, actor: str | None) -> None:
        anchor = self.anchors.get(comment["id"])
        if anchor is None:
            raise ConfluenceError(404, "Not Found")
        anchor.resolution, anchor.changed_by, anchor.changed = resolution, actor, now()


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_STATES: WeakKeyDictionary[ConfluenceState, DiscussionState] = WeakKeyDictionary()


def discussion_of(state: ConfluenceState) -> DiscussionState:
    """The threads that go with a fake Confluence's state, seeded on first use."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = DiscussionState(state)
    return found
