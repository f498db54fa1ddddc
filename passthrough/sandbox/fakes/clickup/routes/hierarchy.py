"""Spaces, Folders and Lists: ``/team/{id}/space``, ``/space/{id}/folder``, ``/folder/{id}/list``,
``/space/{id}/list`` (folderless lists), ``/list/{id}`` (with its statuses) and ``/list/{id}/member``."""

from __future__ import annotations

from aiohttp import web

from .. import _render as render
from .._call import ClickUpCall, ClickUpRoutes, answer

routes = ClickUpRoutes()


def _archived(call: ClickUpCall) -> bool:
    return call.query.get("archived", "false").lower() == "true"


@routes("GET", "/team/{team_id}/space")
async def spaces(call: ClickUpCall) -> web.Response:
    team = call.state.team(call.request.match_info["team_id"], call.me)
    found = [] if _archived(call) else [s for s in call.state.spaces.values() if s.team_id == team.id]
    return answer({"spaces": [render.space(s) for s in found]})


@routes("GET", "/space/{space_id}")
async def space(call: ClickUpCall) -> web.Response:
    return answer(render.space(call.state.space(call.request.match_info["space_id"], call.me)))


@routes("GET", "/space/{space_id}/folder")
async def folders(call: ClickUpCall) -> web.Response:
    sp = call.state.space(call.request.match_info["space_id"], call.me)
    found = [] if _archived(call) else [f for f in call.state.folders.values() if f.space_id == sp.id]
    return answer({"folders": [render.folder(call.state, f) for f in found]})


@routes("GET", "/folder/{folder_id}")
async def folder(call: ClickUpCall) -> web.Response:
    return answer(render.folder(call.state, call.state.folder(call.request.match_info["folder_id"], call.me)))


@routes("GET", "/folder/{folder_id}/list")
async def folder_lists(call: ClickUpCall) -> web.Response:
    f = call.state.folder(call.request.match_info["folder_id"], call.me)
    found = [] if _archived(call) else [x for x in call.state.lists.values() if x.folder_id == f.id]
    return answer({"lists": [render.task_list(call.state, x) for x in found]})


@routes("GET", "/space/{space_id}/list")
async def folderless_lists(call: ClickUpCall) -> web.Response:
    sp = call.state.space(call.request.match_info["space_id"], call.me)
    found = [] if _archived(call) else [x for x in call.state.lists.values() if x.space_id == sp.id and not x.folder_id]
    return answer({"lists": [render.task_list(call.state, x) for x in found]})


@routes("GET", "/list/{list_id}")
async def task_list(call: ClickUpCall) -> web.Response:
    found = call.state.task_list(call.request.match_info["list_id"], call.me)
    return answer(render.task_list(call.state, found, detail=True))


@routes("GET", "/list/{list_id}/member")
async def list_members(call: ClickUpCall) -> web.Response:
    found = call.state.task_list(call.request.match_info["list_id"], call.me)
    team = call.state.team_of_list(found)
    return answer({"members": [render.member(call.state, uid, role)["user"] for uid, role in team.members]})
