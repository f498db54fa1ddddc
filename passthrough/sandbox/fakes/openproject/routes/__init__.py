"""The fake OpenProject's endpoints, one module a resource; ``_app`` installs ``TABLES`` under ``/api/v3``."""

from . import activities as activities
from . import attachments as attachments
from . import catalogs as catalogs
from . import people as people
from . import projects as projects
from . import relations as relations
from . import root as root
from . import time as time
from . import users as users
from . import work_packages as work_packages
from . import workspace as workspace

# the new resources go first, where a literal path would otherwise fall into an older pattern
TABLES = (
    relations.routes,
    time.routes,
    people.routes,
    workspace.routes,
    attachments.routes,
    root.routes,
    users.routes,
    projects.routes,
    catalogs.routes,
    work_packages.routes,
    activities.routes,
)
