"""The fake Confluence's page moves, copies, deletions and restrictions."""

from __future__ import annotations

from .._call import ConfluenceRoutes

v1 = ConfluenceRoutes()
v2 = ConfluenceRoutes()
