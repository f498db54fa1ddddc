"""The fake Jira's endpoints, one module a resource; ``_app`` installs ``TABLES`` under each API version.

Tags a route may carry: "public" (answers without credentials), "signed-in" (never anonymous), "read"
(a POST that only reads, allowed anonymously like a GET), "cloud" / "server" (only on that deployment).
"""

from . import agile as agile
from . import comments as comments
from . import extras as extras
from . import forms as forms
from . import issue_ops as issue_ops
from . import issues as issues
from . import links as links
from . import meta as meta
from . import people as people
from . import project_meta as project_meta
from . import projects as projects
from . import search as search
from . import service_desk as service_desk

TABLES = (
    meta.routes,
    projects.routes,
    issues.routes,
    comments.routes,
    links.routes,
    search.routes,
    people.routes,
    project_meta.routes,
    issue_ops.routes,
    extras.routes,
    forms.routes,
)
"""Installed under /rest/api/{2,3}."""

OTHER_APIS = {
    "/rest/agile/1.0": (agile.routes, issue_ops.agile),
    "/rest/servicedeskapi": (service_desk.routes,),
    "/rest/dev-status/1.0": (extras.dev_status,),
    "/secure/attachment": (extras.secure,),
    "/jira/forms/cloud": (forms.gateway,),  # Atlassian's API gateway, so ATLASSIAN_API_URL may name this fake
    "/_edge/tenant_info": (forms.tenant,),
}
"""Installed under their own prefix, once (with the deployment's rich text: ADF on Cloud)."""
