"""Turning the fake Confluence's state into REST v1 and v2 JSON (no HTTP here).

``base`` is the product base URL as Confluence reports it in ``_links.base``: ``http://host:port`` on
Server, ``http://host:port/wiki`` on Cloud (``context`` is ``""`` / ``"/wiki"``).  v1 links are relative to
``base``; v2 ``_links.next`` and ``webui`` follow Cloud: ``webui`` relative to base, ``next`` relative to
the host (it starts with ``/wiki/api/v2/``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from ._data import ConfluenceUser, Space, user_key, v1_timestamp, v2_timestamp
from ._state import ConfluenceState
from ._storage import plain_text

Item = dict[str, Any]
JSON = dict[str, Any]

HL_START = "@@@hl@@@"
HL_END = "@@@endhl@@@"
_BODY_REPRESENTATIONS = ("storage", "view", "export_view", "styled_view", "editor", "anonymous_export_view")
_SIMPLE_TITLE = re.compile(r"^[A-Za-z0-9 _.\-]+$")


@dataclass(frozen=True)
class Expand:
    """A parsed ``expand`` parameter: ``body.storage,version`` -> has("body"), sub("body").has("storage")."""

    paths: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> Expand:
        return cls(frozenset(p.strip() for p in (text or "").split(",") if p.strip()))

    def has(self, name: str) -> bool:
        return any(p == name or p.startswith(name + ".") for p in self.paths)

    def sub(self, name: str) -> Expand:
        prefix = name + "."
        return Expand(frozenset(p[len(prefix) :] for p in self.paths if p.startswith(prefix)))


NO_EXPAND = Expand()


# (name, its value for the sub-expansion asked, what ``_expandable`` says when it is not asked)
_Field = tuple[str, Callable[["Expand"], Any], str]


def _expand_into(data: JSON, expandable: JSON, expand: Expand, fields: Iterable[_Field]) -> None:
    """Each field into ``data`` when ``expand`` asks for it, else its placeholder into ``expandable``."""
    for name, value, placeholder in fields:
        if expand.has(name):
            data[name] = value(expand.sub(name))
        else:
            expandable[name] = placeholder


def tiny_id(content_id: str) -> str:
    """Confluence's tiny link id: base64 of the little-endian id bytes, trailing zero bytes dropped."""
    raw = int(content_id).to_bytes(8, "little").rstrip(b"\0") or b"\0"
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def friendly(moment: datetime) -> str:
    return moment.strftime("%b %d, %Y")


def highlight(text: str, terms: tuple[str, ...]) -> str:
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(lambda m: f"{HL_START}{m.group(0)}{HL_END}", text)


class Renderer:
    def __init__(self, state: ConfluenceState, origin: str) -> None:
        self.state = state
        self.cloud = state.cloud
        self.origin = origin
        self.context = "/wiki" if self.cloud else ""
        self.base = origin + self.context

    # ------------------------------------------------------------------ common

    def _ts(self, moment: datetime) -> str:
        return v1_timestamp(moment, self.cloud)

    def account_id(self, name: str | None) -> str | None:
        user = self.state.user(name)
        return user.account_id if user else None

    def space_webui(self, space: Space) -> str:
        return f"/spaces/{space.key}" if self.cloud else f"/display/{space.key}"

    def page_webui(self, page: Item) -> str:
        space = self.state.spaces[page["space_key"]]
        title = page["title"]
        if self.cloud:
            return f"/spaces/{space.key}/pages/{page['id']}/{quote_plus(title)}"
        if _SIMPLE_TITLE.match(title):
            return f"/display/{space.key}/{quote_plus(title)}"
        return f"/pages/viewpage.action?pageId={page['id']}"

    def comment_webui(self, comment: Item) -> str:
        page_url = self.page_webui(self.state.pages[comment["page_id"]])
        joiner = "&" if "?" in page_url else "?"
        return f"{page_url}{joiner}focusedCommentId={comment['id']}#comment-{comment['id']}"

    def webui(self, item: Item) -> str:
        return self.comment_webui(item) if item["type"] == "comment" else self.page_webui(item)

    def title(self, item: Item) -> str:
        return str(self.state.comment_title(item) if item["type"] == "comment" else item["title"])

    # ------------------------------------------------------------------ v1: users

    def _picture(self, user: ConfluenceUser | None) -> JSON:
        if self.cloud and user is not None:
            return {"path": f"/wiki/aa-avatar/{user.account_id}", "width": 48, "height": 48, "isDefault": False}
        return {"path": "/images/icons/profilepics/default.svg", "width": 48, "height": 48, "isDefault": True}

    def user(self, name: str | None) -> JSON:
        user = self.state.user(name)
        if user is None:
            return {
                "type": "anonymous",
                "profilePicture": self._picture(None),
                "displayName": "Anonymous",
                "_expandable": {"operations": ""},
                "_links": {"self": f"{self.base}/rest/api/user/anonymous"},
            }
        if self.cloud:
            return {
                "type": "known",
                "accountId": user.account_id,
                "accountType": "atlassian",
                "email": user.email,
                "publicName": user.display_name,
                "profilePicture": self._picture(user),
                "displayName": user.display_name,
                "isExternalCollaborator": False,
                "_expandable": {"operations": "", "personalSpace": ""},
                "_links": {"self": f"{self.base}/rest/api/user?accountId={user.account_id}"},
            }
        key = user_key(user)
        return {
            "type": "known",
            "username": user.name,
            "userKey": key,
            "profilePicture": self._picture(user),
            "displayName": user.display_name,
            "_links": {"self": f"{self.base}/rest/api/user?key={key}"},
            "_expandable": {"status": ""},
        }

    def current_user(self, name: str) -> JSON:
        data = self.user(name)
        data["_links"] = {**data["_links"], "base": self.base, "context": self.context}
        return data

    # ------------------------------------------------------------------ v1: spaces, labels

    def space(self, space: Space, expand: Expand = NO_EXPAND, *, top_links: bool = False) -> JSON:
        data: JSON = {
            "id": int(space.id),
            "key": space.key,
            "name": space.name,
            "type": space.type,
            "status": "current",
        }
        expandable: JSON = {"settings": f"/rest/api/space/{space.key}/settings", "metadata": "", "operations": ""}
        if expand.has("homepage") and space.homepage_id in self.state.pages:
            data["homepage"] = self.content(self.state.pages[space.homepage_id], expand.sub("homepage"))
        else:
            expandable["homepage"] = f"/rest/api/content/{space.homepage_id}"
        if expand.has("description"):
            data["description"] = {"plain": {"value": "", "representation": "plain", "embeddedContent": []}}
        else:
            expandable["description"] = ""
        expandable.update(icon="", permissions="", history="")
        links: JSON = {"webui": self.space_webui(space), "self": f"{self.base}/rest/api/space/{space.key}"}
        if top_links:
            links.update(base=self.base, context=self.context)
        data["_expandable"] = expandable
        data["_links"] = links
        return data

    def label(self, name: str) -> JSON:
        return {"prefix": "global", "name": name, "id": self.state.label_id(name), "label": name}

    # ------------------------------------------------------------------ v1: content

    def version(self, item: Item) -> JSON:
        data: JSON = {
            "by": self.user(item["updated_by"]),
            "when": self._ts(item["updated"]),
            "friendlyWhen": friendly(item["updated"]),
            "message": item.get("version_message", ""),
            "number": item["version"],
            "minorEdit": item.get("minor_edit_version") == item["version"],
        }
        if self.cloud:
            data.update(contentTypeModified=False, confRev=f"confluence$content${item['id']}.{item['version']}")
        else:
            data["hidden"] = False
        data["_expandable"] = {"content": f"/rest/api/content/{item['id']}"}
        data["_links"] = {"self": f"{self.base}/rest/experimental/content/{item['id']}/version/{item['version']}"}
        return data

    def history(self, item: Item, expand: Expand) -> JSON:
        data: JSON = {
            "latest": True,
            "createdBy": self.user(item["created_by"]),
            "createdDate": self._ts(item["created"]),
        }
        expandable: JSON = {"previousVersion": "", "contributors": "", "nextVersion": ""}
        if expand.has("lastUpdated"):
            data["lastUpdated"] = self.version(item)
        else:
            expandable["lastUpdated"] = ""
        data["_links"] = {"self": f"{self.base}/rest/api/content/{item['id']}/history"}
        data["_expandable"] = expandable
        return data

    def body(self, value: str, content_id: str, expand: Expand) -> JSON:
        """Expanded representations carry the stored XHTML (``view`` is not rendered by the fake)."""
        data: JSON = {}
        expandable: JSON = {}
        for representation in _BODY_REPRESENTATIONS:
            if expand.has(representation):
                data[representation] = {
                    "value": value,
                    "representation": representation,
                    "embeddedContent": [],
                    "_expandable": {"content": f"/rest/api/content/{content_id}"},
                }
            else:
                expandable[representation] = ""
        data["_expandable"] = expandable
        return data

    def _collection(self, results: list[JSON], path: str) -> JSON:
        return {
            "results": results,
            "start": 0,
            "limit": 25 if len(results) <= 25 else len(results),
            "size": len(results),
            "_links": {"self": f"{self.base}{path}"},
        }

    def content(self, item: Item, expand: Expand = NO_EXPAND, *, top_links: bool = False) -> JSON:
        if item["type"] == "comment":
            return self.comment(item, expand, top_links=top_links)
        return self.page(item, expand, top_links=top_links)

    def _content_links(self, item: Item, top_links: bool) -> JSON:
        cid = item["id"]
        links: JSON = {"webui": self.webui(item)}
        if item["type"] == "page":
            links["editui" if self.cloud else "edit"] = f"/pages/resumedraft.action?draftId={cid}"
            links["tinyui"] = f"/x/{tiny_id(cid)}"
        links["self"] = f"{self.base}/rest/api/content/{cid}"
        if top_links:
            links.update(base=self.base, context=self.context, collection="/rest/api/content")
        return links

    def _common(self, item: Item, space: Space) -> list[_Field]:
        """The expansions every piece of content has: its space, history and version."""
        cid = item["id"]
        return [
            ("space", lambda e: self.space(space, e), f"/rest/api/space/{space.key}"),
            ("history", lambda e: self.history(item, e), f"/rest/api/content/{cid}/history"),
            ("version", lambda e: self.version(item), ""),
        ]

    def page(self, page: Item, expand: Expand = NO_EXPAND, *, top_links: bool = False) -> JSON:
        pid = page["id"]
        space = self.state.spaces[page["space_key"]]
        data: JSON = {"id": pid, "type": "page", "status": page["status"], "title": page["title"]}
        expandable: JSON = {}
        fields = self._common(page, space)
        fields += [
            ("ancestors", lambda e: [self.page(a) for a in self.state.ancestors(page)], ""),
            ("container", lambda e: self.space(space), f"/rest/api/space/{space.key}"),
            ("body", lambda e: self.body(page["body"], pid, e), ""),
            ("children", lambda e: self._children(page, e), f"/rest/api/content/{pid}/child"),
            ("metadata", lambda e: self._metadata(page, e), ""),
        ]
        _expand_into(data, expandable, expand, fields)
        expandable.update(
            operations="",
            restrictions=f"/rest/api/content/{pid}/restriction/byOperation",
            descendants=f"/rest/api/content/{pid}/descendant",
        )
        data["extensions"] = {"position": page["position"]}
        data["_links"] = self._content_links(page, top_links)
        data["_expandable"] = expandable
        return data

    def _metadata(self, page: Item, expand: Expand) -> JSON:
        metadata: JSON = {}
        if expand.has("labels"):
            labels = [self.label(n) for n in page["labels"]]
            metadata["labels"] = self._collection(labels, f"/rest/api/content/{page['id']}/label")
        return metadata

    def _children(self, page: Item, expand: Expand) -> JSON:
        child = f"/rest/api/content/{page['id']}/child"
        data: JSON = {}
        expandable: JSON = {}
        fields: list[_Field] = [
            ("page", lambda e: self._child_list(page, "page", e), f"{child}/page"),
            ("comment", lambda e: self._child_list(page, "comment", e), f"{child}/comment"),
        ]
        _expand_into(data, expandable, expand, fields)
        expandable["attachment"] = f"{child}/attachment"
        data["_expandable"] = expandable
        data["_links"] = {"self": f"{self.base}{child}"}
        return data

    def _child_list(self, page: Item, kind: str, expand: Expand) -> JSON:
        if kind == "page":
            results = [self.page(p, expand) for p in self.state.children(page["id"])]
        else:
            results = [self.comment(c, expand) for c in self.state.comments.get(page["id"], [])]
        return self._collection(results, f"/rest/api/content/{page['id']}/child/{kind}")

    def comment(self, comment: Item, expand: Expand = NO_EXPAND, *, top_links: bool = False) -> JSON:
        cid = comment["id"]
        page = self.state.pages[comment["page_id"]]
        space = self.state.spaces[page["space_key"]]
        data: JSON = {"id": cid, "type": "comment", "status": comment["status"], "title": self.title(comment)}
        expandable: JSON = {}
        fields = self._common(comment, space)
        fields += [
            ("container", lambda e: self.page(page, e), f"/rest/api/content/{page['id']}"),
            ("ancestors", lambda e: [], ""),
            ("body", lambda e: self.body(comment["body"], cid, e), ""),
        ]
        _expand_into(data, expandable, expand, fields)
        expandable.update(children=f"/rest/api/content/{cid}/child", metadata="", operations="")
        data["extensions"] = {"location": "footer", "_expandable": {"resolution": ""}}
        data["_links"] = self._content_links(comment, top_links)
        data["_expandable"] = expandable
        return data

    def search_result(self, item: Item, expand: Expand, terms: tuple[str, ...], hl: bool) -> JSON:
        """One entry of ``/rest/api/search`` (title and excerpt carry Confluence's highlight markers)."""
        page = self.state.pages[item["page_id"]] if item["type"] == "comment" else item
        space = self.state.spaces[page["space_key"]]
        text = plain_text(item["body"])
        excerpt = self._excerpt(text, terms)
        title = self.title(item)
        data: JSON = {
            "content": self.content(item, expand.sub("content")),
            "title": highlight(title, terms) if hl else title,
            "excerpt": highlight(excerpt, terms) if hl else excerpt,
            "url": self.webui(item),
            "resultGlobalContainer": {"title": space.name, "displayUrl": self.space_webui(space)},
            "breadcrumbs": [],
            "entityType": "content",
            "iconCssClass": f"aui-icon content-type-{item['type']}",
            "lastModified": self._ts(item["updated"]),
            "friendlyLastModified": friendly(item["updated"]),
            "score": 0.0,
        }
        if item["type"] == "comment":
            data["resultParentContainer"] = {"title": page["title"], "displayUrl": self.page_webui(page)}
        return data

    @staticmethod
    def _excerpt(text: str, terms: tuple[str, ...], size: int = 200) -> str:
        lowered = text.lower()
        positions = [lowered.find(t) for t in terms if lowered.find(t) >= 0]
        start = max(0, min(positions) - 40) if positions else 0
        excerpt = text[start : start + size]
        if start > 0:
            excerpt = "..." + excerpt.lstrip()
        if start + size < len(text):
            excerpt = excerpt.rstrip() + "..."
        return excerpt

    # ------------------------------------------------------------------ v2

    def v2_body(self, value: str, body_format: str | None) -> JSON:
        if not body_format:
            return {}
        return {body_format: {"representation": body_format, "value": value}}

    def _v2_version(self, item: Item) -> JSON:
        return {
            "createdAt": v2_timestamp(item["updated"]),
            "message": item.get("version_message", ""),
            "number": item["version"],
            "minorEdit": item.get("minor_edit_version") == item["version"],
            "authorId": self.account_id(item["updated_by"]),
        }

    def v2_page(self, page: Item, body_format: str | None, *, single: bool = False) -> JSON:
        space = self.state.spaces[page["space_key"]]
        pid = page["id"]
        author = self.account_id(page["created_by"])
        links: JSON = {
            "editui": f"/pages/resumedraft.action?draftId={pid}",
            "webui": self.page_webui(page),
            "edituiv2": f"/spaces/{space.key}/pages/edit-v2/{pid}",
            "tinyui": f"/x/{tiny_id(pid)}",
        }
        if single:
            links["base"] = self.base
        return {
            "parentType": "page" if page["parent_id"] else None,
            "parentId": page["parent_id"],
            "spaceId": space.id,
            "ownerId": author,
            "lastOwnerId": None,
            "createdAt": v2_timestamp(page["created"]),
            "authorId": author,
            "position": page["position"],
            "version": self._v2_version(page),
            "body": self.v2_body(page["body"], body_format),
            "status": page["status"],
            "title": page["title"],
            "id": pid,
            "_links": links,
        }

    def v2_child(self, page: Item) -> JSON:
        return {
            "id": page["id"],
            "status": page["status"],
            "title": page["title"],
            "type": "page",
            "spaceId": self.state.spaces[page["space_key"]].id,
            "childPosition": page["position"],
        }

    def v2_comment(self, comment: Item, body_format: str | None, *, single: bool = False) -> JSON:
        links: JSON = {"webui": self.comment_webui(comment)}
        if single:
            links["base"] = self.base
        return {
            "id": comment["id"],
            "status": comment["status"],
            "title": self.title(comment),
            "pageId": comment["page_id"],
            "version": self._v2_version(comment),
            "body": self.v2_body(comment["body"], body_format),
            "_links": links,
        }

    def v2_space(self, space: Space, *, single: bool = False) -> JSON:
        home = self.state.pages.get(space.homepage_id)
        links: JSON = {"webui": self.space_webui(space)}
        if single:
            links["base"] = self.base
        return {
            "id": space.id,
            "key": space.key,
            "name": space.name,
            "type": space.type,
            "status": "current",
            "authorId": self.account_id(home["created_by"]) if home else None,
            "createdAt": v2_timestamp(home["created"]) if home else None,
            "homepageId": space.homepage_id,
            "icon": None,
            "_links": links,
        }

    def v2_label(self, name: str) -> JSON:
        return {"id": self.state.label_id(name), "name": name, "prefix": "global"}
