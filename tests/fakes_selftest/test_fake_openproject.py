"""Self-test of the fake OpenProject: it must behave like OpenProject where the server under test depends on it."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from tests.fakes import FakeOpenProject, Fault, OpenProjectUser

ALICE = OpenProjectUser(4, "alice", "Alice Example", "alice@example.com", "alice-api-key-0001")
BOB = OpenProjectUser(5, "bob", "Bob Example", "bob@example.com", "bob-api-key-0002")
HAL = "application/hal+json; charset=utf-8"
URN = "urn:openproject-org:api:v3:errors:"
WRONG_CREDENTIALS = {
    "_type": "Error",
    "errorIdentifier": URN + "Unauthenticated",
    "message": "You did not provide the correct credentials.",
}
NO_CREDENTIALS = {**WRONG_CREDENTIALS, "message": "You need to be authenticated to access this resource."}
CONFLICT = {
    "_type": "Error",
    "errorIdentifier": URN + "UpdateConflict",
    "message": "Couldn't update the resource because of conflicting modifications.",
}
CLOSED_SEEDS = {2, 8, 14, 24, 29}  # Closed or Rejected


def apikey(key: str, login: str = "apikey") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{key}".encode()).decode()}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


ALICE_AUTH = apikey(ALICE.api_key)
BOB_AUTH = apikey(BOB.api_key)


def filters(*items: dict[str, Any]) -> str:
    return json.dumps(list(items))


@asynccontextmanager
async def running(**options: Any) -> AsyncIterator[tuple[FakeOpenProject, aiohttp.ClientSession, str]]:
    """A served fake, a cookie-less client session, and the API base URL."""
    fake = FakeOpenProject([ALICE, BOB], **options)
    async with fake.serve() as url, aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        yield fake, http, f"{url}/api/v3"


async def get_json(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with http.get(url, **kwargs) as resp:
        return resp.status, await resp.json()


async def test_auth_with_api_key_basic_and_bearer() -> None:
    async with running() as (fake, http, api):
        async with http.get(f"{api}/users/me", headers=ALICE_AUTH) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == HAL
            me = await resp.json()
        assert me["_type"] == "User" and me["id"] == 4 and me["login"] == "alice"
        assert (me["name"], me["firstName"], me["lastName"]) == ("Alice Example", "Alice", "Example")
        # the first configured user is the instance's administrator, the others are not
        assert me["email"] == "alice@example.com" and me["admin"] is True and me["status"] == "active"
        assert me["_links"]["self"] == {"href": "/api/v3/users/4", "title": "Alice Example"}

        status, me = await get_json(http, f"{api}/users/me", headers=bearer(BOB.api_key))
        assert status == 200 and me["login"] == "bob" and me["admin"] is False

        for headers in (
            apikey("wrong"),
            apikey(ALICE.api_key, login="alice"),  # API v3 wants the literal user name "apikey"
            bearer("wrong"),
            {"Authorization": "Basic !!not-base64!!"},
        ):
            async with http.get(f"{api}/users/me", headers=headers) as resp:
                assert resp.status == 401 and resp.headers["Content-Type"] == HAL
                assert await resp.json() == WRONG_CREDENTIALS
                assert 'realm="OpenProject API"' in resp.headers["WWW-Authenticate"]
                assert "Set-Cookie" not in resp.headers

        async with http.get(f"{api}/work_packages") as resp:
            assert resp.status == 401 and await resp.json() == NO_CREDENTIALS

    assert [(r.identity, r.auth_via, r.status) for r in fake.requests] == [
        ("alice", "basic", 200),
        ("bob", "bearer", 200),
        (None, None, 401),
        (None, None, 401),
        (None, None, 401),
        (None, None, 401),
        (None, None, 401),
    ]


async def test_anonymous_access_and_bad_keys() -> None:
    async with running(allow_anonymous=True) as (fake, http, api):
        async with http.get(f"{api}/users/me") as resp:
            assert resp.status == 200 and "Set-Cookie" not in resp.headers
            me = await resp.json()
        assert me["_type"] == "User" and me["name"] == "Anonymous" and me["id"] == fake.anonymous_user_id
        assert me["login"] == "" and "email" not in me
        status, page = await get_json(http, f"{api}/work_packages")
        assert status == 200 and page["total"] == 25

        # a wrong key is an error even though anonymous access is allowed
        async with http.get(f"{api}/users/me", headers=apikey("wrong")) as resp:
            assert resp.status == 401 and await resp.json() == WRONG_CREDENTIALS
        # the Anonymous user may read, not write
        async with http.post(f"{api}/work_packages/1/activities", json={"comment": {"raw": "hi"}}) as resp:
            assert resp.status == 403
            assert (await resp.json())["errorIdentifier"] == URN + "MissingPermission"
        assert len(fake.activities[1]) == 3

    async with running(allow_anonymous=True, bad_key_falls_back_to_anonymous=True) as (fake, http, api):
        status, me = await get_json(http, f"{api}/users/me", headers=apikey("wrong"))
        assert status == 200 and me["name"] == "Anonymous"
        status, me = await get_json(http, f"{api}/users/me", headers=ALICE_AUTH)
        assert status == 200 and me["login"] == "alice"
        recorded = fake.requests[0]
        assert (recorded.identity, recorded.auth_via) == (None, "anonymous_fallback")

    async with running(bad_key_falls_back_to_anonymous=True) as (_, http, api):
        status, body = await get_json(http, f"{api}/users/me", headers=apikey("wrong"))
        assert status == 401 and body == NO_CREDENTIALS  # anonymous, but anonymous access is off


async def test_session_cookie_wins_over_the_authorization_header() -> None:
    async with running() as (fake, http, api):
        async with http.get(f"{api}/users/me", headers=ALICE_AUTH) as resp:
            session = resp.cookies["_open_project_session"]
        assert session["httponly"] and session["path"] == "/"
        assert fake.sessions[session.value] == "alice"

        leaked = {**BOB_AUTH, "Cookie": f"_open_project_session={session.value}"}
        status, me = await get_json(http, f"{api}/users/me", headers=leaked)
        assert status == 200 and me["login"] == "alice"  # a careless server answers as the cookie's user
        body = {"lockVersion": fake.work_packages[3]["lockVersion"], "subject": "Renamed through a leaked cookie"}
        async with http.patch(f"{api}/work_packages/3", json=body, headers=leaked) as resp:
            assert resp.status == 200
        assert fake.updates[-1]["by"] == "alice"
        assert fake.activities[3][-1]["user"] == ALICE.id

        unknown = {**BOB_AUTH, "Cookie": "_open_project_session=0123456789abcdef"}
        status, me = await get_json(http, f"{api}/users/me", headers=unknown)
        assert me["login"] == "bob"

    cookie_request = fake.requests[1]
    assert cookie_request.headers["authorization"] == BOB_AUTH["Authorization"]
    assert (cookie_request.identity, cookie_request.auth_via, cookie_request.cookie_identity) == (
        "alice",
        "cookie",
        "alice",
    )
    assert (fake.requests[3].identity, fake.requests[3].cookie_identity) == ("bob", None)


async def test_work_package_filters_pagination_and_sorting() -> None:
    async with running() as (fake, http, api):
        # without a filters parameter only open work packages are listed (OpenProject's default filter)
        status, page = await get_json(http, f"{api}/work_packages", headers=ALICE_AUTH)
        assert status == 200 and page["_type"] == "WorkPackageCollection"
        assert (page["total"], page["count"], page["pageSize"], page["offset"]) == (25, 20, 20, 1)
        assert "nextByOffset" in page["_links"] and "previousByOffset" not in page["_links"]

        # offset is a 1-based page number
        ids: list[int] = []
        offset = 1
        while True:
            params = {"filters": "[]", "offset": str(offset), "pageSize": "7"}
            status, page = await get_json(http, f"{api}/work_packages", params=params, headers=ALICE_AUTH)
            assert page["total"] == 30 and page["offset"] == offset and page["pageSize"] == 7
            ids += [wp["id"] for wp in page["_embedded"]["elements"]]
            assert ("previousByOffset" in page["_links"]) == (offset > 1)
            if "nextByOffset" not in page["_links"]:
                break
            assert page["_links"]["nextByOffset"]["href"].endswith(f"offset={offset + 1}&pageSize=7")
            offset += 1
        assert ids == list(range(1, 31)) and offset == 5
        status, page = await get_json(
            http, f"{api}/work_packages", params={"filters": "[]", "offset": "9"}, headers=ALICE_AUTH
        )
        assert page["total"] == 30 and page["count"] == 0 and page["_embedded"]["elements"] == []

        async def found(raw_filters: str, **extra: str) -> list[int]:
            params = {"filters": raw_filters, "pageSize": "100", **extra}
            status, page = await get_json(http, f"{api}/work_packages", params=params, headers=ALICE_AUTH)
            assert status == 200, page
            assert page["total"] == page["count"]
            return [wp["id"] for wp in page["_embedded"]["elements"]]

        closed = await found(filters({"status": {"operator": "c", "values": []}}))
        assert set(closed) == CLOSED_SEEDS
        open_demo = await found(
            filters({"status": {"operator": "o", "values": []}}, {"project": {"operator": "=", "values": ["1"]}})
        )
        assert len(open_demo) == 17 and not set(open_demo) & CLOSED_SEEDS
        mine = await found(filters({"assignee": {"operator": "=", "values": ["me"]}}))
        assert mine == [1, 4, 7, 10, 13, 16, 19, 22, 25, 28]
        assert await found(filters({"assignee": {"operator": "=", "values": [str(BOB.id)]}})) == [2, 12, 17, 27]
        assert await found(filters({"subjectOrId": {"operator": "**", "values": ["password"]}})) == [5, 10]
        assert await found(filters({"subject_or_id": {"operator": "**", "values": ["#12"]}})) == [12]
        assert await found(filters({"search": {"operator": "**", "values": ["staging.example.com"]}})) == [24]
        assert await found(filters({"subject": {"operator": "~", "values": ["LOGIN"]}})) == [5]
        all_bugs = filters({"type": {"operator": "=", "values": ["7"]}}, {"status": {"operator": "*", "values": []}})
        assert await found(all_bugs) == [5, 8, 12, 15, 19, 25, 29]

        by_update = await found("[]", sortBy=json.dumps([["updatedAt", "desc"]]))
        stamps = [fake.work_packages[i]["updatedAt"] for i in by_update]
        assert len(by_update) == 30 and stamps == sorted(stamps, reverse=True)
        fake.touch(2, subject="Create a project plan (v2)")
        assert (await found("[]", sortBy='[["updated_at","desc"]]'))[0] == 2

        status, scrum = await get_json(
            http, f"{api}/projects/scrum-project/work_packages", params={"filters": "[]"}, headers=ALICE_AUTH
        )
        assert scrum["total"] == 10 and {wp["_links"]["project"]["title"] for wp in scrum["_embedded"]["elements"]} == {
            "Scrum project"
        }
        assert scrum["_links"]["self"]["href"].startswith("/api/v3/projects/scrum-project/work_packages?")

        for raw, message in (
            ("{not json", None),
            (filters({"colour": {"operator": "=", "values": ["1"]}}), "Filters Colour does not exist."),
            (filters({"project": {"operator": "=", "values": ["demo-project"]}}), None),
            (filters({"status": {"values": ["1"]}}), "Operator can't be blank."),
            (filters({"status": {"operator": "~", "values": ["x"]}}), None),
        ):
            status, body = await get_json(http, f"{api}/work_packages", params={"filters": raw}, headers=ALICE_AUTH)
            assert status == 400 and body["_type"] == "Error"
            assert body["errorIdentifier"] == URN + "InvalidQuery"
            if message is not None:
                assert body["message"] == message
        status, body = await get_json(
            http, f"{api}/work_packages", params={"sortBy": '[["colour","asc"]]'}, headers=ALICE_AUTH
        )
        assert status == 400 and body["errorIdentifier"] == URN + "InvalidQuery"


async def test_projects_and_catalogs() -> None:
    async with running() as (_, http, api):
        status, page = await get_json(http, f"{api}/projects", headers=ALICE_AUTH)
        assert status == 200 and page["_type"] == "Collection" and page["total"] == 2
        demo, scrum = page["_embedded"]["elements"]
        assert (demo["id"], demo["identifier"], demo["name"], demo["active"]) == (
            1,
            "demo-project",
            "Demo project",
            True,
        )
        assert scrum["identifier"] == "scrum-project" and scrum["description"]["format"] == "markdown"
        assert demo["_links"]["self"] == {"href": "/api/v3/projects/1", "title": "Demo project"}
        by_name = filters({"name_and_identifier": {"operator": "~", "values": ["scrum"]}})
        status, page = await get_json(http, f"{api}/projects", params={"filters": by_name}, headers=ALICE_AUTH)
        assert [p["id"] for p in page["_embedded"]["elements"]] == [2]

        status, project = await get_json(http, f"{api}/projects/demo-project", headers=ALICE_AUTH)
        assert project["id"] == 1
        status, body = await get_json(http, f"{api}/projects/nope", headers=ALICE_AUTH)
        assert status == 404 and body["errorIdentifier"] == URN + "NotFound"

        status, statuses = await get_json(http, f"{api}/statuses", headers=ALICE_AUTH)
        names = {s["name"]: s for s in statuses["_embedded"]["elements"]}
        assert {"New", "In progress", "On hold", "Rejected", "Closed"} <= names.keys()
        assert names["Closed"]["isClosed"] and names["Rejected"]["isClosed"] and not names["On hold"]["isClosed"]
        assert names["New"]["isDefault"] and names["In progress"]["_links"]["self"]["href"] == "/api/v3/statuses/7"

        status, types = await get_json(http, f"{api}/types", headers=ALICE_AUTH)
        assert [t["name"] for t in types["_embedded"]["elements"]] == [
            "Task",
            "Milestone",
            "Phase",
            "Feature",
            "Epic",
            "User story",
            "Bug",
        ]
        status, scrum_types = await get_json(http, f"{api}/projects/2/types", headers=ALICE_AUTH)
        assert "Phase" not in {t["name"] for t in scrum_types["_embedded"]["elements"]}
        status, priorities = await get_json(http, f"{api}/priorities", headers=ALICE_AUTH)
        assert [p["name"] for p in priorities["_embedded"]["elements"]] == ["Low", "Normal", "High", "Immediate"]


async def test_work_package_shape() -> None:
    async with running() as (fake, http, api):
        status, wp = await get_json(http, f"{api}/work_packages/1", headers=ALICE_AUTH)
        assert status == 200 and wp["_type"] == "WorkPackage" and wp["id"] == 1
        assert wp["lockVersion"] == fake.work_packages[1]["lockVersion"] == 1
        assert (
            wp["description"]["raw"].startswith("## Goal")
            and '<h2 class="op-uc-h2">Goal</h2>' in (wp["description"]["html"])
        )
        links = wp["_links"]
        assert links["self"] == {"href": "/api/v3/work_packages/1", "title": "Project kick-off"}
        assert links["status"] == {"href": "/api/v3/statuses/7", "title": "In progress"}
        assert links["assignee"] == {"href": "/api/v3/users/4", "title": "Alice Example"}
        assert links["addComment"]["href"] == "/api/v3/work_packages/1/activities"
        assert links["updateImmediately"]["method"] == "patch"

        status, unassigned = await get_json(http, f"{api}/work_packages/3", headers=ALICE_AUTH)
        assert unassigned["_links"]["assignee"] == {"href": None}
        assert "date" in unassigned and "startDate" not in unassigned  # a milestone has a single date

        status, body = await get_json(http, f"{api}/work_packages/999", headers=ALICE_AUTH)
        assert status == 404 and body == {
            "_type": "Error",
            "errorIdentifier": URN + "NotFound",
            "message": "The work package you are looking for cannot be found or has been deleted.",
        }


async def test_create_work_package() -> None:
    async with running() as (fake, http, api):
        body = {
            "subject": "Created by the self-test",
            "description": {"raw": "Steps:\n\n1. *open*\n2. close"},
            "_links": {
                "project": {"href": "/api/v3/projects/1"},
                "type": {"href": "/api/v3/types/7"},
                "assignee": {"href": f"/api/v3/users/{BOB.id}"},
                "priority": {"href": "/api/v3/priorities/9"},
            },
        }
        async with http.post(f"{api}/work_packages", json=body, headers=ALICE_AUTH) as resp:
            assert resp.status == 201 and resp.headers["Content-Type"] == HAL
            created = await resp.json()
        assert created["id"] == 31 and created["lockVersion"] == 0 and created["subject"] == "Created by the self-test"
        assert "<em>open</em>" in created["description"]["html"]
        assert created["_links"]["type"]["title"] == "Bug" and created["_links"]["status"]["title"] == "New"
        assert created["_links"]["author"]["title"] == "Alice Example"
        assert created["_links"]["assignee"]["title"] == "Bob Example"
        assert fake.work_packages[31]["author"] == ALICE.id and fake.work_packages[31]["priority"] == 9

        scoped = {"subject": "Scoped create"}
        async with http.post(f"{api}/projects/scrum-project/work_packages", json=scoped, headers=ALICE_AUTH) as resp:
            assert resp.status == 201
            assert (await resp.json())["_links"]["type"]["title"] == "Task"  # the project's first type

        missing_subject = {"_links": {"project": {"href": "/api/v3/projects/1"}}}
        async with http.post(f"{api}/work_packages", json=missing_subject, headers=ALICE_AUTH) as resp:
            assert resp.status == 422
            assert await resp.json() == {
                "_type": "Error",
                "errorIdentifier": URN + "PropertyConstraintViolation",
                "message": "Subject can't be blank.",
                "_embedded": {"details": {"attribute": "subject"}},
            }

        async with http.post(f"{api}/work_packages", json={"subject": " "}, headers=ALICE_AUTH) as resp:
            assert resp.status == 422
            multiple = await resp.json()
        assert multiple["errorIdentifier"] == URN + "MultipleErrors"
        assert multiple["message"] == "Multiple field constraints have been violated."
        errors = multiple["_embedded"]["errors"]
        assert [(e["_embedded"]["details"]["attribute"], e["message"]) for e in errors] == [
            ("subject", "Subject can't be blank."),
            ("project", "Project can't be blank."),
        ]
        assert all(e["errorIdentifier"] == URN + "PropertyConstraintViolation" for e in errors)

        phase_in_scrum = {"subject": "x", "_links": {"type": {"href": "/api/v3/types/3"}}}
        async with http.post(f"{api}/projects/2/work_packages", json=phase_in_scrum, headers=ALICE_AUTH) as resp:
            assert resp.status == 422
            assert (await resp.json())["_embedded"]["details"]["attribute"] == "type"

        async with http.post(
            f"{api}/work_packages", data=b"{nope", headers={**ALICE_AUTH, "Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 400
            assert (await resp.json())["errorIdentifier"] == URN + "InvalidRequestBody"
        assert len(fake.work_packages) == 32


async def test_patch_with_lock_version_and_conflicts() -> None:
    async with running() as (fake, http, api):
        status, wp = await get_json(http, f"{api}/work_packages/5", headers=ALICE_AUTH)
        assert status == 200
        version = wp["lockVersion"]
        change = {
            "lockVersion": version,
            "subject": "Login page returns 500 on an empty password (fixed)",
            "_links": {"status": {"href": "/api/v3/statuses/7"}, "assignee": {"href": None}},
        }
        async with http.patch(f"{api}/work_packages/5", json=change, headers=ALICE_AUTH) as resp:
            assert resp.status == 200
            updated = await resp.json()
        assert updated["lockVersion"] == version + 1
        assert updated["_links"]["status"]["title"] == "In progress" and updated["_links"]["assignee"] == {"href": None}
        details = [d["raw"] for d in fake.activities[5][-1]["details"]]
        assert details == [
            "Subject changed from Login page returns 500 on an empty password to "
            "Login page returns 500 on an empty password (fixed)",
            "Status changed from New to In progress",
        ]

        # sending the same (now stale) lockVersion again is a conflict
        async with http.patch(f"{api}/work_packages/5", json=change, headers=ALICE_AUTH) as resp:
            assert resp.status == 409 and await resp.json() == CONFLICT

        # someone else changes it in between
        fake.touch(5, by="bob", status="On hold", comment="Waiting for the vendor")
        assert fake.work_packages[5]["lockVersion"] == version + 2
        assert fake.activities[5][-1]["details"][0]["raw"] == "Status changed from In progress to On hold"
        stale = {"lockVersion": version + 1, "subject": "Mine"}
        async with http.patch(f"{api}/work_packages/5", json=stale, headers=BOB_AUTH) as resp:
            assert resp.status == 409 and await resp.json() == CONFLICT
        async with http.patch(f"{api}/work_packages/5", json={"subject": "No lock"}, headers=BOB_AUTH) as resp:
            assert resp.status == 409  # OpenProject requires the lockVersion
        assert fake.work_packages[5]["subject"].endswith("(fixed)")

        # an unchanged PATCH succeeds without bumping the version
        async with http.patch(f"{api}/work_packages/5", json={"lockVersion": version + 2}, headers=BOB_AUTH) as resp:
            assert resp.status == 200 and (await resp.json())["lockVersion"] == version + 2

        blank = {"lockVersion": version + 2, "subject": ""}
        async with http.patch(f"{api}/work_packages/5", json=blank, headers=BOB_AUTH) as resp:
            assert resp.status == 422
            assert (await resp.json())["_embedded"]["details"]["attribute"] == "subject"

        # a milestone's workflow does not allow "In progress"
        milestone = {"lockVersion": 0, "_links": {"status": {"href": "/api/v3/statuses/7"}}}
        async with http.patch(f"{api}/work_packages/3", json=milestone, headers=BOB_AUTH) as resp:
            assert resp.status == 422
            assert (await resp.json())["_embedded"]["details"]["attribute"] == "status"

        assert [(u["work_package"], u["lockVersion"], u["current"], u["by"], u["status"]) for u in fake.updates] == [
            (5, version, version, "alice", 200),
            (5, version, version + 1, "alice", 409),
            (5, version + 1, version + 2, "bob", 409),
            (5, None, version + 2, "bob", 409),
            (5, version + 2, version + 2, "bob", 200),
            (5, version + 2, version + 2, "bob", 422),
            (3, 0, 0, "bob", 422),
        ]
        with pytest.raises(KeyError):
            fake.touch(999)
        with pytest.raises(KeyError):
            fake.touch(5, status="Nonexistent")


async def test_comments_and_activities() -> None:
    async with running() as (fake, http, api):
        lock = fake.work_packages[2]["lockVersion"]
        status, page = await get_json(http, f"{api}/work_packages/2/activities", headers=ALICE_AUTH)
        assert page["_type"] == "Collection" and page["total"] == 3
        kinds = [(a["_type"], a["version"]) for a in page["_embedded"]["elements"]]
        assert kinds == [("Activity", 1), ("Activity", 2), ("Activity::Comment", 3)]
        closing = page["_embedded"]["elements"][2]
        assert closing["details"][0]["raw"] == "Status changed from In progress to Closed"
        assert closing["details"][0]["format"] == "custom"
        assert closing["comment"]["raw"].startswith("Plan is done")
        assert closing["_links"]["user"] == {"href": "/api/v3/users/5", "title": "Bob Example"}

        comment = {"comment": {"raw": "Looks **good** to me"}}
        async with http.post(f"{api}/work_packages/2/activities", json=comment, headers=ALICE_AUTH) as resp:
            assert resp.status == 201
            created = await resp.json()
        assert created["_type"] == "Activity::Comment" and created["version"] == 4
        assert created["comment"]["html"] == '<p class="op-uc-p">Looks <strong>good</strong> to me</p>'
        assert created["_links"]["user"]["title"] == "Alice Example"
        assert fake.work_packages[2]["lockVersion"] == lock  # a comment does not bump the lock version
        status, same = await get_json(http, f"{api}/activities/{created['id']}", headers=ALICE_AUTH)
        assert status == 200 and same == created

        async with http.post(f"{api}/work_packages/2/activities", json={"comment": {}}, headers=ALICE_AUTH) as resp:
            assert resp.status == 422
        async with http.post(f"{api}/work_packages/404/activities", json=comment, headers=ALICE_AUTH) as resp:
            assert resp.status == 404


async def test_content_type_rule() -> None:
    async with running() as (fake, http, api):
        url = f"{api}/work_packages/1/activities"
        payload = json.dumps({"comment": {"raw": "x"}}).encode()
        async with http.post(url, data=payload, headers=ALICE_AUTH, skip_auto_headers=["Content-Type"]) as resp:
            assert resp.status == 406 and resp.headers["Content-Type"].startswith("text/plain")
            assert await resp.text() == "Missing content-type header"
        async with http.post(url, data=payload, headers={**ALICE_AUTH, "Content-Type": "text/plain"}) as resp:
            assert resp.status == 415
            assert await resp.json() == {
                "_type": "Error",
                "errorIdentifier": URN + "TypeNotSupported",
                "message": "Expected CONTENT-TYPE to be 'application/json application/hal+json' but got 'text/plain'.",
            }
        patch = json.dumps({"lockVersion": 1, "subject": "x"}).encode()
        async with http.patch(f"{api}/work_packages/1", data=patch, headers=ALICE_AUTH) as resp:
            assert resp.status == 415  # aiohttp labels raw bytes application/octet-stream
        hal_type = {**ALICE_AUTH, "Content-Type": "application/hal+json"}
        async with http.post(url, data=payload, headers=hal_type) as resp:
            assert resp.status == 201
        # authentication is checked first
        async with http.post(url, data=payload, skip_auto_headers=["Content-Type"]) as resp:
            assert resp.status == 401
        assert fake.work_packages[1]["subject"] == "Project kick-off"


async def test_unknown_routes_and_faults() -> None:
    async with running() as (fake, http, api):
        status, body = await get_json(http, f"{api}/nothing/here", headers=ALICE_AUTH)
        assert status == 404 and body == {
            "_type": "Error",
            "errorIdentifier": URN + "NotFound",
            "message": "The requested resource could not be found.",
        }
        async with http.get(f"{api}/nothing/here") as resp:
            assert resp.status == 401
        async with http.put(f"{api}/work_packages/1", headers=ALICE_AUTH) as resp:  # API v3 has no PUT
            assert resp.status == 405

        fake.add_fault(Fault(503, path_contains="/work_packages"))
        fake.add_fault(Fault(429, headers={"Retry-After": "3"}, path_contains="/projects"))
        async with http.get(f"{api}/work_packages", headers=ALICE_AUTH) as resp:
            assert resp.status == 503 and resp.headers["Content-Type"] == HAL
            assert (await resp.json())["_type"] == "Error"
        async with http.get(f"{api}/projects", headers=ALICE_AUTH) as resp:
            assert resp.status == 429 and resp.headers["Retry-After"] == "3"
            assert (await resp.json())["errorIdentifier"] == URN + "TooManyRequests"
        async with http.get(f"{api}/work_packages", headers=ALICE_AUTH) as resp:
            assert resp.status == 200
        assert fake.faults == []
    assert [r.status for r in fake.requests_to("/work_packages")] == [405, 503, 200]
