"""HAL+JSON representations of the fake OpenProject's state (what API v3 answers look like).

Hrefs are server-relative (``/api/v3/...``) as OpenProject sends them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from markdown_it import MarkdownIt

from ._data import Entry, Priority, Status, WpType
from ._relations_state import hierarchy_links
from ._state import Activity, OpenProjectState, Principal, WorkPackage

API = "/api/v3"

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_CLASSES = {
    "p": "op-uc-p",
    "ul": "op-uc-list",
    "ol": "op-uc-list",
    "li": "op-uc-list--item",
    "blockquote": "op-uc-blockquote",
    "table": "op-uc-table",
    "pre": "op-uc-code-block",
    "code": "op-uc-code",
    **{f"h{n}": f"op-uc-h{n}" for n in range(1, 7)},
}
_BARE_TAG = re.compile(r"<(" + "|".join(_CLASSES) + r")>")


def markdown_html(raw: str) -> str:
    """OpenProject-style HTML for markdown: CommonMark plus tables, with ``op-uc-*`` classes."""
    if not raw:
        return ""
    html = _MARKDOWN.render(raw)
    return _BARE_TAG.sub(lambda m: f'<{m[1]} class="{_CLASSES[m[1]]}">', html).rstrip("\n")


def formattable(raw: str | None) -> dict[str, str]:
    raw = raw or ""
    return {"format": "markdown", "raw": raw, "html": markdown_html(raw)}


def link(href: str | None, title: str | None = None, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"href": href}
    if title is not None:
        result["title"] = title
    result.update(extra)
    return result


def user_href(principal_id: int) -> str:
    return f"{API}/users/{principal_id}"


class HalRenderer:
    def __init__(self, state: OpenProjectState) -> None:
        self.state = state

    # ------------------------------------------------------------------ principals

    def principal_link(self, principal_id: int | None) -> dict[str, Any]:
        principal = self.state.principal(principal_id)
        if principal is None:
            return {"href": None}
        return link(user_href(principal.id), principal.name)

    def _is_admin(self, principal_id: int) -> bool:
        from ._people_state import people_of  # the people store builds on this module's state

        return people_of(self.state).is_admin(principal_id)

    def user(self, principal: Principal, viewer: int | None) -> dict[str, Any]:
        """A user as ``viewer`` sees it: login, names and e-mail only for oneself."""
        body: dict[str, Any] = {"_type": "User", "id": principal.id, "name": principal.name}
        if viewer == principal.id:
            first, _, last = principal.name.rpartition(" ") if " " in principal.name else ("", "", principal.name)
            body.update(
                {
                    "login": principal.login,
                    "admin": self._is_admin(principal.id),
                    "firstName": first,
                    "lastName": last,
                    "language": "en",
                }
            )
        if principal.email is not None:
            body["email"] = principal.email
        body.update(
            {
                "avatar": "",
                "status": "active",
                "createdAt": "2025-12-01T09:00:00.000Z",
                "updatedAt": "2025-12-01T09:00:00.000Z",
                "_links": {
                    "self": link(user_href(principal.id), principal.name),
                    "showUser": link(f"/users/{principal.id}", type="text/html"),
                    "memberships": link(
                        f"{API}/memberships?filters="
                        f"%5B%7B%22principal%22%3A%7B%22operator%22%3A%22%3D%22%2C%22values%22%3A%5B%22{principal.id}"
                        f"%22%5D%7D%7D%5D",
                        "Memberships",
                    ),
                },
            }
        )
        return body

    # ------------------------------------------------------------------ catalogs

    def status(self, status: Status) -> dict[str, Any]:
        flags = {"isClosed": status.is_closed, "color": status.color, "isDefault": status.is_default}
        fixed = {"isReadonly": False, "excludedFromTotals": False}
        done = {"defaultDoneRatio": status.default_done_ratio, "position": status.position}
        return _entry("Status", status, "statuses", **flags, **fixed, **done)

    def type(self, wp_type: WpType) -> dict[str, Any]:
        look = {"color": wp_type.color, "position": wp_type.position}
        flags = {"isDefault": wp_type.is_default, "isMilestone": wp_type.is_milestone}
        stamps = {"createdAt": "2025-12-01T09:00:00.000Z", "updatedAt": "2025-12-01T09:00:00.000Z"}
        return _entry("Type", wp_type, "types", **look, **flags, **stamps)

    def priority(self, priority: Priority) -> dict[str, Any]:
        look = {"position": priority.position, "color": priority.color}
        return _entry("Priority", priority, "priorities", **look, isDefault=priority.is_default, isActive=True)

    def project(self, project: Mapping[str, Any]) -> dict[str, Any]:
        base = f"{API}/projects/{project['id']}"
        return {
            "_type": "Project",
            "id": project["id"],
            "identifier": project["identifier"],
            "name": project["name"],
            "active": project["active"],
            "public": project["public"],
            "description": formattable(project["description"]),
            "statusExplanation": formattable(""),
            "createdAt": project["createdAt"],
            "updatedAt": project["updatedAt"],
            "_links": {
                "self": link(base, project["name"]),
                "createWorkPackage": link(f"{base}/work_packages/form", method="post"),
                "createWorkPackageImmediately": link(f"{base}/work_packages", method="post"),
                "workPackages": link(f"{base}/work_packages"),
                "categories": link(f"{base}/categories"),
                "versions": link(f"{base}/versions"),
                "types": link(f"{base}/types"),
                "parent": link(None),
                "status": link(None),
            },
        }

    # ------------------------------------------------------------------ work packages

    def work_package(self, wp: WorkPackage) -> dict[str, Any]:
        state = self.state
        base = f"{API}/work_packages/{wp['id']}"
        project = state.projects[wp["project"]]
        wp_type = state.types[wp["type"]]
        status = state.statuses[wp["status"]]
        priority = state.priorities[wp["priority"]]
        subject = wp["subject"]
        body: dict[str, Any] = {
            "_type": "WorkPackage",
            "id": wp["id"],
            "lockVersion": wp["lockVersion"],
            "subject": subject,
            "description": formattable(wp["description"]),
            "scheduleManually": False,
        }
        if wp_type.is_milestone:
            body["date"] = wp["startDate"] or wp["dueDate"]
        else:
            body["startDate"] = wp["startDate"]
            body["dueDate"] = wp["dueDate"]
            body["derivedStartDate"] = None
            body["derivedDueDate"] = None
        body.update(
            {
                "estimatedTime": None,
                "derivedEstimatedTime": None,
                "remainingTime": None,
                "derivedRemainingTime": None,
                "ignoreNonWorkingDays": False,
                "percentageDone": wp["percentageDone"],
                "derivedPercentageDone": None,
                "readonly": False,
                "createdAt": wp["createdAt"],
                "updatedAt": wp["updatedAt"],
                "_links": {
                    "self": link(base, subject),
                    "update": link(f"{base}/form", f"Update {subject}", method="post"),
                    "schema": link(f"{API}/work_packages/schemas/{project['id']}-{wp_type.id}"),
                    "updateImmediately": link(base, f"Update {subject}", method="patch"),
                    "delete": link(base, f"Delete {subject}", method="delete"),
                    "activities": link(f"{base}/activities"),
                    "addComment": link(f"{base}/activities", "Add comment", method="post"),
                    "attachments": link(f"{base}/attachments"),
                    "relations": link(f"{base}/relations", "Show relations"),
                    "watchers": link(f"{base}/watchers"),
                    "type": link(f"{API}/types/{wp_type.id}", wp_type.name),
                    "priority": link(f"{API}/priorities/{priority.id}", priority.name),
                    "project": link(f"{API}/projects/{project['id']}", project["name"]),
                    "status": link(f"{API}/statuses/{status.id}", status.name),
                    "author": self.principal_link(wp["author"]),
                    "responsible": link(None),
                    "assignee": self.principal_link(wp["assignee"]),
                    "version": link(None),
                    "category": link(None),
                    **hierarchy_links(state.work_packages, wp),  # parent, ancestors, children
                },
            }
        )
        return body

    def activity(self, wp: WorkPackage, activity: Activity) -> dict[str, Any]:
        href = f"{API}/activities/{activity['id']}"
        return {
            "_type": "Activity::Comment" if activity["comment"] else "Activity",
            "id": activity["id"],
            "comment": formattable(activity["comment"]),
            "details": list(activity["details"]),
            "version": activity["version"],
            "internal": False,
            "createdAt": activity["createdAt"],
            "updatedAt": activity["updatedAt"],
            "_links": {
                "self": link(href),
                "workPackage": link(f"{API}/work_packages/{wp['id']}", wp["subject"]),
                "user": self.principal_link(activity["user"]),
                "update": link(href, method="patch"),
            },
        }


# ---------------------------------------------------------------------- collections


def _entry(kind: str, entry: Entry, namespace: str, **fields: Any) -> dict[str, Any]:
    """A catalog entry: its ``_type``, id and name, its own ``fields``, and a self link."""
    return {
        "_type": kind,
        "id": entry.id,
        "name": entry.name,
        **fields,
        "_links": {"self": link(f"{API}/{namespace}/{entry.id}", entry.name)},
    }


def collection(elements: Sequence[dict[str, Any]], self_href: str) -> dict[str, Any]:
    """An unpaginated collection."""
    return {
        "_type": "Collection",
        "total": len(elements),
        "count": len(elements),
        "_embedded": {"elements": list(elements)},
        "_links": {"self": link(self_href)},
    }


def paginated(
    type_name: str,
    elements: Sequence[dict[str, Any]],
    total: int,
    offset: int,
    page_size: int,
    path: str,
    query: Mapping[str, str],
) -> dict[str, Any]:
    """An offset-paginated collection (``offset`` is the 1-based page number)."""

    def href(page: int | str, size: int | str) -> str:
        params = {k: v for k, v in query.items() if k not in ("offset", "pageSize")}
        params.update({"offset": str(page), "pageSize": str(size)})
        encoded = urlencode(sorted(params.items()))
        return f"{path}?{encoded}".replace("%7Boffset%7D", "{offset}").replace("%7Bsize%7D", "{size}")

    links: dict[str, Any] = {
        "self": link(href(offset, page_size)),
        "jumpTo": link(href("{offset}", page_size), templated=True),
        "changeSize": link(href(offset, "{size}"), templated=True),
    }
    if offset > 1:
        links["previousByOffset"] = link(href(offset - 1, page_size))
    if page_size > 0 and offset * page_size < total:
        links["nextByOffset"] = link(href(offset + 1, page_size))
    return {
        "_type": type_name,
        "total": total,
        "count": len(elements),
        "pageSize": page_size,
        "offset": offset,
        "_embedded": {"elements": list(elements)},
        "_links": links,
    }
