"""Self-test of the fake Jira: it must behave like Jira where the server under test depends on it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import aiohttp
import pytest

from tests.fakes import FakeJira, Fault, JiraUser
from tests.fakes_selftest._auth import DEPLOYMENT, as_user, basic

ALICE = JiraUser("alice", "Alice Example", "alice@example.com", "557058:alice-0001", "alice-secret-token")
BOB = JiraUser("bob", "Bob Example", "bob@example.com", "557058:bob-0002", "bob-secret-token")
JSON_TYPE = "application/json;charset=UTF-8"


@asynccontextmanager
async def running(
    deployment: Literal["server", "cloud"], **options: Any
) -> AsyncIterator[tuple[FakeJira, aiohttp.ClientSession, str]]:
    """A served fake, a cookie-less client session, and the API base for the deployment's main version."""
    fake = FakeJira(deployment, [ALICE, BOB], **options)
    DEPLOYMENT.set(deployment)
    async with fake.serve() as url, aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        yield fake, http, f"{url}/rest/api/{3 if deployment == 'cloud' else 2}"


async def test_serves_on_loopback_with_ephemeral_port() -> None:
    fake = FakeJira()
    async with fake.serve() as url:
        assert url == fake.url
        assert url.startswith("http://127.0.0.1:") and not url.endswith("/")
    with pytest.raises(RuntimeError):
        _ = fake.url


async def test_server_auth_bearer_and_basic() -> None:
    async with running("server") as (fake, http, api):
        async with http.get(f"{api}/myself", headers=as_user(ALICE)) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == JSON_TYPE
            me = await resp.json()
        assert me["name"] == "alice" and me["displayName"] == "Alice Example" and me["active"] is True
        assert {"self", "key", "emailAddress", "timeZone", "locale"} <= me.keys()

        async with http.get(f"{api}/myself", headers=basic("bob", BOB.token)) as resp:
            assert (await resp.json())["name"] == "bob"

        # wrong token, Cloud-style e-mail login, and no credentials at all
        for headers in (
            basic("bob", "nope"),
            basic(BOB.email, BOB.token),
            {"Authorization": "Bearer nope"},
            {},
        ):
            async with http.get(f"{api}/myself", headers=headers) as resp:
                assert resp.status == 401
                assert resp.headers["WWW-Authenticate"].startswith('OAuth realm="')
                assert await resp.json() == {
                    "errorMessages": ["You are not authenticated. Authentication required to perform this operation."],
                    "errors": {},
                }
                assert "Set-Cookie" not in resp.headers

        # Server serves only API v2
        async with http.get(api.replace("/2", "/3") + "/myself", headers=as_user(ALICE)) as resp:
            assert resp.status == 404

    assert [(r.identity, r.auth_via, r.status) for r in fake.requests_to("/myself")] == [
        ("alice", "bearer", 200),
        ("bob", "basic", 200),
        *[(None, None, 401)] * 4,
        ("alice", "bearer", 404),  # valid credentials, but Server has no API v3
    ]
    assert fake.requests[0].headers["authorization"] == f"Bearer {ALICE.token}"


async def test_cloud_auth_email_basic_and_bearer() -> None:
    async with running("cloud") as (fake, http, api):
        async with http.get(f"{api}/myself", headers=basic(ALICE.email, ALICE.token)) as resp:
            me = await resp.json()
        assert me["accountId"] == ALICE.account_id and me["accountType"] == "atlassian"
        assert "name" not in me

        # an API token is no Bearer token on Cloud (that would be an OAuth 2.0 access token)
        for headers in (
            {"Authorization": f"Bearer {BOB.token}"},
            basic("alice", ALICE.token),
            basic(ALICE.email, "wrong"),
            {},
        ):
            async with http.get(f"{api}/myself", headers=headers) as resp:
                assert resp.status == 401
                assert resp.headers["Content-Type"].startswith("text/plain")
                assert await resp.text() == "Client must be authenticated to access this resource."

        # Cloud keeps serving v2 as well, with wiki-markup rich text
        async with http.get(f"{api.replace('/3', '/2')}/issue/DEMO-1", headers=basic(ALICE.email, ALICE.token)) as resp:
            assert isinstance((await resp.json())["fields"]["description"], str)
    assert [r.identity for r in fake.requests] == ["alice", None, None, None, None, "alice"]


async def test_session_cookie_wins_over_the_authorization_header() -> None:
    async with running("server") as (fake, http, api):
        async with http.get(f"{api}/myself", headers=as_user(ALICE)) as resp:
            session = resp.cookies["JSESSIONID"]
            assert session["httponly"] and session["path"] == "/"
            assert resp.cookies["atlassian.xsrf.token"].value.endswith("|lin")
        assert fake.sessions[session.value] == "alice"

        # Bob's request carries Alice's session cookie: the fake answers as Alice, like a careless server
        headers = {**as_user(BOB), "Cookie": f"JSESSIONID={session.value}"}
        async with http.get(f"{api}/myself", headers=headers) as resp:
            assert (await resp.json())["name"] == "alice"

        # an unknown session cookie is ignored; the Authorization header decides
        headers = {**as_user(BOB), "Cookie": "JSESSIONID=0123456789ABCDEF"}
        async with http.get(f"{api}/myself", headers=headers) as resp:
            assert (await resp.json())["name"] == "bob"

    leaked = fake.requests[1]
    assert leaked.headers["authorization"] == as_user(BOB)["Authorization"]
    assert (leaked.identity, leaked.auth_via, leaked.cookie_identity) == ("alice", "cookie", "alice")
    assert (fake.requests[2].identity, fake.requests[2].cookie_identity) == ("bob", None)


async def test_anonymous_read_when_allowed() -> None:
    async with running("server", allow_anonymous_read=True) as (fake, http, api):
        async with http.get(f"{api}/issue/DEMO-2") as resp:
            assert resp.status == 200
            assert "Set-Cookie" not in resp.headers
        async with http.get(f"{api}/search", params={"jql": "project = OPS"}) as resp:
            assert (await resp.json())["total"] == 5
        async with http.get(f"{api}/myself") as resp:
            assert resp.status == 401
        async with http.get(f"{api}/issue/DEMO-2", headers=as_user(JiraUser("x", "X", "x@x", "x", "bad"))) as resp:
            assert resp.status == 401  # present but invalid credentials never fall back to anonymous
        async with http.post(f"{api}/issue/DEMO-2/comment", json={"body": "hi"}) as resp:
            assert resp.status == 401
    assert [r.status for r in fake.requests] == [200, 200, 401, 401, 401]


async def test_server_search_offset_pagination() -> None:
    async with running("server") as (_, http, api):
        keys: list[str] = []
        start = 0
        while True:
            params: dict[str, str | int] = {
                "jql": "project = DEMO ORDER BY key ASC",
                "startAt": start,
                "maxResults": 10,
                "fields": "summary",
            }
            async with http.get(f"{api}/search", params=params, headers=as_user(ALICE)) as resp:
                page = await resp.json()
            assert page["total"] == 25 and page["startAt"] == start and page["maxResults"] == 10
            keys += [issue["key"] for issue in page["issues"]]
            start += len(page["issues"])
            if start >= page["total"]:
                break
        assert keys == [f"DEMO-{n}" for n in range(1, 26)]

        body = {"jql": "project = DEMO AND status = 'Done'", "maxResults": 1000, "fields": ["status"]}
        async with http.post(f"{api}/search", json=body, headers=as_user(ALICE)) as resp:
            page = await resp.json()
        assert page["maxResults"] == 100
        assert {i["fields"]["status"]["name"] for i in page["issues"]} == {"Done"}
        assert page["total"] == len(page["issues"]) == 8

        async with http.get(f"{api}/search", params={"jql": "assignee = currentUser()"}, headers=as_user(ALICE)) as r:
            mine = await r.json()
        assert mine["total"] > 0
        assert {i["fields"]["assignee"]["name"] for i in mine["issues"]} == {"alice"}

        async with http.get(f"{api}/search", params={"jql": 'text ~ "login"'}, headers=as_user(ALICE)) as resp:
            assert {i["key"] for i in (await resp.json())["issues"]} == {"DEMO-2", "DEMO-25"}


async def test_cloud_search_token_pagination() -> None:
    async with running("cloud") as (_, http, api):
        keys: list[str] = []
        params: dict[str, Any] = {
            "jql": "project = DEMO ORDER BY created ASC",
            "maxResults": 10,
            "fields": "key",
        }
        pages = 0
        while True:
            async with http.get(f"{api}/search/jql", params=params, headers=as_user(ALICE)) as resp:
                page = await resp.json()
            assert "total" not in page
            pages += 1
            keys += [issue["key"] for issue in page["issues"]]
            if page["isLast"]:
                assert "nextPageToken" not in page
                break
            params["nextPageToken"] = page["nextPageToken"]
        assert pages == 3
        assert keys == [f"DEMO-{n}" for n in range(1, 26)]

        body = {"jql": "project = OPS", "maxResults": 2, "fields": ["summary"]}
        async with http.post(f"{api}/search/jql", json=body, headers=as_user(ALICE)) as resp:
            first = await resp.json()
        assert len(first["issues"]) == 2 and first["isLast"] is False
        body["nextPageToken"] = first["nextPageToken"]
        async with http.post(f"{api}/search/jql", json=body, headers=as_user(ALICE)) as resp:
            assert [i["key"] for i in (await resp.json())["issues"]] == ["OPS-3", "OPS-4"]

        # without fields the enhanced search returns ids only
        async with http.get(f"{api}/search/jql", params={"jql": "key = DEMO-3"}, headers=as_user(ALICE)) as resp:
            assert (await resp.json())["issues"] == [{"id": "10003"}]

        bad = {"jql": "project = DEMO", "nextPageToken": "not-a-token"}
        async with http.get(f"{api}/search/jql", params=bad, headers=as_user(ALICE)) as resp:
            assert resp.status == 400 and (await resp.json())["errorMessages"]


async def test_removed_cloud_search_answers_410() -> None:
    async with running("cloud") as (_, http, api):
        for url in (f"{api}/search", f"{api.replace('/3', '/2')}/search"):
            async with http.get(url, params={"jql": "project = DEMO"}, headers=as_user(ALICE)) as resp:
                assert resp.status == 410
                body = await resp.json()
            assert "/rest/api/3/search/jql" in body["errorMessages"][0] and body["errors"] == {}
            async with http.post(url, json={"jql": "project = DEMO"}, headers=as_user(ALICE)) as resp:
                assert resp.status == 410


async def test_jql_errors() -> None:
    async with running("server") as (_, http, api):
        async with http.get(f"{api}/search", params={"jql": "project = NOPE"}, headers=as_user(ALICE)) as resp:
            assert resp.status == 400
            assert await resp.json() == {
                "errorMessages": ["The value 'NOPE' does not exist for the field 'project'."],
                "errors": {},
            }
        async with http.get(f"{api}/search", params={"jql": "key ! DEMO-1"}, headers=as_user(ALICE)) as resp:
            assert resp.status == 400
            message = (await resp.json())["errorMessages"][0]
        assert message.startswith("Error in the JQL Query: The character '!' is a reserved JQL character.")
        assert message.endswith("(line 1, character 5)")


@pytest.mark.parametrize("deployment", ["server", "cloud"])
async def test_fields_filtering_and_rich_text(deployment: Literal["server", "cloud"]) -> None:
    async with running(deployment) as (_, http, api):
        params = {"fields": "summary,status"}
        async with http.get(f"{api}/issue/demo-1", params=params, headers=as_user(ALICE)) as resp:
            issue = await resp.json()
        assert issue["key"] == "DEMO-1" and issue["id"] == "10001"
        assert issue["self"].endswith("/issue/10001")
        assert set(issue["fields"]) == {"summary", "status"}
        assert issue["fields"]["status"]["statusCategory"]["key"] == "new"

        async with http.get(f"{api}/issue/10001", headers=as_user(ALICE)) as resp:
            fields = (await resp.json())["fields"]
        assert fields["assignee"]["displayName"] == "Alice Example"
        assert fields["comment"]["total"] == 2 and len(fields["comment"]["comments"]) == 2
        assert fields["issuetype"] == {**fields["issuetype"], "name": "Task", "subtask": False}
        assert fields["created"].endswith("+0000") and len(fields["created"]) == 28
        if deployment == "cloud":
            assert fields["description"]["type"] == "doc"
            assert {n["type"] for n in fields["description"]["content"]} >= {
                "heading",
                "bulletList",
                "codeBlock",
            }
        else:
            assert fields["description"].startswith("h2. Context") and "{code:python}" in fields["description"]

        async with http.get(f"{api}/issue/DEMO-404", headers=as_user(ALICE)) as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "errorMessages": ["Issue does not exist or you do not have permission to see it."],
                "errors": {},
            }


async def test_faults_are_consumed_per_matching_request() -> None:
    async with running("server") as (fake, http, api):
        fake.add_fault(Fault(503, times=2, path_contains="/issue/DEMO-1"))
        fake.add_fault(Fault(429, headers={"Retry-After": "7"}, path_contains="/search", method="POST"))
        fake.add_fault(Fault(500, path_contains="/project"))

        async with http.get(f"{api}/myself", headers=as_user(ALICE)) as resp:
            assert resp.status == 200  # does not match any fault
        for _ in range(2):
            async with http.get(f"{api}/issue/DEMO-1", headers=as_user(ALICE)) as resp:
                assert resp.status == 503
        async with http.get(f"{api}/issue/DEMO-1", headers=as_user(ALICE)) as resp:
            assert resp.status == 200

        async with http.get(f"{api}/search", headers=as_user(ALICE)) as resp:
            assert resp.status == 200  # GET does not match the POST-only fault
        async with http.post(f"{api}/search", json={"jql": ""}, headers=as_user(ALICE)) as resp:
            assert resp.status == 429 and resp.headers["Retry-After"] == "7"
        async with http.get(f"{api}/project", headers=as_user(ALICE)) as resp:
            assert resp.status == 500
            assert await resp.json() == {"errorMessages": ["Internal server error"], "errors": {}}
        assert fake.faults == []

    statuses = [(r.method, r.path.removeprefix("/rest/api/2"), r.status) for r in fake.requests]
    assert statuses == [
        ("GET", "/myself", 200),
        ("GET", "/issue/DEMO-1", 503),
        ("GET", "/issue/DEMO-1", 503),
        ("GET", "/issue/DEMO-1", 200),
        ("GET", "/search", 200),
        ("POST", "/search", 429),
        ("GET", "/project", 500),
    ]
    assert all(r.identity == "alice" for r in fake.requests)  # who sent it is known even when faulted


async def test_delay_lets_requests_overlap() -> None:
    async with running("server") as (fake, http, api):
        fake.delay = 0.3

        async def one(user: JiraUser) -> str:
            async with http.get(f"{api}/myself", headers=as_user(user)) as resp:
                return str((await resp.json())["name"])

        started = time.monotonic()
        names = await asyncio.gather(one(ALICE), one(BOB), one(ALICE))
        assert list(names) == ["alice", "bob", "alice"]
        assert time.monotonic() - started < 0.8


@pytest.mark.parametrize("deployment", ["server", "cloud"])
async def test_create_comment_transition_round_trip(deployment: Literal["server", "cloud"]) -> None:
    cloud = deployment == "cloud"

    def rich(text: str) -> object:
        if not cloud:
            return text
        return {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        }

    async with running(deployment) as (fake, http, api):
        auth = as_user(BOB)
        missing = {"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}}}
        async with http.post(f"{api}/issue", json=missing, headers=auth) as resp:
            assert resp.status == 400
            assert await resp.json() == {
                "errorMessages": [],
                "errors": {"summary": "You must specify a summary of the issue."},
            }
        if cloud:
            wiki = {"fields": {**missing["fields"], "summary": "x", "description": "plain string"}}
            async with http.post(f"{api}/issue", json=wiki, headers=auth) as resp:
                assert resp.status == 400
                assert "Atlassian Document" in (await resp.json())["errors"]["description"]

        create = {
            "fields": {
                "project": {"key": "DEMO"},
                "issuetype": {"name": "Bug"},
                "summary": "Created by the self-test",
                "description": rich("Steps to reproduce"),
                "labels": ["selftest"],
            }
        }
        async with http.post(f"{api}/issue", json=create, headers=auth) as resp:
            assert resp.status == 201
            created = await resp.json()
        assert created["key"] == "DEMO-26" and set(created) == {"id", "key", "self"}
        assert fake.issues["DEMO-26"]["reporter"] == "bob"

        async with http.post(f"{api}/issue/DEMO-26/comment", json={"body": rich("First!")}, headers=auth) as resp:
            assert resp.status == 201
            comment = await resp.json()
        assert comment["author"]["displayName"] == "Bob Example"
        assert comment["body"] == rich("First!")

        async with http.get(f"{api}/issue/DEMO-26/transitions", headers=auth) as resp:
            transitions = (await resp.json())["transitions"]
        assert [(t["id"], t["name"]) for t in transitions] == [
            ("11", "To Do"),
            ("21", "In Progress"),
            ("31", "Done"),
        ]

        move = {"transition": {"id": "31"}, "update": {"comment": [{"add": {"body": rich("Closing")}}]}}
        async with http.post(f"{api}/issue/DEMO-26/transitions", json=move, headers=auth) as resp:
            assert resp.status == 204
        async with http.post(f"{api}/issue/DEMO-26/transitions", json={"transition": {"id": "99"}}, headers=auth) as r:
            assert r.status == 400
            assert (await r.json())["errorMessages"] == ["Transition id '99' is not valid for this issue."]

        edit = {"fields": {"summary": "Renamed"}, "update": {"labels": [{"add": "triaged"}]}}
        async with http.put(f"{api}/issue/DEMO-26", json=edit, headers=auth) as resp:
            assert resp.status == 204
        async with http.put(f"{api}/issue/DEMO-26", json={"fields": {"customfield_x": 1}}, headers=auth) as resp:
            assert resp.status == 400
            errors = (await resp.json())["errors"]
        reason = "Field 'customfield_x' cannot be set. It is not on the appropriate screen, or unknown."
        assert errors == {"customfield_x": reason}

        async with http.get(f"{api}/issue/DEMO-26/comment", params={"maxResults": 1}, headers=auth) as resp:
            page = await resp.json()
        assert (page["total"], page["maxResults"], len(page["comments"])) == (2, 1, 1)

        async with http.get(f"{api}/issue/DEMO-26", headers=auth) as resp:
            fields = (await resp.json())["fields"]
        assert fields["status"]["name"] == "Done" and fields["resolution"]["name"] == "Done"
        assert fields["summary"] == "Renamed" and fields["labels"] == ["selftest", "triaged"]
        assert fields["description"] == rich("Steps to reproduce")
        assert [c["body"] for c in fields["comment"]["comments"]] == [rich("First!"), rich("Closing")]

    assert fake.transitions == [{"issue": "DEMO-26", "id": "31", "from": "To Do", "to": "Done", "by": "bob"}]
    assert len(fake.comments["DEMO-26"]) == 2
    assert fake.requests_to("/issue/DEMO-26/transitions")[1].json == move
