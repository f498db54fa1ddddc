"""Users (``/users/me`` is whoever asks; Anonymous when nobody signed in)."""

from __future__ import annotations

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import not_found
from .._state import Principal

routes = OpenProjectRoutes()


@routes("GET", "/users/{id}")
async def user(call: OpenProjectCall) -> web.Response:
    ref = call.request.match_info["id"]
    me = call.me
    principal: Principal | None
    if ref == "me":
        principal = call.state.principal(me) or call.state.anonymous
    else:
        principal = call.state.principal(int(ref)) if ref.isdigit() else None
    if principal is None:
        raise not_found()
    return hal_response(call.render.user(principal, call.actor))
