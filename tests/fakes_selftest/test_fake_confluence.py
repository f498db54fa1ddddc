"""Self-test of the fake Confluence: it must behave like Confluence where the server under test depends on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from passthrough.sandbox.fakes.confluence._storage import plain_text, storage_error
from tests.fakes import ConfluenceUser, FakeConfluence, Fault
from tests.fakes_selftest._auth import DEPLOYMENT, as_user, basic

ALICE = ConfluenceUser("alice", "Alice Example", "alice@example.com", "557058:alice-0001", "alice-secret-token")
BOB = ConfluenceUser("bob", "Bob Example", "bob@example.com", "557058:bob-0002", "bob-secret-token")
JSON_TYPE = "application/json;charset=UTF-8"
Deployment = Literal["server", "cloud"]
DEPLOYMENTS = pytest.mark.parametrize("deployment", ["server", "cloud"])


def storage(value: str) -> dict[str, Any]:
    return {"storage": {"value": value, "representation": "storage"}}


@asynccontextmanager
async def running(
    deployment: Deployment, **options: Any
) -> AsyncIterator[tuple[FakeConfluence, aiohttp.ClientSession, str]]:
    """A served fake, a cookie-less client session, and the v1 API base (``base_url + "/rest/api"``)."""
    fake = FakeConfluence(deployment, [ALICE, BOB], **options)
    DEPLOYMENT.set(deployment)
    async with fake.serve(), aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        yield fake, http, f"{fake.base_url}/rest/api"


async def get_json(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with http.get(url, **kwargs) as resp:
        assert resp.headers["Content-Type"] == JSON_TYPE
        return resp.status, await resp.json()


# ---------------------------------------------------------------------- serving and authentication


async def test_base_url_and_context_path() -> None:
    server = FakeConfluence("server", [ALICE])
    async with server.serve() as url, aiohttp.ClientSession() as http:
        assert server.base_url == url and url.startswith("http://127.0.0.1:")
        async with http.get(f"{url}/rest/api/user/current", headers=as_user(ALICE)) as resp:
            assert resp.status == 200
        async with http.get(f"{url}/wiki/rest/api/user/current", headers=as_user(ALICE)) as resp:
            assert resp.status == 404  # Server lives at the root
        async with http.get(f"{url}/rest/api/nope", headers=as_user(ALICE)) as resp:
            assert resp.status == 404 and (await resp.json())["message"].startswith("null for uri: ")
    with pytest.raises(RuntimeError):
        _ = server.base_url

    cloud = FakeConfluence("cloud", [ALICE])
    async with cloud.serve() as url, aiohttp.ClientSession() as http:
        assert cloud.base_url == f"{url}/wiki"
        async with http.get(f"{url}/rest/api/user/current", headers=as_user(ALICE)) as resp:
            assert resp.status == 404 and resp.headers["Content-Type"].startswith("text/html")
        async with http.get(f"{url}/wiki/api/v2/nope", headers=as_user(ALICE)) as resp:
            assert resp.status == 404
            assert (await resp.json())["errors"][0]["code"] == "NOT_FOUND"
        async with http.put(f"{url}/wiki/rest/api/space", headers=as_user(ALICE)) as resp:
            assert resp.status == 405 and "GET" in resp.headers["Allow"]


async def test_server_auth_bearer_and_basic() -> None:
    async with running("server") as (fake, http, api):
        status, me = await get_json(http, f"{api}/user/current", headers=as_user(ALICE))
        assert status == 200
        assert me["type"] == "known" and me["username"] == "alice" and me["displayName"] == "Alice Example"
        assert len(me["userKey"]) == 32 and "accountId" not in me
        assert me["_links"]["base"] == fake.url and me["_links"]["context"] == ""

        status, me = await get_json(http, f"{api}/user/current", headers=basic("bob", BOB.token))
        assert me["username"] == "bob"

        for headers in (basic("bob", "nope"), basic(BOB.email, BOB.token), {"Authorization": "Bearer nope"}):
            async with http.get(f"{api}/user/current", headers=headers) as resp:
                assert resp.status == 401
                assert resp.headers["Content-Type"] == JSON_TYPE
                assert resp.headers["WWW-Authenticate"].startswith('OAuth realm="http%3A%2F%2F127.0.0.1')
                assert resp.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
                body = await resp.json()
                assert body["statusCode"] == 401 and body["message"] and body["reason"] == "Unauthorized"
                assert "Set-Cookie" not in resp.headers
        async with http.get(f"{api}/content/98305") as resp:
            assert resp.status == 401 and "X-Seraph-LoginReason" not in resp.headers
            assert (await resp.json())["message"] == "Current user not permitted to use Confluence"

    assert [(r.identity, r.auth_via, r.status) for r in fake.requests] == [
        ("alice", "bearer", 200),
        ("bob", "basic", 200),
        (None, "basic", 401),
        (None, "basic", 401),
        (None, "bearer", 401),
        (None, None, 401),
    ]


async def test_cloud_auth_email_basic_and_bearer() -> None:
    async with running("cloud") as (fake, http, api):
        status, me = await get_json(http, f"{api}/user/current", headers=basic(ALICE.email.upper(), ALICE.token))
        assert status == 200
        assert me["accountId"] == ALICE.account_id and me["accountType"] == "atlassian"
        assert "username" not in me and "userKey" not in me
        assert me["_links"]["base"] == fake.base_url and me["_links"]["context"] == "/wiki"

        # an API token is no Bearer token on Cloud (that would be an OAuth 2.0 access token)
        async with http.get(f"{api}/user/current", headers={"Authorization": f"Bearer {BOB.token}"}) as resp:
            assert resp.status == 401 and await resp.text() == "Unauthorized"

        async with http.get(f"{api}/user/current", headers=basic("alice", ALICE.token)) as resp:
            assert resp.status == 401 and resp.headers["Content-Type"].startswith("text/plain")
            assert (await resp.text()).startswith("Basic authentication with passwords is deprecated.")
            assert resp.headers["WWW-Authenticate"].endswith('%2Fwiki"')
        for url in (f"{api}/user/current", f"{fake.base_url}/api/v2/pages/98305"):
            async with http.get(url) as resp:
                assert resp.status == 401 and resp.headers["Content-Type"].startswith("text/plain")
                assert await resp.text() == "Unauthorized"
    assert [r.identity for r in fake.requests] == ["alice", None, None, None, None]


@DEPLOYMENTS
async def test_session_cookie_wins_over_the_authorization_header(deployment: Deployment) -> None:
    cookie = "cloud.session.token" if deployment == "cloud" else "JSESSIONID"
    async with running(deployment) as (fake, http, api):
        async with http.get(f"{api}/content/98305", headers=as_user(ALICE)) as resp:
            session = resp.cookies[cookie]
            assert session["httponly"] and session["path"] == "/"
        assert fake.session_cookie == cookie and fake.sessions[session.value] == "alice"

        # Bob's request carries Alice's session cookie: the fake answers as Alice, like a careless server
        headers = {**as_user(BOB), "Cookie": f"{cookie}={session.value}"}
        _, me = await get_json(http, f"{api}/user/current", headers=headers)
        assert me["displayName"] == "Alice Example"

        # an unknown session cookie is ignored; the Authorization header decides
        headers = {**as_user(BOB), "Cookie": f"{cookie}=not-a-session"}
        _, me = await get_json(http, f"{api}/user/current", headers=headers)
        assert me["displayName"] == "Bob Example"

        # the other deployment's cookie name means nothing
        other = "JSESSIONID" if deployment == "cloud" else "cloud.session.token"
        async with http.get(f"{api}/user/current", headers={"Cookie": f"{other}={session.value}"}) as resp:
            assert resp.status == 401

    leaked = fake.requests[1]
    assert leaked.headers["authorization"] == as_user(BOB)["Authorization"]
    assert (leaked.identity, leaked.auth_via, leaked.cookie_identity) == ("alice", "cookie", "alice")
    assert (fake.requests[2].identity, fake.requests[2].cookie_identity) == ("bob", None)


@DEPLOYMENTS
async def test_anonymous_read_when_allowed(deployment: Deployment) -> None:
    async with running(deployment, allow_anonymous_read=True) as (fake, http, api):
        async with http.get(f"{api}/content/98307") as resp:
            assert resp.status == 200 and "Set-Cookie" not in resp.headers
        status, found = await get_json(http, f"{api}/content/search", params={"cql": "space = ENG"})
        assert status == 200 and found["size"] == 3
        async with http.get(f"{api}/user/current") as resp:
            assert resp.status == 401
        async with http.get(f"{api}/content/98307", headers=as_user(ConfluenceUser("x", "X", "x@x", "x", "bad"))) as r:
            assert r.status == 401  # present but invalid credentials never fall back to anonymous
        page = {"type": "page", "title": "Anonymous", "space": {"key": "DEMO"}, "body": storage("<p>x</p>")}
        async with http.post(f"{api}/content", json=page) as resp:
            assert resp.status == 401
    assert [r.status for r in fake.requests] == [200, 200, 401, 401, 401]


# ---------------------------------------------------------------------- REST v1 content


@DEPLOYMENTS
async def test_v1_get_content_honours_expand(deployment: Deployment) -> None:
    cloud = deployment == "cloud"
    async with running(deployment) as (fake, http, api):
        status, page = await get_json(http, f"{api}/content/98309", headers=as_user(ALICE))
        assert status == 200
        assert (page["id"], page["type"], page["status"]) == ("98309", "page", "current")
        assert page["title"] == "Environment variables"
        assert {"space", "history", "version"} <= page.keys()  # Confluence's default expansion
        assert "body" not in page and "ancestors" not in page and page["_expandable"]["body"] == ""
        assert page["_links"]["base"] == fake.base_url
        assert page["_links"]["self"] == f"{fake.base_url}/rest/api/content/98309"

        params = {"expand": "body.storage,version,space,ancestors"}
        _, page = await get_json(http, f"{api}/content/98309", params=params, headers=as_user(ALICE))
        assert "history" not in page  # an explicit expand replaces the default one
        assert page["space"]["key"] == "DEMO" and page["space"]["name"] == "Demo space"
        assert page["space"]["id"] == 65601  # a number in v1
        assert page["version"]["number"] == 1 and page["version"]["by"]["displayName"]
        assert [a["title"] for a in page["ancestors"]] == [
            "Demo space Home",
            "Getting started",
            "Configuration reference",
        ]
        body = page["body"]["storage"]
        assert body["representation"] == "storage"
        assert "<table>" in body["value"] and 'ac:name="code"' in body["value"]
        assert "view" not in page["body"] and page["body"]["_expandable"]["view"] == ""
        when = page["version"]["when"]
        assert when.endswith("Z") if cloud else when.endswith("+01:00")
        if cloud:
            assert page["_links"]["webui"] == "/spaces/DEMO/pages/98309/Environment+variables"
            assert page["version"]["by"]["accountId"] == ALICE.account_id
        else:
            assert page["_links"]["webui"] == "/display/DEMO/Environment+variables"
            assert page["version"]["by"]["username"] == "alice"

        # a title with special characters gets the viewpage.action URL on Server
        _, eng = await get_json(http, f"{api}/content/98319", headers=as_user(ALICE))
        expected = "/spaces/ENG/pages/98319/" if cloud else "/pages/viewpage.action?pageId=98319"
        assert eng["_links"]["webui"].startswith(expected)

        # links point to other pages, mentions use the deployment's user reference
        _, notes = await get_json(
            http,
            f"{api}/content/98316",
            params={"expand": "body.storage"},
            headers=as_user(BOB),
        )
        mention = f'ri:account-id="{ALICE.account_id}"' if cloud else 'ri:userkey="'
        assert mention in notes["body"]["storage"]["value"]

        for bad in ("424242", "not-a-number"):
            async with http.get(f"{api}/content/{bad}", headers=as_user(ALICE)) as resp:
                assert resp.status == 404 and resp.headers["Content-Type"] == JSON_TYPE
                error = await resp.json()
            assert error["statusCode"] == 404 and error["reason"] == "Not Found"
            assert error["message"] == f"No content found with id: ContentId{{id={bad}}}"
            assert error["data"]["successful"] is False

        params = {"spaceKey": "DEMO", "title": "installation GUIDE", "expand": "version"}
        _, found = await get_json(http, f"{api}/content", params=params, headers=as_user(ALICE))
        assert [(r["id"], r["version"]["number"]) for r in found["results"]] == [("98307", 2)]
        assert (found["start"], found["limit"], found["size"]) == (0, 25, 1)
        assert found["_links"]["base"] == fake.base_url and "next" not in found["_links"]
        _, found = await get_json(http, f"{api}/content", params={"spaceKey": "ENG"}, headers=as_user(ALICE))
        assert [r["title"] for r in found["results"]] == [
            "Engineering Home",
            "Coding standards",
            "Incident postmortem: API outage",
        ]


@DEPLOYMENTS
async def test_v1_create_update_and_version_conflicts(deployment: Deployment) -> None:
    async with running(deployment) as (fake, http, api):
        auth = as_user(BOB)
        create: dict[str, Any] = {
            "type": "page",
            "title": "Release 2.5 notes",
            "space": {"key": "DEMO"},
            "ancestors": [{"id": "98313"}],
            "body": storage("<h2>Highlights</h2><ul><li>Faster search&nbsp;&mdash; really</li></ul>"),
        }
        async with http.post(f"{api}/content", json=create, headers=auth) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == JSON_TYPE
            page = await resp.json()
        page_id = page["id"]
        assert int(page_id) >= 131073
        assert page["version"]["number"] == 1 and page["space"]["key"] == "DEMO"
        assert page["ancestors"][-1]["id"] == "98313"
        assert page["body"]["storage"]["value"] == create["body"]["storage"]["value"]
        stored = fake.pages[page_id]
        assert (stored["space_key"], stored["parent_id"], stored["version"]) == ("DEMO", "98313", 1)
        assert stored["created_by"] == "bob" and stored["labels"] == []

        async with http.post(f"{api}/content", json={**create, "title": "RELEASE 2.5 notes"}, headers=auth) as resp:
            assert resp.status == 400
            error = await resp.json()
        assert error["statusCode"] == 400
        assert error["message"] == (
            "A page with this title already exists: A page already exists with the title RELEASE 2.5 notes "
            "in the space with key DEMO"
        )
        assert error["data"]["valid"] is False and error["data"]["errors"]

        broken = {**create, "title": "Broken", "body": storage("<p>a <strong>b</p>")}
        async with http.post(f"{api}/content", json=broken, headers=auth) as resp:
            assert resp.status == 400
            assert (await resp.json())["message"].startswith(
                "Error parsing xhtml: Unexpected close tag </p>; expected </strong>."
            )

        update = {
            "id": page_id,
            "type": "page",
            "title": "Release 2.5 notes (final)",
            "version": {"number": 2, "message": "polish"},
            "body": storage("<p>Final.</p>"),
        }
        async with http.put(f"{api}/content/{page_id}", json=update, headers=auth) as resp:
            assert resp.status == 200
            updated = await resp.json()
        assert updated["version"]["number"] == 2 and updated["version"]["message"] == "polish"
        assert updated["title"] == "Release 2.5 notes (final)"
        assert fake.pages[page_id]["body"] == "<p>Final.</p>"

        # the seeded page 98310 is at version 5: resending 5 (or skipping to 7) is a conflict
        stale = {**update, "id": "98310", "title": "Architecture overview", "version": {"number": 5}}
        for number in (5, 7):
            stale["version"] = {"number": number}
            async with http.put(f"{api}/content/98310", json=stale, headers=auth) as resp:
                assert resp.status == 409
                assert await resp.json() == {
                    "statusCode": 409,
                    "data": {
                        "authorized": True,
                        "valid": True,
                        "allowedInReadOnlyMode": True,
                        "errors": [],
                        "successful": False,
                    },
                    "message": "Version must be incremented on update. Current version is: 5",
                    "reason": "Conflict",
                }
        no_version = {k: v for k, v in stale.items() if k != "version"}
        async with http.put(f"{api}/content/98310", json=no_version, headers=auth) as resp:
            assert resp.status == 400
            assert "No version supplied" in (await resp.json())["message"]
        stale["version"] = {"number": 6}
        stale["ancestors"] = [{"id": "98306"}]
        async with http.put(f"{api}/content/98310", json=stale, headers=auth) as resp:
            assert resp.status == 200
        assert fake.pages["98310"]["parent_id"] == "98306" and fake.pages["98310"]["version"] == 6

    assert [(u.page_id, u.api, u.sent_version, u.current_version, u.accepted, u.by) for u in fake.updates] == [
        (page_id, "v1", 2, 1, True, "bob"),
        ("98310", "v1", 5, 5, False, "bob"),
        ("98310", "v1", 7, 5, False, "bob"),
        ("98310", "v1", None, 5, False, "bob"),
        ("98310", "v1", 6, 5, True, "bob"),
    ]
    sent = [r.json["version"]["number"] for r in fake.requests if r.method == "PUT" and "version" in r.json]
    assert sent == [2, 5, 7, 6]


@DEPLOYMENTS
async def test_v1_children_comments_and_labels(deployment: Deployment) -> None:
    async with running(deployment) as (fake, http, api):
        auth = as_user(ALICE)
        titles: list[str] = []
        url: str | None = f"{api}/content/98305/child/page?limit=2"
        while url is not None:
            _, page = await get_json(http, url, headers=auth)
            assert page["limit"] == 2 and page["size"] == len(page["results"])
            titles += [r["title"] for r in page["results"]]
            nxt = page["_links"].get("next")
            url = f"{page['_links']['base']}{nxt}" if nxt else None
        assert titles == ["Getting started", "Architecture overview", "Team processes", "Meeting notes 2026-01-12"]

        params = {"expand": "body.storage,version", "limit": "1"}
        _, comments = await get_json(http, f"{api}/content/98307/child/comment", params=params, headers=auth)
        first = comments["results"][0]
        assert first["type"] == "comment" and first["title"] == "Re: Installation guide"
        assert first["body"]["storage"]["value"].startswith("<p>Works on macOS")
        assert first["version"]["number"] == 1 and "next" in comments["_links"]

        new = {"type": "comment", "container": {"id": "98307", "type": "page"}, "body": storage("<p>+1</p>")}
        async with http.post(f"{api}/content", json=new, headers=as_user(BOB)) as resp:
            assert resp.status == 200
            comment = await resp.json()
        assert comment["type"] == "comment" and comment["container"]["id"] == "98307"
        assert [c["body"] for c in fake.comments["98307"]][-1] == "<p>+1</p>"
        assert fake.comments["98307"][-1]["created_by"] == "bob"
        async with http.post(f"{api}/content", json={**new, "container": {"id": "1"}}, headers=auth) as resp:
            assert resp.status == 404

        _, labels = await get_json(http, f"{api}/content/98307/label", headers=auth)
        assert [(label["prefix"], label["name"]) for label in labels["results"]] == [
            ("global", "howto"),
            ("global", "setup"),
        ]
        add = [{"prefix": "global", "name": "Reviewed"}]
        async with http.post(f"{api}/content/98307/label", json=add, headers=auth) as resp:
            assert resp.status == 200
            assert [label["name"] for label in (await resp.json())["results"]] == ["howto", "setup", "reviewed"]
        async with http.post(f"{api}/content/98307/label", json={"name": "two words"}, headers=auth) as resp:
            assert resp.status == 400
        async with http.delete(f"{api}/content/98307/label/setup", headers=auth) as resp:
            assert resp.status == 204
        assert fake.pages["98307"]["labels"] == ["howto", "reviewed"]


@DEPLOYMENTS
async def test_v1_spaces(deployment: Deployment) -> None:
    async with running(deployment) as (fake, http, api):
        _, spaces = await get_json(http, f"{api}/space", params={"limit": "1"}, headers=as_user(ALICE))
        assert [(s["key"], s["name"], s["type"], s["id"]) for s in spaces["results"]] == [
            ("DEMO", "Demo space", "global", 65601)
        ]
        assert (spaces["start"], spaces["limit"], spaces["size"]) == (0, 1, 1)
        _, rest = await get_json(http, fake.base_url + spaces["_links"]["next"], headers=as_user(ALICE))
        assert [s["key"] for s in rest["results"]] == ["ENG"] and "next" not in rest["_links"]

        _, eng = await get_json(http, f"{api}/space/ENG", params={"expand": "homepage"}, headers=as_user(ALICE))
        assert eng["homepage"]["title"] == "Engineering Home"
        async with http.get(f"{api}/space/NOPE", headers=as_user(ALICE)) as resp:
            assert resp.status == 404 and (await resp.json())["message"] == "No space with key : NOPE"


# ---------------------------------------------------------------------- CQL search


@DEPLOYMENTS
async def test_cql_search_paginates(deployment: Deployment) -> None:
    cloud = deployment == "cloud"
    async with running(deployment) as (fake, http, api):
        cql = "space = DEMO AND type = page ORDER BY lastmodified DESC"
        ids: list[str] = []
        url: str | None = f"{api}/content/search"
        params: dict[str, str] | None = {"cql": cql, "limit": "5", "expand": "version"}
        pages = 0
        while url is not None:
            _, found = await get_json(http, url, params=params, headers=as_user(ALICE))
            pages += 1
            assert found["limit"] == 5 and found["size"] == len(found["results"])
            ids += [r["id"] for r in found["results"]]
            assert all("version" in r for r in found["results"])
            nxt = found["_links"].get("next")
            if nxt:
                assert ("cursor=" in nxt) == cloud
            url, params = (fake.base_url + nxt if nxt else None), None
        assert pages == 3 and len(ids) == 12
        by_modified = sorted(fake.pages.values(), key=lambda p: p["updated"], reverse=True)
        assert ids == [p["id"] for p in by_modified if p["space_key"] == "DEMO"]

        # /rest/api/search: wrapped results, totalSize, highlight markers, cursor or start pagination
        params = {"cql": 'siteSearch ~ "architecture" AND type = page', "limit": "2"}
        _, found = await get_json(http, f"{api}/search", params=params, headers=as_user(ALICE))
        assert found["totalSize"] == 4 and found["size"] == 2
        first = found["results"][0]
        assert first["content"]["title"] == "Demo space Home"
        assert first["resultGlobalContainer"] == {
            "title": "Demo space",
            "displayUrl": "/spaces/DEMO" if cloud else "/display/DEMO",
        }
        assert first["url"] == first["content"]["_links"]["webui"]
        second = found["results"][1]
        assert second["title"] == "@@@hl@@@Architecture@@@endhl@@@ overview"
        assert "@@@hl@@@architecture@@@endhl@@@" in second["excerpt"]
        nxt = found["_links"]["next"]
        query = parse_qs(urlsplit(nxt).query)
        assert urlsplit(nxt).path == "/rest/api/search"
        assert query["cql"] == [params["cql"]] and query["limit"] == ["2"]
        assert ("cursor" in query) == cloud
        _, rest = await get_json(http, fake.base_url + nxt, headers=as_user(ALICE))
        assert [r["content"]["id"] for r in rest["results"]] == ["98311", "98318"]  # label, body
        assert rest["start"] == 2 and "next" not in rest["_links"]


@DEPLOYMENTS
async def test_cql_fields_quotes_and_errors(deployment: Deployment) -> None:
    async with running(deployment) as (_, http, api):

        async def ids(cql: str) -> list[str]:
            _, found = await get_json(http, f"{api}/content/search", params={"cql": cql}, headers=as_user(ALICE))
            return [r["id"] for r in found["results"]]

        assert await ids('text ~ "say \\"hi\\""') == ["98316"]
        assert await ids('text ~ "\\"say hi\\""') == []  # a phrase must occur as such
        assert await ids('title ~ "guide" AND space.key = DEMO') == ["98307", "98320", "98321"]  # "Re: ..." comments
        assert await ids('title ~ "guide" AND type = page') == ["98307"]
        assert await ids('title = "Data model"') == ["98312"]
        assert await ids('label = "reference"') == ["98308", "98309"]
        assert await ids("label in (postmortem, standards) ORDER BY title ASC") == ["98318", "98319"]
        assert await ids("ancestor = 98306") == ["98307", "98308", "98309"]
        assert await ids("parent = 98310 OR id = 98317") == ["98311", "98312", "98317"]
        assert await ids('type = page AND (space = ENG OR title ~ "checklist") AND NOT label = incident') == [
            "98314",
            "98317",
            "98318",
        ]
        assert await ids('text ~ "größe"') == ["98316"]
        assert await ids('text ~ "postgre*" AND type = page') == ["98307", "98309", "98310"]
        assert await ids('type = comment AND text ~ "macOS"') == ["98320"]
        assert await ids('space = DEMO AND text ~ "cache"') == ["98322"]  # comments are content too
        assert await ids("creator = currentUser() AND space = ENG") == ["98317", "98319"]
        assert await ids('lastmodified >= "2026-01-10" AND type = page') == ["98310", "98314"]
        assert await ids("space = NOPE") == []

        for cql in ("type = page AND", 'title ~ "unterminated', "nosuchfield = 1", "type = page ORDER BY nope"):
            async with http.get(f"{api}/content/search", params={"cql": cql}, headers=as_user(ALICE)) as resp:
                assert resp.status == 400
                error = await resp.json()
            assert error["statusCode"] == 400 and error["message"] == f"Could not parse cql : {cql}"
            assert error["data"]["successful"] is False

        params = {"cql": "type = page", "cursor": "bm90LWEtY3Vyc29y"}
        async with http.get(f"{api}/search", params=params, headers=as_user(ALICE)) as resp:
            assert resp.status == 400


# ---------------------------------------------------------------------- Cloud REST v2


async def test_v2_get_create_update_with_conflicts() -> None:
    async with running("cloud") as (fake, http, api):
        v2 = f"{fake.base_url}/api/v2"
        auth = basic(ALICE.email, ALICE.token)
        _, page = await get_json(http, f"{v2}/pages/98307", params={"body-format": "storage"}, headers=auth)
        assert (page["id"], page["title"], page["spaceId"], page["parentId"]) == (
            "98307",
            "Installation guide",
            "65601",
            "98306",
        )
        assert page["version"]["number"] == 2 and page["version"]["authorId"] == BOB.account_id
        assert page["authorId"] == ALICE.account_id and page["createdAt"].endswith("Z")
        assert page["body"]["storage"]["representation"] == "storage"
        assert page["body"]["storage"]["value"].startswith("<h1>Installation guide</h1>")
        assert page["_links"]["webui"] == "/spaces/DEMO/pages/98307/Installation+guide"
        assert page["_links"]["base"] == fake.base_url
        _, bare = await get_json(http, f"{v2}/pages/98307", headers=auth)
        assert bare["body"] == {}

        for bad, status in (("424242", 404), ("abc", 400)):
            async with http.get(f"{v2}/pages/{bad}", headers=auth) as resp:
                assert resp.status == status
                error = (await resp.json())["errors"][0]
            assert error["status"] == status and error["detail"] is None
            assert error["code"] == ("NOT_FOUND" if status == 404 else "INVALID_REQUEST_PARAMETER")

        params = {"space-id": "65601", "title": "Data model", "body-format": "storage"}
        _, found = await get_json(http, f"{v2}/pages", params=params, headers=auth)
        assert [(p["id"], "body" in p) for p in found["results"]] == [("98312", True)]

        create: dict[str, Any] = {
            "spaceId": "DEMO",
            "status": "current",
            "title": "Created through v2",
            "body": {"representation": "storage", "value": "<p>Hello from v2</p>"},
        }
        async with http.post(f"{v2}/pages", json=create, headers=auth) as resp:
            assert resp.status == 400
            error = (await resp.json())["errors"][0]
        assert error["code"] == "INVALID_REQUEST_PARAMETER" and "spaceId" in error["title"]

        create["spaceId"] = "65601"
        async with http.post(f"{v2}/pages", json=create, headers=auth) as resp:
            assert resp.status == 200
            created = await resp.json()
        assert created["parentId"] == "98305"  # without parentId a v2 page goes below the space homepage
        assert created["version"]["number"] == 1 and created["spaceId"] == "65601"
        assert created["body"]["storage"]["value"] == "<p>Hello from v2</p>"
        async with http.post(f"{v2}/pages", json=create, headers=auth) as resp:
            assert resp.status == 400
            assert (await resp.json())["errors"][0]["title"].startswith("A page with this title already exists")

        update = {
            "id": created["id"],
            "status": "current",
            "title": "Created through v2",
            "body": {"representation": "storage", "value": "<p>Edited</p>"},
            "version": {"number": 1, "message": "oops"},
        }
        async with http.put(f"{v2}/pages/{created['id']}", json=update, headers=auth) as resp:
            assert resp.status == 409
            assert await resp.json() == {
                "errors": [
                    {
                        "status": 409,
                        "code": "CONFLICT",
                        "title": "Version number must be incremented on update. Current version is: 1",
                        "detail": None,
                    }
                ]
            }
        update["version"] = {"number": 2, "message": "edit"}
        async with http.put(f"{v2}/pages/{created['id']}", json=update, headers=auth) as resp:
            assert resp.status == 200
            edited = await resp.json()
        assert edited["version"]["number"] == 2 and edited["version"]["message"] == "edit"
        assert fake.pages[created["id"]]["body"] == "<p>Edited</p>"

        # the v1 API on the same Cloud site sees the v2 write
        _, v1 = await get_json(http, f"{api}/content/{created['id']}", params={"expand": "version"}, headers=auth)
        assert v1["version"]["number"] == 2

    assert [(u.api, u.sent_version, u.current_version, u.accepted) for u in fake.updates] == [
        ("v2", 1, 1, False),
        ("v2", 2, 1, True),
    ]


async def test_v2_pagination_children_comments_labels_spaces() -> None:
    async with running("cloud") as (fake, http, _):
        v2 = f"{fake.base_url}/api/v2"
        auth = as_user(ALICE)
        titles: list[str] = []
        url: str | None = f"{v2}/pages?space-id=65601&limit=5"
        while url is not None:
            async with http.get(url, headers=auth) as resp:
                assert resp.status == 200
                link = resp.headers.get("Link")
                data = await resp.json()
            titles += [p["title"] for p in data["results"]]
            assert data["_links"]["base"] == fake.base_url
            nxt = data["_links"].get("next")
            if nxt:
                assert nxt.startswith("/wiki/api/v2/pages?") and "cursor=" in nxt
                assert link == f'<{nxt}>; rel="next", <{fake.base_url}>; rel="base"'
            else:
                assert link is None
            url = fake.url + nxt if nxt else None  # v2 next links are relative to the host, not the base
        assert len(titles) == 12 and titles[0] == "Demo space Home"

        _, children = await get_json(http, f"{v2}/pages/98305/children", headers=auth)
        assert [c["title"] for c in children["results"]] == [
            "Getting started",
            "Architecture overview",
            "Team processes",
            "Meeting notes 2026-01-12",
        ]
        _, ancestors = await get_json(http, f"{v2}/pages/98309/ancestors", headers=auth)
        assert ancestors["results"] == [
            {"id": "98305", "type": "page"},
            {"id": "98306", "type": "page"},
            {"id": "98308", "type": "page"},
        ]

        params = {"body-format": "storage"}
        _, comments = await get_json(http, f"{v2}/pages/98307/footer-comments", params=params, headers=auth)
        assert [c["id"] for c in comments["results"]] == ["98320", "98321"]
        assert comments["results"][0]["body"]["storage"]["value"].startswith("<p>Works on macOS")
        assert comments["results"][0]["pageId"] == "98307"
        body = {"pageId": "98310", "body": {"representation": "storage", "value": "<p>Yes, add it.</p>"}}
        async with http.post(f"{v2}/footer-comments", json=body, headers=auth) as resp:
            assert resp.status == 201
            comment = await resp.json()
        assert comment["pageId"] == "98310" and comment["version"]["authorId"] == ALICE.account_id
        assert [c["body"] for c in fake.comments["98310"]][-1] == "<p>Yes, add it.</p>"

        _, labels = await get_json(http, f"{v2}/pages/98319/labels", headers=auth)
        assert [(label["name"], label["prefix"]) for label in labels["results"]] == [
            ("postmortem", "global"),
            ("incident", "global"),
        ]

        _, spaces = await get_json(http, f"{v2}/spaces", params={"keys": "ENG"}, headers=auth)
        assert [(s["id"], s["key"], s["name"], s["type"]) for s in spaces["results"]] == [
            ("65602", "ENG", "Engineering", "global")
        ]
        assert spaces["results"][0]["homepageId"] == "98317"
        _, spaces = await get_json(http, f"{v2}/spaces", params={"keys": "NOPE"}, headers=auth)
        assert spaces["results"] == []
        _, space = await get_json(http, f"{v2}/spaces/65601", headers=auth)
        assert space["key"] == "DEMO"

        async with http.get(f"{v2}/pages", params={"cursor": "forged"}, headers=auth) as resp:
            assert resp.status == 400 and (await resp.json())["errors"][0]["status"] == 400
        async with http.get(f"{v2}/pages", params={"limit": "1000"}, headers=auth) as resp:
            assert resp.status == 400


# ---------------------------------------------------------------------- faults, deprecations, storage format


async def test_faults_take_the_shape_of_the_api() -> None:
    async with running("cloud") as (fake, http, api):
        fake.add_fault(Fault(500, path_contains="/api/v2/pages/98305"))
        fake.add_fault(Fault(503, path_contains="/rest/api/content/98305"))
        fake.add_fault(Fault(401, path_contains="/user/current"))
        fake.add_fault(Fault(429, headers={"Retry-After": "3"}, path_contains="/rest/api/search"))

        async with http.get(f"{fake.base_url}/api/v2/pages/98305", headers=as_user(ALICE)) as resp:
            assert resp.status == 500
            assert (await resp.json())["errors"][0]["code"] == "INTERNAL_SERVER_ERROR"
        async with http.get(f"{api}/content/98305", headers=as_user(ALICE)) as resp:
            assert resp.status == 503 and (await resp.json())["statusCode"] == 503
        async with http.get(f"{api}/user/current", headers=as_user(ALICE)) as resp:
            assert resp.status == 401 and await resp.text() == "Unauthorized"
        async with http.get(f"{api}/search", params={"cql": "type = page"}, headers=as_user(ALICE)) as resp:
            assert resp.status == 429 and resp.headers["Retry-After"] == "3"
        assert fake.faults == []
    assert [r.status for r in fake.requests] == [500, 503, 401, 429]
    assert all(r.identity == "alice" for r in fake.requests)


async def test_cloud_v1_content_can_be_gone() -> None:
    async with running("cloud") as (fake, http, api):
        fake.v1_content_gone = True
        async with http.get(f"{api}/content/98305", headers=as_user(ALICE)) as resp:
            assert resp.status == 410 and "v2" in (await resp.json())["message"]
        status, _ = await get_json(http, f"{api}/search", params={"cql": "type = page"}, headers=as_user(ALICE))
        assert status == 200  # v1 search keeps working


def test_storage_format_checks() -> None:
    fake = FakeConfluence("cloud", [ALICE, BOB])
    assert all(storage_error(p["body"]) is None for p in fake.pages.values())
    assert all(storage_error(c["body"]) is None for cs in fake.comments.values() for c in cs)
    assert storage_error('<p>a&nbsp;b &hellip; <ac:emoticon ac:name="smile" /></p>') is None
    assert storage_error("<p>unclosed") == (
        "Error parsing xhtml: Unexpected end of input; expected </p>.\n at [row,col {unknown-source}]: [1,12]"
    )
    assert (storage_error("<p>a & b</p>") or "").startswith("Error parsing xhtml: not well-formed")
    assert plain_text("<p>x &lt;y&gt;</p><ac:plain-text-body><![CDATA[a < b]]></ac:plain-text-body>") == "x <y> a < b"
    fake.validate_storage = False
    assert fake.state.check_storage("<p>not closed") == "<p>not closed"
