"""The fake Confluence's attachments (v1 and v2), and where Server/Data Center serves their bytes.

v1: list a page's attachments, upload (POST adds, PUT adds or makes a new version; multipart with
``X-Atlassian-Token: no-check``), Cloud's download endpoint, and an attachment read or deleted as content
(``/content/att{n}``: only ids of that form, so pages and comments stay with the content routes). v2: a
page's attachments, one attachment, delete. ``downloads`` is installed under ``/download/attachments``
(Server/Data Center's legacy path, also what ``_links.download`` names).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from aiohttp import web

from ..._base import json_response
from .._attachments_state import Attachment, attachments_of, download_link, not_found
from .._call import ConfluenceCall, ConfluenceRoutes
from .._data import v2_timestamp
from .._errors import ConfluenceError, bad_request
from .._paging import v1_response, v2_page
from .._render import Expand

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()
downloads = ConfluenceRoutes()  # {context}/download/attachments
media = ConfluenceRoutes()  # Cloud's media service, on the fake's own origin under /media

JSON = dict[str, Any]
_UPLOAD_EXPAND = Expand.parse("version,container")
_DESCRIPTIONS = {
    "image/png": "PNG Image",
    "image/jpeg": "JPEG Image",
    "text/plain": "Text File",
    "application/pdf": "PDF Document",
}


# ------------------------------------------------------------------ rendering


def _webui(call: ConfluenceCall, attachment: Attachment) -> str:
    pid, aid = attachment["page_id"], attachment["id"]
    preview = quote(f"/{pid}/{aid}/{attachment['title']}", safe="")
    return f"/pages/viewpageattachments.action?pageId={pid}&preview={preview}"


def v1_attachment(call: ConfluenceCall, attachment: Attachment, expand: Expand, *, top_links: bool = False) -> JSON:
    renderer = call.renderer
    aid = f"att{attachment['id']}"
    page = call.state.pages.get(attachment["page_id"])
    data: JSON = {"id": aid, "type": "attachment", "status": attachment["status"], "title": attachment["title"]}
    expandable: JSON = {"childTypes": "", "operations": "", "schedulePublishDate": "", "children": "", "history": ""}
    if expand.has("version"):
        data["version"] = renderer.version(attachment)
    else:
        expandable["version"] = ""
    if expand.has("container") and page is not None:
        data["container"] = renderer.page(page)
    else:
        expandable["container"] = f"/rest/api/content/{attachment['page_id']}"
    data["metadata"] = {
        "comment": attachment["version_message"],
        "mediaType": attachment["media_type"],
        "_expandable": {"currentUser": "", "properties": "", "frontend": "", "editorHtml": "", "labels": ""},
    }
    extensions: JSON = {
        "mediaType": attachment["media_type"],
        "fileSize": attachment.get("reported_size", len(attachment["content"])),
        "comment": attachment["version_message"],
    }
    if call.state.cloud:
        extensions.update(fileId=_file_id(attachment), collectionName=f"contentId-{attachment['page_id']}")
    data["extensions"] = extensions
    links: JSON = {
        "webui": _webui(call, attachment),
        "download": download_link(attachment),
        "self": f"{renderer.base}/rest/api/content/{aid}",
    }
    if top_links:
        links.update(base=renderer.base, context=call.fake.context_path)
    data["_expandable"] = expandable
    data["_links"] = links
    return data


def _file_id(attachment: Attachment) -> str:
    n = int(attachment["id"])
    return f"{n:08x}-5e2c-4a8f-9b1d-{n * 7919:012x}"


def v2_attachment(call: ConfluenceCall, attachment: Attachment, *, single: bool = False) -> JSON:
    renderer = call.renderer
    links: JSON = {"webui": _webui(call, attachment), "download": download_link(attachment)}
    if single:
        links["base"] = renderer.base
    mime = attachment["media_type"]
    return {
        "id": f"att{attachment['id']}",
        "status": attachment["status"],
        "title": attachment["title"],
        "createdAt": v2_timestamp(attachment["created"]),
        "pageId": attachment["page_id"],
        "blogPostId": None,
        "customContentId": None,
        "mediaType": mime,
        "mediaTypeDescription": _DESCRIPTIONS.get(mime, "File"),
        "comment": attachment["version_message"],
        "fileId": _file_id(attachment),
        "fileSize": attachment.get("reported_size", len(attachment["content"])),
        "webuiLink": links["webui"],
        "downloadLink": links["download"],
        "version": {
            "createdAt": v2_timestamp(attachment["updated"]),
            "message": attachment["version_message"],
            "number": attachment["version"],
            "minorEdit": False,
            "authorId": renderer.account_id(attachment["updated_by"]),
        },
        "_links": links,
    }


def _filtered(call: ConfluenceCall, page_id: str, media_name: str) -> list[Attachment]:
    filename = call.query.get("filename")
    media_type = call.query.get(media_name)
    return [
        a
        for a in attachments_of(call.state).of_page(page_id)
        if (not filename or a["title"] == filename) and (not media_type or a["media_type"] == media_type)
    ]


def _bytes(call: ConfluenceCall, attachment: Attachment) -> web.Response:
    return web.Response(
        body=attachments_of(call.state).serve(attachment),
        content_type=attachment["media_type"],
        headers={"Content-Disposition": f'attachment; filename="{quote(attachment["title"])}"'},
    )


def _listed_attachment(call: ConfluenceCall) -> Attachment | None:
    """The attachment ``/content/att{n}`` names (other ids are content's: pages and comments)."""
    return attachments_of(call.state).find(call.request.match_info["id"])


# ------------------------------------------------------------------ v1


@v1("GET", "/content/{id}/child/attachment", "v1-content")
async def list_attachments(call: ConfluenceCall) -> web.Response:
    page = call.state.page(call.path_id())
    expand = call.expand()
    found = _filtered(call, page["id"], "mediaType")
    return v1_response(call, found, lambda a: v1_attachment(call, a, expand), default_limit=50)


async def _upload(call: ConfluenceCall, *, replace: bool) -> web.Response:
    page = call.state.page(call.path_id())
    if call.request.headers.get("X-Atlassian-Token", "").lower() != "no-check":
        raise ConfluenceError(403, "XSRF check failed")
    if not call.request.content_type.startswith("multipart/"):
        raise ConfluenceError(415, "Unsupported Media Type: attachments are sent as multipart/form-data")
    head = f"Content-Type: {call.request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + await call.request.read(), policy=email.policy.HTTP)
    files: list[tuple[str, str, bytes]] = []
    comments: list[str] = []
    minor: str | None = None
    for part in message.iter_parts() if isinstance(message, EmailMessage) else ():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if name == "file" and filename:
            files.append((filename, part.get_content_type(), data))
        elif name == "comment":
            comments.append(data.decode("utf-8", "replace"))
        elif name == "minorEdit":
            minor = data.decode("utf-8", "replace").strip().lower()
    if not files:
        raise bad_request("No file was attached: send each as a multipart part named 'file'")
    if call.state.cloud and minor not in ("true", "false"):
        raise bad_request("The minorEdit parameter is required and must be true or false")
    kept = attachments_of(call.state)
    added = [
        kept.add(
            page["id"],
            filename,
            mime,
            data,
            comments[i] if i < len(comments) else "",
            call.current,
            replace=replace,
        )
        for i, (filename, mime, data) in enumerate(files)
    ]
    results = [v1_attachment(call, a, _UPLOAD_EXPAND) for a in added]
    base = call.renderer.base
    return json_response({"results": results, "size": len(results), "_links": {"base": base, "context": ""}})


@v1("POST", "/content/{id}/child/attachment")
async def add_attachments(call: ConfluenceCall) -> web.Response:
    return await _upload(call, replace=False)


@v1("PUT", "/content/{id}/child/attachment")
async def add_or_update_attachments(call: ConfluenceCall) -> web.Response:
    return await _upload(call, replace=True)


@v1("GET", "/content/{id}/child/attachment/{attachment}/download")
async def cloud_download(call: ConfluenceCall) -> web.Response:
    if not call.state.cloud:  # Server/Data Center has no such endpoint (its bytes are under /download)
        raise ConfluenceError(404, f"null for uri: {call.request.url}")
    page = call.state.page(call.path_id())
    ref = call.request.match_info["attachment"]
    kept = attachments_of(call.state)
    attachment = kept.find(ref)
    if attachment is None or attachment["page_id"] != page["id"]:
        raise not_found(ref)
    if kept.cloud_redirects:
        origin = kept.media_host or f"{call.request.url.origin()}/media"
        signed = f"token={_media_token(attachment)}&client=fake-confluence&name={quote(attachment['title'])}"
        location = f"{origin}/file/{_file_id(attachment)}/binary?{signed}&dl=true"
        return web.Response(status=302, headers={"Location": location})
    return _bytes(call, attachment)


def _media_token(attachment: Attachment) -> str:
    """The signature a media URL carries in place of a credential (stable per attachment and version)."""
    return hashlib.sha256(f"media:{attachment['id']}:{attachment['version']}".encode()).hexdigest()[:40]


@media("GET", "/file/{file}/binary", "public")
async def media_binary(call: ConfluenceCall) -> web.Response:
    """The media service: bytes for a signed URL; it takes no Atlassian credential (and records any sent)."""
    kept = attachments_of(call.state)
    kept.media_requests.append(
        {"authorization": call.request.headers.get("Authorization"), "cookie": call.request.headers.get("Cookie")}
    )
    wanted = call.request.match_info["file"]
    attachment = next((a for a in kept.attachments.values() if _file_id(a) == wanted), None)
    if attachment is None or call.request.query.get("token") != _media_token(attachment):
        return json_response({"error": {"code": "FileNotFound", "title": "The file was not found"}}, 404)
    return _bytes(call, attachment)


@v1("GET", "/content/{id:att[0-9]+}", "v1-content")
async def get_attachment_content(call: ConfluenceCall) -> web.Response:
    attachment = _listed_attachment(call)
    if attachment is None:
        raise not_found(call.request.match_info["id"])
    return json_response(v1_attachment(call, attachment, call.expand("version"), top_links=True))


@v1("DELETE", "/content/{id:att[0-9]+}", "v1-content")
async def delete_attachment_content(call: ConfluenceCall) -> web.Response:
    attachment = _listed_attachment(call)
    if attachment is None:
        raise not_found(call.request.match_info["id"])
    attachments_of(call.state).delete(attachment)
    return web.Response(status=204)


# ------------------------------------------------------------------ Server/Data Center: the bytes


@downloads("GET", "/{page}/{filename}")
async def legacy_download(call: ConfluenceCall) -> web.Response:
    page_id, filename = call.request.match_info["page"], call.request.match_info["filename"]
    if call.state.cloud:  # Cloud no longer serves this path to API tokens
        raise ConfluenceError(401, "This path no longer accepts API tokens; use the REST download endpoint")
    attachment = attachments_of(call.state).named(page_id, filename) if page_id in call.state.pages else None
    if attachment is None:
        raise ConfluenceError(404, f"Attachment {filename} was not found on content {page_id}")
    return _bytes(call, attachment)


# ------------------------------------------------------------------ v2


@v2("GET", "/pages/{id}/attachments")
async def page_attachments(call: ConfluenceCall) -> web.Response:
    page = call.v2_page()
    found = _filtered(call, page["id"], "mediaType")
    return v2_page(call, found, lambda a: v2_attachment(call, a))


@v2("GET", "/attachments/{id}")
async def get_attachment(call: ConfluenceCall) -> web.Response:
    ref = call.request.match_info["id"]
    if not ref.removeprefix("att").isdigit():
        raise bad_request(f"Invalid attachment id: {ref}", v2_title=f"Provided value {{{ref}}} for 'id' is not valid")
    attachment = attachments_of(call.state).find(ref)
    if attachment is None:
        raise ConfluenceError(404, "Not Found")
    return json_response(v2_attachment(call, attachment, single=True))


@v2("DELETE", "/attachments/{id}")
async def delete_attachment(call: ConfluenceCall) -> web.Response:
    kept = attachments_of(call.state)
    attachment = kept.attachments.get(call.path_id())  # v2 takes the number (int64) here, not att…
    if attachment is None:
        raise ConfluenceError(404, "Not Found")
    kept.delete(attachment)
    return web.Response(status=204)
