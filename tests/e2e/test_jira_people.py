"""Jira's people tools against the fake Jira, both deployments: users, watchers, worklogs, assigning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BOB, SHARED, jira_env, jira_headers, make_settings, serve
from tests.e2e._clients import tool_caller
from tests.fakes import FakeJira, Fault, JiraUser

Call = Any


@pytest.fixture
async def tool(jira: FakeJira) -> AsyncIterator[Call]:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, jira_headers(ALICE, jira.deployment))


def ident(jira: FakeJira, user: JiraUser) -> str:
    """The id Jira's user parameters take on this deployment."""
    return user.account_id if jira.deployment == "cloud" else user.name


def search_param(jira: FakeJira) -> str:
    return "query" if jira.deployment == "cloud" else "username"


# ---------------------------------------------------------------------- users


async def test_user_profile_by_name_email_and_id(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_user_profile", {"user_identifier": "Bob Example"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/user/search")
    assert sent.query[search_param(jira)] == "Bob Example" and sent.identity == "alice"
    user = r["structuredContent"]["user"]
    assert user["display_name"] == "Bob Example" and user["email"] == BOB.email
    assert (user.get("account_id") if jira.deployment == "cloud" else user.get("username")) == ident(jira, BOB)
    assert "**Bob Example**" in r["text"] and ident(jira, BOB) in r["text"]

    by_email = await tool("jira_get_user_profile", {"user_identifier": "svc@example.com"})
    assert by_email["structuredContent"]["user"]["display_name"] == SHARED.display_name

    by_id = await tool("jira_get_user_profile", {"user_identifier": ident(jira, SHARED)})
    assert not by_id["isError"], by_id["text"]
    assert by_id["structuredContent"]["user"]["display_name"] == SHARED.display_name
    if jira.deployment == "cloud":  # Cloud's search does not match account ids: the profile is read by id
        direct = [q for q in jira.requests if q.method == "GET" and q.path.endswith("/user")]
        assert direct and direct[-1].query == {"accountId": SHARED.account_id}


async def test_user_resolution_errors_are_clear(jira: FakeJira, tool: Call) -> None:
    none = await tool("jira_get_user_profile", {"user_identifier": "Nobody Atall"})
    assert none["isError"] and "No Jira user matches 'Nobody Atall'" in none["text"]
    several = await tool("jira_get_user_profile", {"user_identifier": "Example"})
    assert several["isError"] and "matches several Jira users" in several["text"]
    assert "Alice Example" in several["text"] and "Bob Example" in several["text"]
    assert ident(jira, ALICE) in several["text"] and ident(jira, BOB) in several["text"]


async def test_user_lookup_is_cached_per_user_never_across(jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(jira))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        alice = tool_caller(http, jira_headers(ALICE, jira.deployment))
        bob = tool_caller(http, jira_headers(BOB, jira.deployment))
        first = await alice("jira_get_user_profile", {"user_identifier": "Service Account"})
        again = await alice("jira_add_watcher", {"issue_key": "DEMO-7", "user_identifier": "service account"})
        assert not first["isError"] and not again["isError"], again["text"]
        assert [q.identity for q in jira.requests_to("/user/search")] == ["alice"], "Alice's second look-up is cached"
        theirs = await bob("jira_get_user_profile", {"user_identifier": "Service Account"})
        assert theirs["structuredContent"] == first["structuredContent"]
        assert [q.identity for q in jira.requests_to("/user/search")] == ["alice", "bob"], "Bob looks up for himself"


async def test_user_read_by_id_when_searching_users_is_forbidden(jira: FakeJira, tool: Call) -> None:
    jira.add_fault(Fault(status=403, path_contains="/user/search", times=2))
    r = await tool("jira_get_user_profile", {"user_identifier": ident(jira, BOB)})
    assert not r["isError"], r["text"]
    direct = [q for q in jira.requests if q.method == "GET" and q.path.endswith("/user")]
    assert direct[-1].query == {"accountId" if jira.deployment == "cloud" else "username": ident(jira, BOB)}
    assert r["structuredContent"]["user"]["display_name"] == "Bob Example"
    by_name = await tool("jira_get_user_profile", {"user_identifier": "Bob Example"})
    assert by_name["isError"] and "403" in by_name["text"], "a refused search is said so, not 'no such user'"


async def test_fake_answers_like_jira(jira: FakeJira) -> None:
    """The fake's own answers for these endpoints, errors included, as Jira words them."""
    api = f"{jira.url}/rest/api/{3 if jira.deployment == 'cloud' else 2}"
    auth = (ALICE.email if jira.deployment == "cloud" else ALICE.name, ALICE.token)
    async with httpx.AsyncClient(auth=auth) as http:
        missing = await http.get(f"{api}/user/search")
        assert missing.status_code == 400
        assert missing.json() == {
            "errorMessages": [f"The {search_param(jira)} query parameter was not provided"],
            "errors": {},
        }
        unscoped = await http.get(f"{api}/user/assignable/search", params={search_param(jira): "a"})
        assert unscoped.status_code == 400 and unscoped.json()["errorMessages"]
        nobody = await http.get(
            f"{api}/user", params={"accountId" if jira.deployment == "cloud" else "username": "ghost"}
        )
        assert nobody.status_code == 404 and nobody.json()["errorMessages"]
        unknown = await http.post(f"{api}/issue/DEMO-1/watchers", json="ghost")
        assert unknown.status_code == 404 and "ghost" in unknown.json()["errorMessages"][0]
        me = await http.post(f"{api}/issue/DEMO-9/watchers")
        assert me.status_code == 204 and jira.state.people.watchers["DEMO-9"] == ["alice"]
        bad = await http.post(f"{api}/issue/DEMO-1/worklog", json={"timeSpent": "soon", "started": "2026-01-15 09:00"})
        assert bad.status_code == 400
        assert set(bad.json()["errors"]) == {"timeLogged", "startDate"}
        none = await http.post(f"{api}/issue/DEMO-1/worklog", json={})
        assert none.json()["errors"] == {"timeLogged": "You must indicate the time spent working."}
        logged = await http.post(
            f"{api}/issue/DEMO-1/worklog",
            params={"adjustEstimate": "new", "newEstimate": "1d"},
            json={"timeSpentSeconds": 1800, "started": "2026-01-15T09:00:00.000+0000"},
        )
        assert logged.status_code == 201
        assert logged.json()["timeSpent"] == "30m" and logged.json()["started"] == "2026-01-15T09:00:00.000+0000"
        page = (await http.get(f"{api}/issue/DEMO-1/worklog", params={"maxResults": 2})).json()
        assert page["total"] == 3 and len(page["worklogs"]) == 2 and page["maxResults"] == 2
        fields = (await http.get(f"{api}/issue/DEMO-1", params={"fields": "timetracking,worklog"})).json()["fields"]
        assert fields["timetracking"] == {
            "remainingEstimate": "1d",
            "remainingEstimateSeconds": 8 * 3600,
            "timeSpent": "30m",
            "timeSpentSeconds": 1800,
        }
        assert fields["worklog"]["total"] == 3 and fields["worklog"]["worklogs"][2]["timeSpent"] == "30m"


async def test_search_assignable_users(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_search_assignable_users", {"query": "example.com", "project_key": "DEMO", "limit": 2})
    assert not r["isError"], r["text"]
    sent = jira.last_request("GET", "/user/assignable/search")
    assert sent.query[search_param(jira)] == "example.com"
    assert sent.query["project"] == "DEMO" and sent.query["maxResults"] == "2"
    names = [u["display_name"] for u in r["structuredContent"]["users"]]
    assert names == ["Alice Example", "Bob Example"] and "Bob Example" in r["text"] and ident(jira, BOB) in r["text"]
    by_issue = await tool("jira_search_assignable_users", {"query": "bob", "issue_key": "DEMO-3"})
    assert jira.last_request("GET", "/user/assignable/search").query["issueKey"] == "DEMO-3"
    assert [u["display_name"] for u in by_issue["structuredContent"]["users"]] == ["Bob Example"]
    before = len(jira.requests)
    unscoped = await tool("jira_search_assignable_users", {"query": "bob"})
    assert unscoped["isError"] and "project_key or issue_key" in unscoped["text"]
    assert len(jira.requests) == before


# ---------------------------------------------------------------------- watchers


async def test_watchers_list_add_remove(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_issue_watchers", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    assert jira.last_request("GET", "/issue/DEMO-1/watchers").identity == "alice"
    s = r["structuredContent"]
    assert s["watch_count"] == 2 and s["is_watching"] is True
    assert [w["display_name"] for w in s["watchers"]] == ["Alice Example", "Bob Example"]
    assert "2 watching DEMO-1 (including you)" in r["text"] and "- Bob Example" in r["text"]

    added = await tool("jira_add_watcher", {"issue_key": "DEMO-3", "user_identifier": "svc@example.com"})
    assert not added["isError"], added["text"]
    assert jira.last_request("POST", "/issue/DEMO-3/watchers").json == ident(jira, SHARED)
    assert "Service Account now watches DEMO-3" in added["text"]
    assert jira.state.people.watchers["DEMO-3"] == ["svc"]

    peer_arg = {"account_id": BOB.account_id} if jira.deployment == "cloud" else {"username": BOB.name}
    removed = await tool("jira_remove_watcher", {"issue_key": "DEMO-1", **peer_arg})
    assert not removed["isError"], removed["text"]
    assert jira.last_request("DELETE", "/issue/DEMO-1/watchers").query == {
        "accountId" if jira.deployment == "cloud" else "username": ident(jira, BOB)
    }
    assert removed["structuredContent"] == {"issue_key": "DEMO-1", "removed": ident(jira, BOB)}
    assert jira.state.people.watchers["DEMO-1"] == ["alice"]

    by_name = await tool("jira_remove_watcher", {"issue_key": "DEMO-3", "user_identifier": "Service Account"})
    assert not by_name["isError"] and "Service Account no longer watches DEMO-3" in by_name["text"]
    assert jira.last_request("DELETE", "/issue/DEMO-3/watchers").query.popitem()[1] == ident(jira, SHARED)
    assert jira.state.people.watchers["DEMO-3"] == []


async def test_remove_watcher_argument_errors(jira: FakeJira, tool: Call) -> None:
    before = len(jira.requests)
    neither = await tool("jira_remove_watcher", {"issue_key": "DEMO-1"})
    assert neither["isError"] and "user_identifier, username or account_id" in neither["text"]
    if jira.deployment == "server":
        wrong = await tool("jira_remove_watcher", {"issue_key": "DEMO-1", "account_id": "acc-bob"})
        assert wrong["isError"] and "by username" in wrong["text"]
    assert len(jira.requests) == before
    unknown = await tool("jira_add_watcher", {"issue_key": "NOPE-1", "user_identifier": "Bob Example"})
    assert unknown["isError"] and "404" in unknown["text"]


async def test_read_only_refuses_people_writes(jira: FakeJira) -> None:
    env = jira_env(jira, PASSTHROUGH_READ_ONLY="true")
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert {"jira_get_issue_watchers", "jira_get_worklog", "jira_get_user_profile"} <= names
        writes = {
            "jira_remove_watcher": {"issue_key": "DEMO-1", "user_identifier": "Bob Example"},
            "jira_add_watcher": {"issue_key": "DEMO-1", "user_identifier": "Bob Example"},
            "jira_add_worklog": {"issue_key": "DEMO-1", "time_spent": "1h"},
            "jira_assign_issue": {"issue_key": "DEMO-1", "assignee": "Bob Example"},
        }
        assert names.isdisjoint(writes)
        for rid, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            r = (await http.post("/mcp", json=body, headers=jira_headers(ALICE, jira.deployment))).json()
            assert "read-only" in r["error"]["message"], name
    assert not jira.requests, "nothing reaches Jira"


async def test_annotations(server_jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(server_jira))) as url, httpx.AsyncClient(base_url=url) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    hints = {t["name"]: t["annotations"] for t in listed["result"]["tools"]}
    assert hints["jira_remove_watcher"]["destructiveHint"] and not hints["jira_remove_watcher"]["readOnlyHint"]
    assert not hints["jira_add_watcher"]["destructiveHint"] and hints["jira_add_watcher"]["idempotentHint"]
    assert not hints["jira_add_worklog"]["idempotentHint"] and not hints["jira_add_worklog"]["readOnlyHint"]
    assert hints["jira_get_worklog"]["readOnlyHint"] and hints["jira_search_assignable_users"]["readOnlyHint"]


# ---------------------------------------------------------------------- worklogs


async def test_get_worklog_reads_markdown_and_pages(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_get_worklog", {"issue_key": "DEMO-1"})
    assert not r["isError"], r["text"]
    assert jira.last_request("GET", "/issue/DEMO-1/worklog").identity == "alice"
    rows = r["structuredContent"]["worklogs"]
    assert [w["time_spent"] for w in rows] == ["1h 30m", "2h"] and r["structuredContent"]["total"] == 2
    assert [w["author"] for w in rows] == ["Alice Example", "Bob Example"]
    assert rows[1]["comment"] == "Pairing on the **fix**."
    assert "2 of 2 worklogs on DEMO-1 (3.5h on this page)" in r["text"] and "Pairing on the **fix**." in r["text"]
    first = await tool("jira_get_worklog", {"issue_key": "DEMO-1", "max_results": 1})
    assert first["structuredContent"]["next_page_token"] == "1" and 'page_token="1"' in first["text"]
    second = await tool("jira_get_worklog", {"issue_key": "DEMO-1", "max_results": 1, "page_token": "1"})
    assert jira.last_request("GET", "/issue/DEMO-1/worklog").query == {"startAt": "1", "maxResults": "1"}
    assert [w["id"] for w in second["structuredContent"]["worklogs"]] == [rows[1]["id"]]
    assert second["structuredContent"]["next_page_token"] is None
    empty = await tool("jira_get_worklog", {"issue_key": "OPS-1"})
    assert "No work logged on OPS-1." in empty["text"]


async def test_add_worklog(jira: FakeJira, tool: Call) -> None:
    r = await tool(
        "jira_add_worklog",
        {
            "issue_key": "DEMO-2",
            "time_spent": "1h30m",
            "comment": "Fixed the **flaky** test",
            "started": "2026-01-20T09:15:00+01:00",
            "original_estimate": "2d",
            "remaining_estimate": "3h",
        },
    )
    assert not r["isError"], r["text"]
    estimate = jira.last_request("PUT", "/issue/DEMO-2")
    assert estimate.json == {"fields": {"timetracking": {"originalEstimate": "2d"}}}
    sent = jira.last_request("POST", "/issue/DEMO-2/worklog")
    assert sent.query == {"adjustEstimate": "new", "newEstimate": "3h"}
    assert sent.json["timeSpent"] == "1h 30m" and sent.json["started"] == "2026-01-20T09:15:00.000+0100"
    if jira.deployment == "cloud":
        assert sent.json["comment"]["type"] == "doc"
    else:
        assert sent.json["comment"] == "Fixed the *flaky* test"
    row = r["structuredContent"]["worklog"]
    assert row["time_spent"] == "1h 30m" and row["time_spent_seconds"] == 5400
    assert row["comment"] == "Fixed the **flaky** test" and row["author"] == "Alice Example"
    assert f"Logged 1h 30m on DEMO-2 (worklog {row['id']})" in r["text"] and "Remaining estimate: 3h" in r["text"]
    tracking = jira.issues["DEMO-2"]["timetracking"]
    assert tracking["originalEstimateSeconds"] == 2 * 8 * 3600 and tracking["remainingEstimateSeconds"] == 3 * 3600
    listed = await tool("jira_get_worklog", {"issue_key": "DEMO-2"})
    assert [w["id"] for w in listed["structuredContent"]["worklogs"]] == [row["id"]]


async def test_add_worklog_refuses_bad_durations_and_times(jira: FakeJira, tool: Call) -> None:
    before = len(jira.requests)
    bad = await tool("jira_add_worklog", {"issue_key": "DEMO-2", "time_spent": "a while"})
    assert bad["isError"] and "'a while' is not a Jira duration" in bad["text"]
    late = await tool("jira_add_worklog", {"issue_key": "DEMO-2", "time_spent": "2h", "started": "yesterday"})
    assert late["isError"] and "ISO 8601" in late["text"]
    assert len(jira.requests) == before
    plain = await tool("jira_add_worklog", {"issue_key": "DEMO-2", "time_spent": "2d"})
    assert not plain["isError"], plain["text"]
    assert jira.last_request("POST", "/issue/DEMO-2/worklog").json == {"timeSpent": "2d"}


# ---------------------------------------------------------------------- assigning


async def test_assign_and_unassign(jira: FakeJira, tool: Call) -> None:
    r = await tool("jira_assign_issue", {"issue_key": "DEMO-2", "assignee": "bob@example.com"})
    assert not r["isError"], r["text"]
    sent = jira.last_request("PUT", "/issue/DEMO-2/assignee").json
    assert sent == ({"accountId": BOB.account_id} if jira.deployment == "cloud" else {"name": BOB.name})
    assert jira.issues["DEMO-2"]["assignee"] == "bob"
    assert "Assigned DEMO-2 to Bob Example" in r["text"] and r["structuredContent"]["assignee"]["email"] == BOB.email
    cleared = await tool("jira_assign_issue", {"issue_key": "DEMO-2"})
    assert not cleared["isError"] and "DEMO-2 is now unassigned" in cleared["text"]
    sent = jira.last_request("PUT", "/issue/DEMO-2/assignee").json
    assert sent == ({"accountId": None} if jira.deployment == "cloud" else {"name": None})
    assert jira.issues["DEMO-2"]["assignee"] is None
    mine = await tool("jira_assign_issue", {"issue_key": "DEMO-2", "assignee": "me"})
    assert not mine["isError"] and "Assigned DEMO-2 to Alice Example" in mine["text"]
    assert jira.last_request("GET", "/myself").identity == "alice" and jira.issues["DEMO-2"]["assignee"] == "alice"
    before = len([q for q in jira.requests if q.method == "PUT"])
    nobody = await tool("jira_assign_issue", {"issue_key": "DEMO-2", "assignee": "Nobody Atall"})
    assert nobody["isError"] and "No Jira user matches" in nobody["text"]
    assert len([q for q in jira.requests if q.method == "PUT"]) == before


async def test_create_and_update_resolve_the_assignee(jira: FakeJira, tool: Call) -> None:
    created = await tool("jira_create_issue", {"project_key": "DEMO", "summary": "Owned", "assignee": "Bob Example"})
    assert not created["isError"], created["text"]
    fields = jira.last_request("POST", "/issue").json["fields"]
    assert fields["assignee"] == ({"accountId": BOB.account_id} if jira.deployment == "cloud" else {"name": "bob"})
    key = created["structuredContent"]["key"]
    assert jira.issues[key]["assignee"] == "bob"
    updated = await tool("jira_update_issue", {"issue_key": key, "fields": {"assignee": "svc@example.com"}})
    assert not updated["isError"], updated["text"]
    fields = jira.last_request("PUT", f"/issue/{key}").json["fields"]
    assert fields["assignee"] == ({"accountId": SHARED.account_id} if jira.deployment == "cloud" else {"name": "svc"})
    assert jira.issues[key]["assignee"] == "svc"
