"""Self-test of the fake ClickUp: it must behave like ClickUp API v2 where the server under test depends on it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from passthrough.sandbox.fakes.clickup import personal_token
from tests.fakes import ClickUpUser, FakeClickUp, Fault

ANNA = ClickUpUser(81001, "Anna Admin", "anna@example.com", personal_token(81001, "anna"), oauth_token="oauth-anna-1")
OTTO = ClickUpUser(81002, "Otto Other", "otto@example.com", personal_token(81002, "otto"))


@pytest.fixture
async def http() -> AsyncIterator[tuple[FakeClickUp, httpx.AsyncClient]]:
    fake = FakeClickUp([ANNA, OTTO])
    async with fake.serve() as url, httpx.AsyncClient(base_url=url + "/api/v2") as client:
        yield fake, client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": token}


async def test_personal_tokens_go_bare_and_oauth_tokens_as_bearer(http: tuple[FakeClickUp, httpx.AsyncClient]) -> None:
    fake, client = http
    assert ANNA.token.startswith("pk_81001_") and len(ANNA.token) == len("pk_81001_") + 32
    mine = await client.get("/user", headers=auth(ANNA.token))
    assert mine.status_code == 200 and mine.json()["user"]["username"] == "Anna Admin"
    assert fake.requests[-1].auth_via == "personal" and fake.requests[-1].identity == "Anna Admin"
    oauth = await client.get("/user", headers=auth("Bearer oauth-anna-1"))
    assert oauth.json()["user"]["id"] == ANNA.id and fake.requests[-1].auth_via == "oauth"
    assert "set-cookie" not in mine.headers, "ClickUp's API keeps no session"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, {"err": "Authorization header required", "ECODE": "OAUTH_017"}),
        (auth("pk_81001_WRONGWRONGWRONGWRONGWRONGWRONGWR"), {"err": "Token invalid", "ECODE": "OAUTH_025"}),
        (auth("Bearer not-a-token"), {"err": "Oauth token not found", "ECODE": "OAUTH_019"}),
        (auth(f"Bearer {ANNA.token}"), {"err": "Oauth token not found", "ECODE": "OAUTH_019"}),
    ],
)
async def test_auth_errors_have_clickups_shape(
    http: tuple[FakeClickUp, httpx.AsyncClient], headers: dict[str, str], body: dict[str, str]
) -> None:
    _, client = http
    answer = await client.get("/user", headers=headers)
    assert answer.status_code == 401 and answer.json() == body
    assert answer.headers["content-type"].startswith("application/json")


async def test_every_answer_carries_rate_limit_headers_and_the_limit_is_per_token() -> None:
    fake = FakeClickUp([ANNA, OTTO], rate_limit=3)
    async with fake.serve() as url, httpx.AsyncClient(base_url=url + "/api/v2") as client:
        answers = [await client.get("/user", headers=auth(ANNA.token)) for _ in range(4)]
        other = await client.get("/team", headers=auth(OTTO.token))
        missing = await client.get("/nowhere", headers=auth(OTTO.token))
        fake.add_fault(Fault(500, path_contains="/team"))
        faulted = await client.get("/team", headers=auth(OTTO.token))
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[-1].json() == {"err": "Rate limit reached", "ECODE": "APP_002"}
    reset = int(answers[-1].headers["x-ratelimit-reset"])
    assert time.time() < reset <= time.time() + 61, "the reset is a Unix time in seconds, within the minute"
    assert other.status_code == 200 and other.headers["x-ratelimit-remaining"] == "2", "another token, its own window"
    assert (
        missing.status_code == 404 and missing.json()["ECODE"] == "APP_001" and "x-ratelimit-limit" in missing.headers
    )
    assert (
        faulted.status_code == 500 and faulted.json()["ECODE"] == "APP_500" and "x-ratelimit-reset" in faulted.headers
    )


async def test_workspaces_and_the_hierarchy_follow_membership(http: tuple[FakeClickUp, httpx.AsyncClient]) -> None:
    _, client = http
    anna = (await client.get("/team", headers=auth(ANNA.token))).json()["teams"]
    otto = (await client.get("/team", headers=auth(OTTO.token))).json()["teams"]
    assert [t["name"] for t in anna] == ["Acme Product", "Side Projects"] and [t["id"] for t in otto] == ["9010101"]
    roles = {m["user"]["username"]: m["user"]["role"] for m in anna[0]["members"]}
    assert roles == {"Anna Admin": 1, "Otto Other": 3}
    spaces = (await client.get("/team/9010101/space", headers=auth(OTTO.token))).json()["spaces"]
    assert {s["name"] for s in spaces} == {"Engineering", "Marketing"}
    assert [s["status"] for s in spaces[0]["statuses"]] == ["to do", "in progress", "in review", "complete"]
    refused = await client.get("/team/9020202/space", headers=auth(OTTO.token))
    assert refused.status_code == 401 and refused.json() == {"err": "Team not authorized", "ECODE": "OAUTH_023"}
    folders = (await client.get("/space/90110001/folder", headers=auth(OTTO.token))).json()["folders"]
    assert [f["name"] for f in folders] == ["Backend", "Frontend"] and folders[0]["lists"][0]["name"] == "Sprint 12"
    lists = (await client.get("/folder/90130001/list", headers=auth(OTTO.token))).json()["lists"]
    assert [x["name"] for x in lists] == ["Sprint 12", "Bugs"] and lists[1]["task_count"] == 105
    folderless = (await client.get("/space/90110002/list", headers=auth(OTTO.token))).json()["lists"]
    assert [x["name"] for x in folderless] == ["Ideas"] and folderless[0]["folder"]["hidden"] is True
    bugs = (await client.get("/list/901400002", headers=auth(OTTO.token))).json()
    assert [s["status"] for s in bugs["statuses"]] == ["new", "triaged", "fixed"] and bugs["override_statuses"]
    members = (await client.get("/list/901400001/member", headers=auth(OTTO.token))).json()["members"]
    assert {m["username"] for m in members} == {"Anna Admin", "Otto Other"}
    gone = await client.get("/list/1", headers=auth(OTTO.token))
    assert gone.status_code == 404 and gone.json()["ECODE"] == "SUBCAT_016"


def test_the_seed_is_realistic() -> None:
    fake = FakeClickUp([ANNA, OTTO])
    task = fake.tasks["86b1aa001"]
    assert task.custom_id == "ENG-1" and "**100 requests a minute**" in task.markdown and task.tags
    assert task.assignees == [ANNA.id] and task.priority == 2
    assert fake.state.task("eng-1", OTTO.id, {"custom_task_ids": "true", "team_id": "9010101"}) is task
    assert len([t for t in fake.tasks.values() if t.list_id == "901400002"]) > 100, "more than a page of 100"
    assert {c.task_id for c in fake.comments.values()} >= {"86b1aa001"}
    assert {e.team_id for e in fake.time_entries.values()} == {"9010101", "9020202"}
    with pytest.raises(ValueError, match="pk_"):
        FakeClickUp([ClickUpUser(1, "x", "x@example.com", "not-personal")])
