"""The fake OpenProject's relations, and deleting a work package (with its descendants and their relations).

A work package's parent is written through ``PATCH /work_packages/{id}`` (``_links.parent``, see
``_relations_state.parent_change``) and its children are found with the work package ``parent`` filter.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .._call import OpenProjectCall, OpenProjectRoutes, hal_response
from .._errors import invalid_query
from .._relations_state import RELATION_TYPES, Relation, delete_work_package, relations_of, render_relation

routes = OpenProjectRoutes()

# filter name: its label in OpenProject's messages; all take "=" and "!"
_FILTERS = {"id": "ID", "from": "From", "to": "To", "involved": "Involved", "type": "Type"}


def _matchers(raw: str | None) -> list[Any]:
    """``filters`` of ``GET /relations`` as predicates; a 400 ``InvalidQuery`` for what OpenProject refuses."""
    if raw is None:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid_query(f"unexpected token at '{raw}'") from None
    if not isinstance(data, list):
        raise invalid_query("Filters must be an array of filter objects.")
    matchers = []
    for item in data:
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_query("Filters must be an array of objects with exactly one filter name each.")
        ((name, body),) = item.items()
        label = _FILTERS.get(str(name))
        if label is None:
            raise invalid_query(f"Filters {str(name).capitalize()} does not exist.")
        operator = body.get("operator") if isinstance(body, dict) else None
        if operator not in ("=", "!"):
            raise invalid_query(f"Filters {label} filter has invalid operator '{operator}'.")
        values = body.get("values")
        if not isinstance(values, list) or not values or not all(isinstance(v, str | int) for v in values):
            raise invalid_query(f"Filters {label} filter has invalid values.")
        wanted = {str(v) for v in values}
        valid = wanted <= set(RELATION_TYPES) if name == "type" else all(v.isdigit() for v in wanted)
        if not valid:
            raise invalid_query(f"Filters {label} filter has invalid values.")
        matchers.append(_matcher(str(name), wanted, negated=operator == "!"))
    return matchers


def _matcher(name: str, wanted: set[str], *, negated: bool) -> Any:
    def ends(r: Relation) -> set[str]:
        if name == "involved":
            return {str(r["from"]), str(r["to"])}
        return {str(r[name])}

    return lambda r: bool(ends(r) & wanted) != negated


@routes("GET", "/relations")
async def list_relations(call: OpenProjectCall) -> web.Response:
    matchers = _matchers(call.query.get("filters"))
    store = relations_of(call.state)
    rows = [r for _, r in sorted(store.relations.items()) if all(m(r) for m in matchers)]
    return call.page("Collection", rows, lambda r: render_relation(call.state.work_packages, r))


@routes("GET", "/relations/{id}")
async def get_relation(call: OpenProjectCall) -> web.Response:
    relation = relations_of(call.state).get(call.request.match_info["id"])
    return hal_response(render_relation(call.state.work_packages, relation))


@routes("PATCH", "/relations/{id}")
async def update_relation(call: OpenProjectCall) -> web.Response:
    store = relations_of(call.state)
    relation = store.get(call.request.match_info["id"])
    store.update(relation, await call.json())
    return hal_response(render_relation(call.state.work_packages, relation))


@routes("DELETE", "/relations/{id}")
async def delete_relation(call: OpenProjectCall) -> web.Response:
    store = relations_of(call.state)
    store.delete(store.get(call.request.match_info["id"]))
    return web.Response(status=204)


@routes("POST", "/work_packages/{id}/relations")
async def create_relation(call: OpenProjectCall) -> web.Response:
    source = call.work_package()
    relation = relations_of(call.state).create(source, await call.json())
    return hal_response(render_relation(call.state.work_packages, relation), 201)


@routes("DELETE", "/work_packages/{id}")
async def delete(call: OpenProjectCall) -> web.Response:
    delete_work_package(call.state, call.work_package())
    return web.Response(status=204)
