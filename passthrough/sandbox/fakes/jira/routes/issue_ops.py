"""The fake Jira's delete, move, bulk create, changelogs, comment edits, remote links."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import JiraError, bad_request, error_body, field_errors
from .._render import FieldSelection

routes = JiraRoutes()
agile = JiraRoutes()  # /rest/agile/1.0

BULK_CREATE_LIMIT = 50
BULK_CHANGELOG_ISSUES = 1000
_NO_FIELDS = FieldSelection(("summary",))


@routes("DELETE", "/issue/{key}")
async def delete_issue(call: JiraCall) -> web.Response:
    issue = call.issue()
    delete_subtasks = call.request.query.get("deleteSubtasks", "false").lower() == "true"
    call.state.issue_ops.delete(call.state, issue, delete_subtasks)
    return web.Response(status=204)


@routes("POST", "/issue/bulk")
async def create_issues(call: JiraCall) -> web.Response:
    updates = (await call.json()).get("issueUpdates")
    if not isinstance(updates, list) or not updates:
        raise bad_request("Issue updates must be provided.")
    if len(updates) > BULK_CREATE_LIMIT:
        raise bad_request(f"The number of issues to create exceeds the limit of {BULK_CREATE_LIMIT}.")
    created: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for number, update in enumerate(updates):
        fields = update.get("fields") if isinstance(update, dict) else None
        try:
            issue = call.state.create_issue(
                fields if isinstance(fields, dict) else {}, adf=call.adf, reporter=call.current
            )
        except JiraError as exc:
            errors.append({"status": exc.status, "elementErrors": exc.body, "failedElementNumber": number})
            continue
        created.append({"id": issue["id"], "key": issue["key"], "self": call.renderer.issue_self(issue)})
    return json_response({"issues": created, "errors": errors}, 201 if created else 400)


@routes("POST", "/bulk/issues/move", "cloud")
async def bulk_move(call: JiraCall) -> web.Response:
    task_id = call.state.issue_ops.bulk_move(call.state, await call.json(), call.current)
    return json_response({"taskId": task_id}, 201)


@routes("GET", "/bulk/queue/{task}", "cloud")
async def bulk_task(call: JiraCall) -> web.Response:
    task = call.state.issue_ops.tasks.get(call.request.match_info["task"])
    if task is None:
        raise JiraError(404, ["Task not found."])
    stamp = "2026-01-15T10:20:30.000+0000"
    return json_response({**task, "created": stamp, "started": stamp, "updated": stamp})


@routes("POST", "/changelog/bulkfetch", "cloud", "read")
async def bulk_changelogs(call: JiraCall) -> web.Response:
    """Changelogs of up to 1000 issues, oldest first then by issue id, paged by an opaque token."""
    payload = await call.json()
    refs = payload.get("issueIdsOrKeys")
    if not isinstance(refs, list) or not refs:
        raise bad_request("issueIdsOrKeys must not be empty.")
    if len(refs) > BULK_CHANGELOG_ISSUES:
        raise bad_request(f"The number of issues exceeds the limit of {BULK_CHANGELOG_ISSUES}.")
    field_ids = payload.get("fieldIds") or []
    if not isinstance(field_ids, list) or len(field_ids) > 10:
        raise bad_request("fieldIds must list at most 10 field ids.")
    _, max_results = call.page_bounds(payload, 1000, 10_000)
    max_results = max(1, max_results)
    tokens = call.fake.page_tokens
    token = payload.get("nextPageToken")
    offset = 0
    if token:
        if token not in tokens:
            raise bad_request("The provided next page token is invalid or expired.")
        offset = tokens[token]
    entries: list[tuple[str, int, dict[str, Any]]] = []
    for ref in dict.fromkeys(str(r) for r in refs):
        issue = call.state.find_issue(ref)
        if issue is None:
            continue  # not found or not visible: left out, as Jira does
        for history in call.renderer.issue(issue, _NO_FIELDS, ["changelog"])["changelog"]["histories"]:
            items = [i for i in history["items"] if not field_ids or (i.get("fieldId") or i["field"]) in field_ids]
            if items:
                entries.append((history["created"], int(issue["id"]), {**history, "items": items}))
    entries.sort(key=lambda e: (e[0], e[1]))
    page = entries[offset : offset + max_results]
    grouped: dict[int, list[dict[str, Any]]] = {}
    for _, issue_id, history in page:
        grouped.setdefault(issue_id, []).append(history)
    body: dict[str, Any] = {
        "issueChangeLogs": [{"issueId": str(i), "changeHistories": h} for i, h in grouped.items()],
    }
    if offset + max_results < len(entries):
        next_token = secrets.token_urlsafe(24)
        tokens[next_token] = offset + max_results
        body["nextPageToken"] = next_token
    return json_response(body)


@routes("PUT", "/issue/{key}/comment/{comment}")
async def edit_comment(call: JiraCall) -> web.Response:
    issue = call.issue()
    wanted = call.request.match_info["comment"]
    comment = next((c for c in call.state.comments.get(issue["key"], []) if c["id"] == wanted), None)
    if comment is None:
        raise JiraError(404, [f"Can not find a comment for the id: {wanted}."])
    payload = await call.json()
    errors: dict[str, str] = {}
    call.state._check_comment_body(payload.get("body"), call.adf, errors)
    visibility = payload.get("visibility")
    if visibility is not None and (not isinstance(visibility, dict) or visibility.get("type") not in ("group", "role")):
        errors["visibility"] = "Visibility type must be 'group' or 'role'."
    if errors:
        raise field_errors(errors)
    from .._state import now

    comment.update(body=payload["body"], update_author=call.current, updated=now())
    if visibility is not None:
        comment["visibility"] = dict(visibility)
    rendered = call.renderer.comment(issue, comment)
    if comment.get("visibility"):
        rendered["visibility"] = comment["visibility"]
    return json_response(rendered)


@routes("GET", "/issue/{key}/remotelink")
async def remote_links(call: JiraCall) -> web.Response:
    issue = call.issue()
    return json_response(
        [_remote(call, issue, link) for link in call.state.issue_ops.remote_links.get(issue["key"], [])]
    )


@routes("POST", "/issue/{key}/remotelink")
async def add_remote_link(call: JiraCall) -> web.Response:
    issue = call.issue()
    link = call.state.issue_ops.add_remote_link(issue, await call.json())
    return json_response({"id": int(link["id"]), "self": _remote(call, issue, link)["self"]}, 201)


def _remote(call: JiraCall, issue: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    body = {
        "id": int(link["id"]),
        "self": f"{call.renderer.issue_self(issue)}/remotelink/{link['id']}",
        "object": link["object"],
    }
    for name in ("globalId", "relationship"):
        if link.get(name):
            body[name] = link[name]
    return body


@routes("GET", "/issueLink/{link}")
async def get_link(call: JiraCall) -> web.Response:
    wanted = call.request.match_info["link"]
    found = next((link for link in call.state.links if link["id"] == wanted), None)
    if found is None:
        return json_response(error_body([f"No issue link with id '{wanted}' exists."]), 404)
    renderer = call.renderer
    return json_response(
        {
            "id": found["id"],
            "self": f"{renderer.api}/issueLink/{found['id']}",
            "type": renderer.link_type(found["type"]),
            "inwardIssue": renderer.issue_stub(call.state.issues[found["inward"]]),
            "outwardIssue": renderer.issue_stub(call.state.issues[found["outward"]]),
        }
    )


@routes("DELETE", "/issueLink/{link}")
async def delete_link(call: JiraCall) -> web.Response:
    wanted = call.request.match_info["link"]
    links = call.state.links
    found = next((link for link in links if link["id"] == wanted), None)
    if found is None:
        return json_response(error_body([f"No issue link with id '{wanted}' exists."]), 404)
    links.remove(found)
    return web.Response(status=204)


@agile("POST", "/epic/{epic}/issue")
async def move_to_epic(call: JiraCall) -> web.Response:
    payload = await call.json()
    call.state.issue_ops.move_to_epic(call.state, call.request.match_info["epic"], payload.get("issues"), call.current)
    return web.Response(status=204)
