"""The fake OpenProject's attachments (the state, the upload parser and the rendering: ``_attachments_state``).

``GET``/``POST /work_packages/{id}/attachments`` list a work package's attachments (one unpaged collection)
and add one (multipart, see ``parse_upload``; 201); ``GET``/``DELETE /attachments/{id}`` read and delete one
(204, for good); ``GET /attachments/{id}/content`` serves its bytes, ``inline`` for text and images and as
an ``attachment`` otherwise, or, on an instance with external storage, a 302 to a signed URL there.
Uploads need "edit work packages" or "add work packages" in the work package's project, deletes "edit work
packages" (the people store's roles), as for any attachment that has a container.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from .._attachments_state import attachments_of, forbidden_to_delete, parse_upload, render_attachment
from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import forbidden
from .._people_state import people_of
from .._render import API, collection

routes = OpenProjectRoutes()

_INLINE = ("text/", "image/")


@routes("GET", "/work_packages/{id}/attachments")
async def list_attachments(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    kept = attachments_of(call.state)
    rows = [render_attachment(call.state, kept, a) for a in kept.of_work_package(wp["id"])]
    return hal_response(collection(rows, f"{API}/work_packages/{wp['id']}/attachments"))


@routes("POST", "/work_packages/{id}/attachments")
async def add_attachment(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    people = people_of(call.state)
    if not any(people.allowed(call.me, wp["project"], p) for p in ("edit_work_packages", "add_work_packages")):
        raise forbidden()
    kept = attachments_of(call.state)
    upload = parse_upload(call.request.headers.get("Content-Type", ""), await call.request.read(), kept.max_size)
    created = kept.add(wp["id"], upload, call.actor)
    return hal_response(render_attachment(call.state, kept, created), 201)


@routes("GET", "/attachments/{id}")
async def get_attachment(call: OpenProjectCall) -> web.Response:
    kept = attachments_of(call.state)
    attachment = kept.find(call.state, call.request.match_info["id"])
    return hal_response(render_attachment(call.state, kept, attachment))


@routes("GET", "/attachments/{id}/content")
async def attachment_content(call: OpenProjectCall) -> web.Response:
    kept = attachments_of(call.state)
    attachment = kept.find(call.state, call.request.match_info["id"])
    location = kept.content_location(attachment)
    caching = {"Cache-Control": "public, max-age=290"}
    if location is not None:
        return web.Response(status=302, headers={"Location": location, **caching})
    mime = str(attachment["contentType"])
    disposition = "inline" if mime.startswith(_INLINE) else "attachment"
    return web.Response(
        body=kept.serve(attachment),
        content_type=mime,
        headers={"Content-Disposition": f"{disposition}; filename={quote(attachment['fileName'])}", **caching},
    )


@routes("DELETE", "/attachments/{id}")
async def delete_attachment(call: OpenProjectCall) -> web.Response:
    kept = attachments_of(call.state)
    attachment = kept.find(call.state, call.request.match_info["id"])
    project = call.state.work_packages[attachment["container"]]["project"]
    if not people_of(call.state).allowed(call.me, project, "edit_work_packages"):
        raise forbidden_to_delete()
    del kept.attachments[attachment["id"]]
    return web.Response(status=204)
