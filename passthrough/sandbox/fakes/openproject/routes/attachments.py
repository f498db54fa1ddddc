"""The fake OpenProject's attachments."""

from __future__ import annotations

from .._call import OpenProjectRoutes

routes = OpenProjectRoutes()
