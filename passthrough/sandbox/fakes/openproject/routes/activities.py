"""Activities (journals): a work package's, one by id, and commenting."""

from __future__ import annotations

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import not_found
from .._render import API, collection
from .._state import Activity, WorkPackage

routes = OpenProjectRoutes()


@routes("GET", "/work_packages/{id}/activities")
async def list_activities(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    elements = [call.render.activity(wp, a) for a in call.state.activities.get(wp["id"], [])]
    return hal_response(collection(elements, f"{API}/work_packages/{wp['id']}/activities"))


@routes("POST", "/work_packages/{id}/activities")
async def add_comment(call: OpenProjectCall) -> web.Response:
    wp = call.work_package()
    payload = await call.json()
    activity = call.state.add_comment(wp, payload, call.actor)
    return hal_response(call.render.activity(wp, activity), 201)


@routes("GET", "/activities/{id}")
async def activity(call: OpenProjectCall) -> web.Response:
    ref = call.request.match_info["id"]
    found: tuple[WorkPackage, Activity] | None = None
    if ref.isdigit():
        for wp_id, journal in call.state.activities.items():
            for entry in journal:
                if entry["id"] == int(ref):
                    found = (call.state.work_packages[wp_id], entry)
    if found is None:
        raise not_found()
    return hal_response(call.render.activity(*found))
