"""The fake OpenProject's endpoints, one module a resource; ``_app`` installs ``TABLES`` under ``/api/v3``."""

from . import activities as activities
from . import catalogs as catalogs
from . import projects as projects
from . import root as root
from . import users as users
from . import work_packages as work_packages

TABLES = (root.routes, users.routes, projects.routes, catalogs.routes, work_packages.routes, activities.routes)
