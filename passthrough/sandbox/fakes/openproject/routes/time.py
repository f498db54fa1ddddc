"""The fake OpenProject's time entries, time entry activities and versions."""

from __future__ import annotations

from .._call import OpenProjectRoutes

routes = OpenProjectRoutes()
