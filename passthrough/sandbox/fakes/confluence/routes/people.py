"""The fake Confluence's user search, page views, templates, restrictions and permissions."""

from __future__ import annotations

from .._call import ConfluenceRoutes

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()
