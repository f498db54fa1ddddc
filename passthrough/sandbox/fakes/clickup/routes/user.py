"""The signed-in user (``GET /user``) and the Workspaces they belong to (``GET /team``, "teams" in API v2)."""

from __future__ import annotations

from aiohttp import web

from .. import _render as render
from .._call import ClickUpCall, ClickUpRoutes, answer

routes = ClickUpRoutes()


@routes("GET", "/user")
async def authorized_user(call: ClickUpCall) -> web.Response:
    return answer({"user": render.user(call.user)})


@routes("GET", "/team")
async def authorized_teams(call: ClickUpCall) -> web.Response:
    return answer({"teams": [render.team(call.state, t) for t in call.state.teams_of(call.me)]})
