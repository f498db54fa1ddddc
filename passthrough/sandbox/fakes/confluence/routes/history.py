"""The fake Confluence's page versions: a page at an earlier version, and a page's list of versions.

``GET /content/{id}?version=N`` (v1, with or without ``status=historical``) and ``GET /pages/{id}?version=N``
(v2) are the content and pages routes themselves, which ask ``at_version`` for the page they show.
"""

from __future__ import annotations

from aiohttp import web

from .._call import ConfluenceCall, ConfluenceRoutes
from .._data import Comment, Page, v2_timestamp
from .._errors import ConfluenceError, bad_request
from .._history_state import all_versions, page_at
from .._paging import v2_page

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()


def at_version(call: ConfluenceCall, item: Page | Comment) -> Page | Comment:
    """`item` as it was at the query's ``version`` (itself without one); a version it never had is a 404."""
    if "version" not in call.query or item["type"] != "page":
        return item
    number = call.int("version", 0)
    if number < 1:
        raise bad_request(
            f"Invalid version: {number}", v2_title="Version number must be a positive integer greater than 0"
        )
    found = page_at(call.state, item, number)
    if found is None:
        raise ConfluenceError(
            404,
            f"No content found with id: ContentId{{id={item['id']}}} and version: {number}",
            v2_title="Not Found",
        )
    return found


@v2("GET", "/pages/{id}/versions")
async def page_versions(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    sort = call.query.get("sort") or "-modified-date"
    if sort not in ("modified-date", "-modified-date"):
        raise bad_request(f"Invalid sort: {sort}")
    versions = all_versions(call.state, page)
    if sort == "modified-date":
        versions.reverse()
    body_format = call.body_format()
    renderer = call.renderer

    def render(version: Page) -> dict[str, object]:
        data: dict[str, object] = {
            "createdAt": v2_timestamp(version["updated"]),
            "message": version.get("version_message", ""),
            "number": version["version"],
            "minorEdit": version.get("minor_edit_version") == version["version"],
            "authorId": renderer.account_id(version["updated_by"]),
            "page": {"id": page["id"], "title": version["title"]},
        }
        if body_format:
            data["body"] = renderer.v2_body(version["body"], body_format)
        return data

    return v2_page(call, versions, render)
