"""Jira REST calls for users, watchers, worklogs and assigning.

Jira names a person by account id on Cloud and by username on Server/Data Center; `resolve_user` turns
what a person would type (a display name, an email, an account id or a username) into that user, once per
caller and identifier.
"""

from __future__ import annotations

from typing import Any

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import segment

MYSELF = frozenset({"me", "myself", "currentuser()"})  # the requesting user, as people (and JQL) say it
MATCH_FIELDS = ("accountId", "name", "key", "emailAddress", "displayName")


def user_label(user: dict[str, Any]) -> str:
    """`Display Name (id)`: the id being the account id on Cloud, the username on Server."""
    ident = user.get("accountId") or user.get("name") or user.get("key") or "?"
    return f"{user.get('displayName') or ident} ({ident})"


def choose_user(identifier: str, candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one candidate `identifier` names exactly (id, username, email, display name), else the only one.

    None when nothing matches; an InvalidArguments naming them when several do."""
    folded = identifier.strip().casefold()
    for field in MATCH_FIELDS:
        exact = [u for u in candidates if str(u.get(field) or "").casefold() == folded]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            candidates = exact
            break
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return None
    shown = ", ".join(user_label(u) for u in candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    raise InvalidArguments(
        f"'{identifier}' matches several Jira users: {shown}{more}. Give the email, or the "
        f"{'account id' if candidates[0].get('accountId') else 'username'} shown in parentheses."
    )


class PeopleCalls(ProviderClient):
    """Mixed into JiraClient; `self.api` is the deployment's REST API, `self.cloud` the deployment."""

    def user_ref(self, user: dict[str, Any] | str | None) -> dict[str, Any]:
        """How a payload names a user (`{"accountId"}` on Cloud, `{"name"}` on Server); None for nobody."""
        ident = user if isinstance(user, str) or user is None else self.user_id(user)
        return {"accountId": ident} if self.cloud else {"name": ident}

    def user_id(self, user: dict[str, Any]) -> str:
        """The id Jira's user parameters take: the account id on Cloud, the username on Server."""
        return str(user.get("accountId") if self.cloud else user.get("name") or user.get("key") or "")

    async def user_search(self, text: str, max_results: int = 50) -> list[dict[str, Any]]:
        """Users whose display name or email (Server: also username) contain `text`."""
        params = {"query" if self.cloud else "username": text, "maxResults": max_results}
        return [u for u in await self._array("/user/search", params) if isinstance(u, dict)]

    async def user_by_id(self, ident: str) -> dict[str, Any] | None:
        """The user with this account id (Cloud) or username (Server), or None if there is none."""
        try:
            return await self._get("/user", {"accountId" if self.cloud else "username": ident})
        except UpstreamError as exc:
            if exc.status == 404:
                return None
            raise

    async def assignable_users(
        self, text: str, project_key: str | None, issue_key: str | None, max_results: int
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"query" if self.cloud else "username": text, "maxResults": max_results}
        if issue_key:
            params["issueKey"] = issue_key
        if project_key:
            params["project"] = project_key
        return [u for u in await self._array("/user/assignable/search", params) if isinstance(u, dict)]

    async def resolve_user(self, identifier: str) -> dict[str, Any]:
        """The one user `identifier` names ("me": the caller), looked up once per caller; InvalidArguments for none
        or several."""
        wanted = identifier.strip()

        async def load() -> dict[str, Any]:
            if wanted.casefold() in MYSELF:
                return await self._get("/myself")
            refused: UpstreamError | None = None
            try:
                found = choose_user(wanted, await self.user_search(wanted))
            except UpstreamError as exc:
                if exc.status != 403:  # searching users needs "Browse users"; reading one by id may not
                    raise
                found, refused = None, exc
            # Cloud's search does not match account ids; a Server username is read directly as well
            if found is None and not any(c.isspace() or (c == "@" and self.cloud) for c in wanted):
                found = await self.user_by_id(wanted)
            if found is None and refused is not None:
                raise refused
            if found is None:
                who = "display name, email or account id" if self.cloud else "display name, email or username"
                raise InvalidArguments(
                    f"No Jira user matches '{wanted}'. Give a {who}, or find one with jira_search_assignable_users."
                )
            return found

        if not wanted:
            raise InvalidArguments("Name a Jira user: a display name, an email, an account id or a username.")
        return await self._cached(f"user:{wanted.casefold()}", load)

    async def watchers(self, key: str) -> dict[str, Any]:
        return await self._get(f"/issue/{segment(key)}/watchers")

    async def add_watcher(self, key: str, ident: str) -> None:
        """`ident` is an account id (Cloud) or username (Server); Jira takes it as a bare JSON string."""
        await self._no_answer("POST", f"/issue/{segment(key)}/watchers", ident)

    async def remove_watcher(self, key: str, ident: str) -> None:
        name = "accountId" if self.cloud else "username"
        await self._json("DELETE", f"/issue/{segment(key)}/watchers", params={name: ident})

    async def worklogs(self, key: str, start: int = 0, max_results: int = 5000) -> dict[str, Any]:
        return await self._get(f"/issue/{segment(key)}/worklog", {"startAt": start, "maxResults": max_results})

    async def add_worklog(
        self, key: str, body: dict[str, Any], remaining_estimate: str | None = None
    ) -> dict[str, Any]:
        """Log work; a `remaining_estimate` becomes the issue's new remaining estimate (else Jira reduces it)."""
        params = {"adjustEstimate": "new", "newEstimate": remaining_estimate} if remaining_estimate else None
        return await self._object("POST", f"/issue/{segment(key)}/worklog", params=params, body=body)

    async def set_estimate(self, key: str, original_estimate: str) -> None:
        body = {"fields": {"timetracking": {"originalEstimate": original_estimate}}}
        await self._no_answer("PUT", f"/issue/{segment(key)}", body)

    async def assign(self, key: str, user: dict[str, Any] | None) -> None:
        """Assign the issue to `user` (None: unassign)."""
        await self._no_answer("PUT", f"/issue/{segment(key)}/assignee", self.user_ref(user))
