"""The fake OpenProject's relations and work package hierarchy."""

from __future__ import annotations

from .._call import OpenProjectRoutes

routes = OpenProjectRoutes()
