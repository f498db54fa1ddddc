"""OpenProject API v3 calls for users, groups, placeholder users, assignable users, watchers, memberships and roles.

`principal(ref)` is the one resolver of a person (or group) as a model names it: "me", an id, a login or a
name. Names are looked up in `/principals` (which every user may read, reduced to the principals who share
a project with them), so the answer differs per user and is cached per user only; `user_href(ref)` is the
same resolution as the `_links` href another family sends (the time family's user filter, for one).
"""

from __future__ import annotations

import json
from typing import Any

from passthrough.errors import InvalidArguments
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

USER_KINDS = ("User",)
MEMBER_KINDS = ("User", "Group", "PlaceholderUser")
# where each kind of principal lives in API v3
_NAMESPACE = {"User": "users", "Group": "groups", "PlaceholderUser": "placeholder_users"}
_CANDIDATES = 50  # principals read to resolve one name; more than one exact match is ambiguous anyway


def filters_json(filters: list[dict[str, Any]]) -> str:
    return json.dumps(filters, separators=(",", ":"))


def _paging(page_size: int | None, page: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if page_size is not None:
        params["pageSize"] = page_size
    if page is not None:
        params["offset"] = page
    return params


class PeopleCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""

    async def verified(self) -> dict[str, Any]:  # OpenProjectClient's: the signed-in user, checked and cached
        raise NotImplementedError

    # ---- resolving people

    async def principal(self, ref: str | int, kinds: tuple[str, ...] = USER_KINDS) -> dict[str, Any]:
        """`{"id", "name", "type", "href"}` for "me", an id (a user's), a login or a name; InvalidArguments
        when nobody or more than one principal visible to this user matches."""
        text = str(ref).strip()
        if text.casefold() == "me":
            me = await self.verified()
            return {"id": int(me["id"]), "name": me.get("name"), "type": "User", "href": f"{self.api}/users/{me['id']}"}
        if text.isascii() and text.isdigit():
            return {"id": int(text), "name": None, "type": "User", "href": f"{self.api}/users/{int(text)}"}
        if not text:
            raise InvalidArguments("Name a user: 'me', a user id, a login or a name.")

        async def load() -> dict[str, Any]:
            return await self._find_principal(text, kinds)

        return await self._cached(f"principal:{','.join(kinds)}:{text.casefold()}", load)

    async def user_href(self, ref: str | int) -> str:
        """The `_links` href of the user named by "me", an id, a login or a name (cached per user)."""
        return str((await self.principal(ref))["href"])

    async def _find_principal(self, text: str, kinds: tuple[str, ...]) -> dict[str, Any]:
        filters = [
            {"type": {"operator": "=", "values": list(kinds)}},
            {"any_name_attribute": {"operator": "~", "values": [text]}},
        ]
        found = await self.principals(filters, _CANDIDATES)
        rows = [_principal_row(p, self.api) for p in found if p.get("_type") in kinds and p.get("id") is not None]
        wanted = text.casefold()
        exact = [r for r in rows if wanted in (str(r["name"] or "").casefold(), str(r.get("login") or "").casefold())]
        chosen = exact if exact else rows
        what = "user" if kinds == USER_KINDS else "user, group or placeholder user"
        if len(chosen) == 1:
            return chosen[0]
        if not chosen:
            raise InvalidArguments(
                f"No OpenProject {what} matching '{text}' is visible to you (only people who share a project "
                "with you are). Give a user id, or check the spelling."
            )
        names = ", ".join(f"{r['name']} (id {r['id']})" for r in chosen[:10])
        raise InvalidArguments(f"'{text}' matches more than one {what}: {names}. Give the id instead.")

    # ---- users, groups, placeholder users, principals

    async def principals(self, filters: list[dict[str, Any]], page_size: int) -> list[dict[str, Any]]:
        data = await self._get("/principals", {"filters": filters_json(filters), "pageSize": page_size})
        return list(((data.get("_embedded") or {}).get("elements")) or [])

    async def users(
        self, filters: list[dict[str, Any]], page_size: int, page: int, sort: list[list[str]] | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"filters": filters_json(filters), **_paging(page_size, page)}
        if sort:
            params["sortBy"] = json.dumps(sort, separators=(",", ":"))
        return await self._get("/users", params)

    async def user(self, ref: str | int) -> dict[str, Any]:
        """One user by id, or "me"."""
        return await self._get(f"/users/{segment(str(ref))}")

    async def groups(self, sort: list[list[str]] | None, page_size: int, page: int) -> dict[str, Any]:
        params: dict[str, Any] = _paging(page_size, page)
        if sort:
            params["sortBy"] = json.dumps(sort, separators=(",", ":"))
        return await self._get("/groups", params)

    async def group(self, group_id: int) -> dict[str, Any]:
        return await self._get(f"/groups/{group_id}")

    async def placeholder_users(self, filters: list[dict[str, Any]], page_size: int, page: int) -> dict[str, Any]:
        return await self._get("/placeholder_users", {"filters": filters_json(filters), **_paging(page_size, page)})

    async def available_assignees(self, *, project_id: str | None = None, wp_id: int | None = None) -> dict[str, Any]:
        """Who may be assigned work packages in a project, or one work package (exactly one of the two)."""
        if wp_id is not None:
            return await self._get(f"/work_packages/{wp_id}/available_assignees")
        return await self._get(f"/projects/{segment(str(project_id))}/available_assignees")

    # ---- watchers

    async def watchers(self, wp_id: int) -> dict[str, Any]:
        return await self._get(f"/work_packages/{wp_id}/watchers")

    async def add_watcher(self, wp_id: int, user_href: str) -> tuple[dict[str, Any], bool]:
        """The watcher, and whether it is new (OpenProject answers 201 for a new one, 200 if already watching)."""
        answer = await self._up.call(
            "POST",
            f"{self.api}/work_packages/{wp_id}/watchers",
            credential=self._cred,
            body={"user": {"href": user_href}},
        )
        data = answer.json()
        return (data if isinstance(data, dict) else {}), answer.status == 201

    async def remove_watcher(self, wp_id: int, user_id: int) -> None:
        await self._no_answer("DELETE", f"/work_packages/{wp_id}/watchers/{user_id}")

    # ---- memberships and roles

    async def memberships(self, filters: list[dict[str, Any]], page_size: int, page: int) -> dict[str, Any]:
        params = {
            "filters": filters_json(filters),
            "sortBy": json.dumps([["id", "asc"]]),
            **_paging(page_size, page),
        }
        return await self._get("/memberships", params)

    async def membership(self, membership_id: int) -> dict[str, Any]:
        return await self._get(f"/memberships/{membership_id}")

    async def create_membership(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", "/memberships", body)

    async def update_membership(self, membership_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("PATCH", f"/memberships/{membership_id}", body)

    async def delete_membership(self, membership_id: int) -> None:
        await self._no_answer("DELETE", f"/memberships/{membership_id}")

    async def roles(self) -> list[dict[str, Any]]:
        """Every role the user may see, built-in ones included (cached per user)."""

        async def load() -> list[dict[str, Any]]:
            data = await self._get("/roles")
            return list(((data.get("_embedded") or {}).get("elements")) or [])

        return await self._cached("roles", load)

    async def role(self, role_id: int) -> dict[str, Any]:
        return await self._get(f"/roles/{role_id}")


def _principal_row(p: dict[str, Any], api: str) -> dict[str, Any]:
    kind = str(p.get("_type") or "User")
    return {
        "id": int(p["id"]),
        "name": p.get("name"),
        "login": p.get("login"),
        "type": kind,
        "href": f"{api}/{_NAMESPACE.get(kind, 'users')}/{int(p['id'])}",
    }
