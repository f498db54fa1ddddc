"""The fake OpenProject's groups, placeholder users, watchers, memberships and roles."""

from __future__ import annotations

from .._call import OpenProjectRoutes

routes = OpenProjectRoutes()
