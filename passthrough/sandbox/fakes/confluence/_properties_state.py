"""The fake Confluence's content properties (v1 by key, v2 by property id) and Cloud's folders.

A page's title emoji and width live in properties, as in Confluence: ``emoji-title-published`` /
``emoji-title-draft`` hold the emoji's code points in hex (``1f4dd``), ``content-appearance-published`` /
``-draft`` hold ``full-width``, ``max`` or ``default``. A property has its own version: an update must send
the next number (a 409 otherwise), as Confluence answers. Folders exist on Cloud only; one is seeded under
the DEMO home page, so that ``/pages/{id}/direct-children`` lists a folder among the child pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from ._errors import ConfluenceError, bad_request

MAX_KEY = 255
FIRST_PROPERTY_ID = 557057


@dataclass
class Property:
    id: str
    page_id: str
    key: str
    value: Any
    version: int
    when: datetime
    by: str | None


@dataclass(frozen=True)
class Folder:
    id: str
    title: str
    parent_id: str
    space_key: str
    position: int


# Cloud only: (id, title, parent page, space, position among the parent's children)
FOLDERS = (Folder("98401", "Archive", "98305", "DEMO", 2),)


@dataclass
class PropertiesState:
    cloud: bool
    by_page: dict[str, dict[str, Property]] = field(default_factory=dict)
    next_id: int = FIRST_PROPERTY_ID

    @property
    def folders(self) -> tuple[Folder, ...]:
        return FOLDERS if self.cloud else ()

    def folders_under(self, page_id: str) -> list[Folder]:
        return [f for f in self.folders if f.parent_id == page_id]

    def of(self, page_id: str) -> dict[str, Property]:
        return self.by_page.setdefault(page_id, {})

    def get(self, page_id: str, key: str) -> Property | None:
        return self.of(page_id).get(key)

    def by_id(self, page_id: str, property_id: str) -> Property | None:
        return next((p for p in self.of(page_id).values() if p.id == property_id), None)

    def value(self, page_id: str, key: str) -> Any:
        """A property's value (None when the page has none): what tests read."""
        found = self.get(page_id, key)
        return None if found is None else found.value

    def create(self, page_id: str, key: object, value: object, actor: str | None) -> Property:
        name = _key(key)
        if value is None:
            raise bad_request("A content property needs a value", v2_title="Property value cannot be null")
        if name in self.of(page_id):
            raise ConfluenceError(
                409,
                f"Cannot add a property with key '{name}' to content {page_id}: the key already exists",
                v2_title="A property with this key already exists on this content",
            )
        self.next_id += 1
        prop = Property(str(self.next_id - 1), page_id, name, value, 1, datetime.now(UTC), actor)
        self.of(page_id)[name] = prop
        return prop

    def update(self, prop: Property, value: object, version: object, actor: str | None) -> Property:
        number = version.get("number") if isinstance(version, dict) else None
        if isinstance(number, bool) or not isinstance(number, int):
            raise bad_request(
                "Must supply an incremented version when updating a content property",
                v2_title="Version number must be provided",
            )
        if number != prop.version + 1:
            raise ConfluenceError(
                409,
                f"Version must be incremented on update. Current version is: {prop.version}",
                v2_title=f"Version number must be incremented on update. Current version is: {prop.version}",
            )
        if value is None:
            raise bad_request("A content property needs a value", v2_title="Property value cannot be null")
        prop.value, prop.version, prop.when, prop.by = value, number, datetime.now(UTC), actor
        return prop

    def delete(self, prop: Property) -> None:
        del self.of(prop.page_id)[prop.key]


def _key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise bad_request("A content property needs a key", v2_title="Property key cannot be empty")
    if len(key) > MAX_KEY:
        raise bad_request(f"A content property key is at most {MAX_KEY} characters")
    return key


_STATES: WeakKeyDictionary[object, PropertiesState] = WeakKeyDictionary()


def properties_of(state: Any) -> PropertiesState:
    """The properties and folders that go with a fake Confluence's state (``ConfluenceState``)."""
    found = _STATES.get(state)
    if found is None:
        found = _STATES[state] = PropertiesState(cloud=state.cloud)
    return found
