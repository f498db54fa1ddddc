"""The fake OpenProject's people beyond its users: administrators, groups, placeholder users, roles,
project memberships and work package watchers (no HTTP here).

Kept in a store of its own (``people_of(state)``), seeded on first use from the configured users: the first
is an administrator, the others are not. With users u0, u1, u2 (as many as are configured)::

    demo-project (1):  u0 Project admin, u1 Member, group "Developers" (u0, u1) Member, "UX Designer" Reader
    scrum-project (2): u0 Project admin, u2 Member, group "Product owners" (u0) Member,
                       "Future backend developer" Member
    watchers: #1 u0; #5 u0 and u1; #21 u0 and u2

What a non-administrator may see and do follows OpenProject: principals, groups and memberships of the
projects they are a member of (directly or through a group); members are managed by a Project admin; users
are listed by administrators only, placeholder users by those who manage members somewhere; a user may
watch and unwatch for themselves, a member may add others, a Project admin may remove others.
Memberships carry no ``lockVersion``, as in API v3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from ._data import SEED_EPOCH, op_timestamp
from ._errors import OpenProjectError, Violation, bad_body, blank, not_found, violations
from ._render import HalRenderer, link
from ._state import OpenProjectState, Principal, now

API = "/api/v3"
PROJECT_ADMIN, MEMBER, READER = 3, 4, 5
ASSIGNABLE_ROLES = frozenset({PROJECT_ADMIN, MEMBER})  # roles with "Be assigned to work packages"
_STAMP = op_timestamp(SEED_EPOCH)
_HREF = re.compile(r"^/api/v3/(?P<namespace>[a-z_]+)/(?P<ref>[0-9]{1,12})/?$")

# id: (name, grantable to a project membership, unit, permissions)
ROLES: Mapping[int, tuple[str, bool, str, tuple[str, ...]]] = {
    1: ("Non member", False, "project", ("view_work_packages",)),
    2: ("Anonymous", False, "project", ("view_work_packages",)),
    3: (
        "Project admin",
        True,
        "project",
        (
            "view_work_packages",
            "add_work_packages",
            "edit_work_packages",
            "work_package_assigned",
            "view_members",
            "manage_members",
            "add_work_package_watchers",
            "delete_work_package_watchers",
        ),
    ),
    4: (
        "Member",
        True,
        "project",
        (
            "view_work_packages",
            "add_work_packages",
            "edit_work_packages",
            "work_package_assigned",
            "view_members",
            "add_work_package_watchers",
        ),
    ),
    5: ("Reader", True, "project", ("view_work_packages", "view_members")),
    6: ("Staff and projects manager", False, "system", ("add_project", "manage_user")),
}

Membership = dict[str, Any]


def forbidden(message: str = "You are not authorized to access this resource.") -> OpenProjectError:
    return OpenProjectError(403, "MissingPermission", message)


class PeopleStore:
    """Administrators, groups, placeholder users, memberships and watchers of one fake OpenProject."""

    def __init__(self, state: OpenProjectState) -> None:
        self.state = state
        users = [u.id for u in state.users]
        self.admins: set[int] = set(users[:1])
        first = max(state.principals) + 1
        self.groups: dict[int, dict[str, Any]] = {}
        self.placeholders: dict[int, dict[str, Any]] = {}
        u0, u1, u2 = [*users, None, None, None][:3]
        developers, owners = first, first + 1
        self._group(developers, "Developers", [u for u in (u0, u1) if u is not None])
        self._group(owners, "Product owners", [u for u in (u0,) if u is not None])
        ux, backend = first + 2, first + 3
        self.placeholders[ux] = {"id": ux, "name": "UX Designer", "createdAt": _STAMP, "updatedAt": _STAMP}
        self.placeholders[backend] = {
            "id": backend,
            "name": "Future backend developer",
            "createdAt": _STAMP,
            "updatedAt": _STAMP,
        }
        self.memberships: dict[int, Membership] = {}
        self._next = 1
        seed = [
            (1, u0, [PROJECT_ADMIN]),
            (1, u1, [MEMBER]),
            (1, developers, [MEMBER]),
            (1, ux, [READER]),
            (2, u0, [PROJECT_ADMIN]),
            (2, u2, [MEMBER]),
            (2, owners, [MEMBER]),
            (2, backend, [MEMBER]),
        ]
        for project, principal, roles in seed:
            if principal is not None and project in state.projects:
                self._add(project, principal, roles, _STAMP)
        self.watchers: dict[int, list[int]] = {}
        for wp_id, people in ((1, (u0,)), (5, (u0, u1)), (21, (u0, u2))):
            if wp_id in state.work_packages:
                self.watchers[wp_id] = [p for p in people if p is not None]

    def _group(self, group_id: int, name: str, members: list[int]) -> None:
        self.groups[group_id] = {
            "id": group_id,
            "name": name,
            "members": members,
            "createdAt": _STAMP,
            "updatedAt": _STAMP,
        }

    def _add(self, project: int, principal: int, roles: list[int], stamp: str) -> Membership:
        membership = {
            "id": self._next,
            "project": project,
            "principal": principal,
            "roles": list(roles),
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        self.memberships[self._next] = membership
        self._next += 1
        return membership

    # ------------------------------------------------------------------ who is who

    def is_admin(self, user: int | None) -> bool:
        return user is not None and user in self.admins

    def kind(self, principal: int) -> str | None:
        if principal in self.groups:
            return "Group"
        if principal in self.placeholders:
            return "PlaceholderUser"
        found = self.state.principal(principal)
        return "User" if found is not None and not found.builtin else None

    def name(self, principal: int) -> str:
        if principal in self.groups:
            return str(self.groups[principal]["name"])
        if principal in self.placeholders:
            return str(self.placeholders[principal]["name"])
        return self.state.principal_name(principal) or ""

    def href(self, principal: int) -> str:
        namespace = {"Group": "groups", "PlaceholderUser": "placeholder_users"}.get(self.kind(principal) or "", "users")
        return f"{API}/{namespace}/{principal}"

    def groups_of(self, user: int) -> list[int]:
        return [g for g, group in self.groups.items() if user in group["members"]]

    def roles_in(self, user: int | None, project: int) -> set[int]:
        """The roles a principal holds in a project, directly or through its groups."""
        if user is None:
            return set()
        holders = {user, *self.groups_of(user)}
        return {
            r
            for m in self.memberships.values()
            if m["project"] == project and m["principal"] in holders
            for r in m["roles"]
        }

    def allowed(self, user: int | None, project: int, permission: str) -> bool:
        if self.is_admin(user):
            return True
        return any(permission in ROLES[r][3] for r in self.roles_in(user, project))

    def projects_of(self, user: int | None) -> set[int]:
        if self.is_admin(user):
            return set(self.state.projects)
        return {p for p in self.state.projects if self.roles_in(user, p)}

    def visible_memberships(self, viewer: int | None) -> list[Membership]:
        mine = self.projects_of(viewer)
        return [
            m
            for m in self.memberships.values()
            if m["project"] in mine and (self.is_admin(viewer) or self.allowed(viewer, m["project"], "view_members"))
        ]

    def visible_principals(self, viewer: int | None) -> set[int]:
        """Principals who are members of a project the viewer is in (all of them for an administrator)."""
        if self.is_admin(viewer):
            users = {u.id for u in self.state.users}
            return users | set(self.groups) | set(self.placeholders)
        seen: set[int] = set() if viewer is None else {viewer}
        for m in self.visible_memberships(viewer):
            seen.add(m["principal"])
            if m["principal"] in self.groups:
                seen.update(self.groups[m["principal"]]["members"])
        return seen

    def visible_groups(self, viewer: int | None) -> list[dict[str, Any]]:
        if self.is_admin(viewer) or any(self.allowed(viewer, p, "manage_members") for p in self.state.projects):
            return list(self.groups.values())
        seen = self.visible_principals(viewer)
        return [g for g in self.groups.values() if g["id"] in seen]

    def manages_members_somewhere(self, viewer: int | None) -> bool:
        return self.is_admin(viewer) or any(self.allowed(viewer, p, "manage_members") for p in self.state.projects)

    def assignees(self, project: int) -> list[int]:
        """Principals who may be assigned work packages in a project (an assignable role, groups included)."""
        out: list[int] = []
        for m in self.memberships.values():
            if m["project"] == project and ASSIGNABLE_ROLES & set(m["roles"]) and m["principal"] not in out:
                out.append(m["principal"])
        return out

    # ------------------------------------------------------------------ rendering

    def user_body(self, principal: Principal, viewer: int | None) -> dict[str, Any]:
        """A user as ``viewer`` sees it: an administrator also sees every login and who is an administrator."""
        body = HalRenderer(self.state).user(principal, viewer)
        if self.is_admin(viewer) or viewer == principal.id:
            body["login"] = principal.login
            body["admin"] = self.is_admin(principal.id)
        return body

    def principal_body(self, principal: int, viewer: int | None) -> dict[str, Any]:
        kind = self.kind(principal)
        if kind == "Group":
            return self.group_body(self.groups[principal])
        if kind == "PlaceholderUser":
            return self.placeholder_body(self.placeholders[principal])
        found = self.state.principal(principal)
        if found is None:
            raise not_found()
        return self.user_body(found, viewer)

    def group_body(self, group: Mapping[str, Any]) -> dict[str, Any]:
        href = f"{API}/groups/{group['id']}"
        members = [link(f"{API}/users/{u}", self.name(u)) for u in group["members"]]
        return {
            "_type": "Group",
            "id": group["id"],
            "name": group["name"],
            "createdAt": group["createdAt"],
            "updatedAt": group["updatedAt"],
            "_links": {
                "self": link(href, group["name"]),
                "members": members,
                "memberships": link(
                    f'{API}/memberships?filters=[{{"principal":{{"operator":"=","values":["{group["id"]}"]}}}}]',
                    "Memberships",
                ),
            },
        }

    def placeholder_body(self, placeholder: Mapping[str, Any]) -> dict[str, Any]:
        href = f"{API}/placeholder_users/{placeholder['id']}"
        return {
            "_type": "PlaceholderUser",
            "id": placeholder["id"],
            "name": placeholder["name"],
            "status": "active",
            "createdAt": placeholder["createdAt"],
            "updatedAt": placeholder["updatedAt"],
            "_links": {"self": link(href, placeholder["name"])},
        }

    def membership_body(self, m: Membership) -> dict[str, Any]:
        href = f"{API}/memberships/{m['id']}"
        project = self.state.projects[m["project"]]
        name = self.name(m["principal"])
        return {
            "_type": "Membership",
            "id": m["id"],
            "createdAt": m["createdAt"],
            "updatedAt": m["updatedAt"],
            "_links": {
                "self": link(href, name),
                "schema": link(f"{API}/memberships/schema"),
                "update": link(f"{href}/form", method="post"),
                "updateImmediately": link(href, method="patch"),
                "project": link(f"{API}/projects/{project['id']}", project["name"]),
                "principal": link(self.href(m["principal"]), name),
                "roles": [link(f"{API}/roles/{r}", ROLES[r][0]) for r in m["roles"]],
            },
        }

    @staticmethod
    def role_body(role_id: int) -> dict[str, Any]:
        name = ROLES[role_id][0]
        return {"_type": "Role", "id": role_id, "name": name, "_links": {"self": link(f"{API}/roles/{role_id}", name)}}

    # ------------------------------------------------------------------ memberships

    def membership(self, ref: str, viewer: int | None) -> Membership:
        found = self.memberships.get(int(ref)) if ref.isdigit() else None
        if found is None or found not in self.visible_memberships(viewer):
            raise not_found()
        return found

    def create_membership(self, payload: Mapping[str, Any], actor: int) -> Membership:
        links = payload.get("_links") if isinstance(payload.get("_links"), dict) else {}
        assert isinstance(links, dict)
        found: list[Violation] = []
        project = self._linked(links.get("project"), "projects")
        if project is None or project not in self.state.projects:
            found.append(blank("project", "Project"))
        principal = self._linked(links.get("principal"), "users", "groups", "placeholder_users")
        if principal is None or self.kind(principal) is None:
            found.append(blank("principal", "Principal"))
        roles, role_problems = self._roles(links.get("roles"))
        found += role_problems
        if (
            project is not None
            and project in self.state.projects
            and not self.allowed(actor, project, "manage_members")
        ):
            raise forbidden()
        if not found and any(
            m["project"] == project and m["principal"] == principal for m in self.memberships.values()
        ):
            found.append(Violation("principal", "Principal has already been taken."))
        if found:
            raise violations(found)
        assert project is not None and principal is not None
        return self._add(project, principal, roles, now())

    def update_membership(self, m: Membership, payload: Mapping[str, Any], actor: int) -> None:
        if not self.allowed(actor, m["project"], "manage_members"):
            raise forbidden()
        links = payload.get("_links") if isinstance(payload.get("_links"), dict) else {}
        assert isinstance(links, dict)
        for fixed in ("project", "principal"):
            if fixed in links:
                raise violations([Violation(fixed, "You must not write a read-only attribute.", "PropertyIsReadOnly")])
        if "roles" not in links:
            return
        roles, problems = self._roles(links["roles"])
        if problems:
            raise violations(problems)
        m["roles"] = roles
        m["updatedAt"] = now()

    def delete_membership(self, m: Membership, actor: int) -> None:
        if not self.allowed(actor, m["project"], "manage_members"):
            raise forbidden()
        del self.memberships[m["id"]]

    def _roles(self, value: Any) -> tuple[list[int], list[Violation]]:
        if not isinstance(value, list) or not value:
            return [], [Violation("roles", "Roles need to be assigned.")]
        roles: list[int] = []
        for item in value:
            role = self._linked(item, "roles")
            if role is None or role not in ROLES or not ROLES[role][1]:
                return [], [Violation("roles", "Roles has an unassignable role.")]
            if role not in roles:
                roles.append(role)
        return roles, []

    @staticmethod
    def _linked(value: Any, *namespaces: str) -> int | None:
        href = value.get("href") if isinstance(value, dict) else None
        match = _HREF.match(href) if isinstance(href, str) else None
        return int(match["ref"]) if match and match["namespace"] in namespaces else None

    # ------------------------------------------------------------------ watchers

    def watchers_of(self, wp_id: int) -> list[int]:
        return self.watchers.setdefault(wp_id, [])

    def add_watcher(self, wp: Mapping[str, Any], payload: Mapping[str, Any], actor: int) -> tuple[int, bool]:
        user_link = payload.get("user")
        if not isinstance(user_link, dict) or "href" not in user_link:
            raise bad_body("The request body was not a single JSON object.")
        user = self._linked(user_link, "users")
        if user is None:
            raise OpenProjectError(422, "ResourceTypeMismatch", "User is not a user.", "user")
        if self.kind(user) != "User":
            raise violations([Violation("user", "User does not exist.")])
        if user != actor and not self.allowed(actor, wp["project"], "add_work_package_watchers"):
            raise forbidden("You are not allowed to add watchers to this work package.")
        if not self.is_admin(user) and not self.roles_in(user, wp["project"]):
            raise violations([Violation("user", "User is not allowed to view this resource.")])
        watching = self.watchers_of(wp["id"])
        if user in watching:
            return user, False
        watching.append(user)
        return user, True

    def remove_watcher(self, wp: Mapping[str, Any], user: int, actor: int) -> None:
        if self.kind(user) != "User":
            raise not_found("The specified user does not exist.")
        if user != actor and not self.allowed(actor, wp["project"], "delete_work_package_watchers"):
            raise forbidden("You are not allowed to remove watchers from this work package.")
        watching = self.watchers_of(wp["id"])
        if user in watching:
            watching.remove(user)


def text_match(operator: str, needle: str, haystacks: Iterable[str]) -> bool:
    found = any(needle.casefold() in h.casefold() for h in haystacks)
    exact = any(needle.casefold() == h.casefold() for h in haystacks)
    if operator == "=":
        return exact
    if operator == "!":
        return not exact
    return not found if operator == "!~" else found


_STORES: WeakKeyDictionary[OpenProjectState, PeopleStore] = WeakKeyDictionary()


def people_of(state: OpenProjectState) -> PeopleStore:
    """The people store that goes with a fake OpenProject's state, seeded on first use."""
    found = _STORES.get(state)
    if found is None:
        found = _STORES[state] = PeopleStore(state)
    return found


__all__ = ["ROLES", "PeopleStore", "forbidden", "people_of", "text_match"]
