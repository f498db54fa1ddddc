"""The fake Jira's endpoints, one module a resource; ``_app`` installs ``TABLES`` under each API version.

Tags a route may carry: "public" (answers without credentials), "signed-in" (never anonymous), "read"
(a POST that only reads, allowed anonymously like a GET), "cloud" / "server" (only on that deployment).
"""

from . import comments as comments
from . import issues as issues
from . import links as links
from . import meta as meta
from . import projects as projects
from . import search as search

TABLES = (meta.routes, projects.routes, issues.routes, comments.routes, links.routes, search.routes)
