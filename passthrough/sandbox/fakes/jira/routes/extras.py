"""The fake Jira's attachments, dates, SLAs, development information, forms."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from aiohttp import web

from ..._base import json_response
from .._call import JiraCall, JiraRoutes
from .._errors import JiraError, bad_request
from .._extras_state import Attachment, render_attachment
from .._state import now

routes = JiraRoutes()
dev_status = JiraRoutes()  # /rest/dev-status/1.0
secure = JiraRoutes()  # /secure/attachment: where Server/Data Center serves an attachment's bytes

_DATA_TYPES = ("pullrequest", "branch", "repository")


def _attachment(call: JiraCall) -> Attachment:
    ref = call.request.match_info["id"]
    found = call.state.extras.attachments.get(ref)
    if found is None:
        raise JiraError(404, [f"The attachment with id '{ref}' does not exist"])
    call.state.get_issue(found.issue)  # an attachment is visible where its issue is
    return found


def _bytes(call: JiraCall, attachment: Attachment) -> web.Response:
    return web.Response(
        body=call.state.extras.serve(attachment),
        content_type=attachment.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{attachment.filename}"'},
    )


@routes("GET", "/attachment/{id}")
async def attachment_meta(call: JiraCall) -> web.Response:
    return json_response(render_attachment(call.renderer, _attachment(call)))


@routes("GET", "/attachment/content/{id}", "cloud")
async def attachment_content(call: JiraCall) -> web.Response:
    attachment = _attachment(call)
    if call.request.query.get("redirect", "true").lower() != "false":
        location = f"https://api.media.atlassian.com/file/{attachment.id}/binary"
        return web.Response(status=303, headers={"Location": location})
    return _bytes(call, attachment)


@secure("GET", "/{id}/{filename}", "server")
async def secure_attachment(call: JiraCall) -> web.Response:
    attachment = _attachment(call)
    if call.request.match_info["filename"] != attachment.filename:
        raise JiraError(404, [f"The attachment with id '{attachment.id}' does not exist"])
    return _bytes(call, attachment)


def _issue_id(call: JiraCall) -> str:
    issue_id = call.request.query.get("issueId", "")
    if not issue_id:
        raise bad_request("The issueId parameter is required")
    issue = call.state.find_issue(issue_id) if issue_id.isdigit() else None
    if issue is None:
        raise JiraError(404, ["Issue does not exist or you do not have permission to see it."])
    return str(issue["key"])


@dev_status("GET", "/issue/summary")
async def dev_summary(call: JiraCall) -> web.Response:
    panel = call.state.extras.development.get(_issue_id(call), {})
    summary: dict[str, object] = {}
    for data_type in _DATA_TYPES:
        by_instance: dict[str, object] = {}
        total = 0
        for app, parts in panel.items():
            items = parts.get(data_type, {})
            count = sum(len(v) for v in items.values())
            if count:
                by_instance[app] = {"count": count, "name": parts["_instance"]["name"]}
                total += count
        summary[data_type] = {"overall": {"count": total}, "byInstanceType": by_instance}
    return json_response({"summary": summary, "errors": [], "configErrors": []})


@dev_status("GET", "/issue/detail")
async def dev_detail(call: JiraCall) -> web.Response:
    key = _issue_id(call)
    app = call.request.query.get("applicationType", "")
    data_type = call.request.query.get("dataType", "")
    if not app or data_type not in _DATA_TYPES:
        raise bad_request("applicationType and dataType (pullrequest, branch or repository) are required")
    parts = call.state.extras.development.get(key, {}).get(app)
    if parts is None:
        return json_response({"errors": [], "detail": []})
    detail = {"_instance": parts["_instance"], "pullRequests": [], "branches": [], "repositories": []}
    detail.update(parts.get(data_type, {}))
    return json_response({"errors": [], "detail": [detail]})


@routes("POST", "/issue/{key}/attachments")
async def add_attachments(call: JiraCall) -> web.Response:
    issue = call.issue()
    if call.request.headers.get("X-Atlassian-Token", "").lower() != "no-check":
        raise JiraError(403, ["XSRF check failed"])
    if not call.request.content_type.startswith("multipart/"):
        raise JiraError(415, ["Unsupported Media Type: attachments are sent as multipart/form-data"])
    added: list[Attachment] = []
    head = f"Content-Type: {call.request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + await call.request.read(), policy=email.policy.HTTP)
    for part in message.iter_parts() if isinstance(message, EmailMessage) else ():
        filename = part.get_filename()
        if part.get_param("name", header="content-disposition") != "file" or not filename:
            continue
        content = part.get_payload(decode=True)
        mime = part.get_content_type()
        if isinstance(content, bytes):
            added.append(call.state.extras.add(issue["key"], filename, mime, content, call.current, now()))
    if not added:
        raise bad_request("No file was attached: send each as a multipart part named 'file'")
    return json_response([render_attachment(call.renderer, a) for a in added])
