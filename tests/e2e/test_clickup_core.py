"""ClickUp as the fourth provider, end to end: its credentials, its two first tools, its errors and rate limits,
the fallback policy, and no token anywhere it must not be."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from passthrough.cli import describe
from passthrough.credentials import new_api_key
from passthrough.log import scrub
from passthrough.sandbox.fakes.clickup import personal_token
from passthrough.settings import load_settings
from passthrough.sse_client._config import load_config
from tests.conftest import make_settings, serve
from tests.e2e._clients import TRANSPORTS, connect, text_of, tool_caller
from tests.fakes import ClickUpUser, FakeClickUp, Fault

ANNA = ClickUpUser(
    81001, "Anna Admin", "anna@example.com", personal_token(81001, "anna7"), oauth_token="oauth_81001_" + "a1" * 16
)
OTTO = ClickUpUser(81002, "Otto Other", "otto@example.com", personal_token(81002, "otto3"))
SERVICE = ClickUpUser(81003, "Service Bot", "bot@example.com", personal_token(81003, "svc9"))
USERS = [ANNA, OTTO, SERVICE]
OWN = {"X-ClickUp-Token": ANNA.token}

Call = Any


@pytest.fixture
async def clickup() -> AsyncIterator[FakeClickUp]:
    fake = FakeClickUp(USERS)
    async with fake.serve():
        yield fake


def env(fake: FakeClickUp, **extra: str) -> dict[str, str]:
    return {"CLICKUP_URL": fake.url, **extra}


@pytest.fixture
async def tool(clickup: FakeClickUp) -> AsyncIterator[Call]:
    async with serve(make_settings(env(clickup))) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield tool_caller(http, OWN)


async def test_both_tools_through_a_real_mcp_client(clickup: FakeClickUp) -> None:
    async with serve(make_settings(env(clickup))) as url:
        for transport in TRANSPORTS:
            async with connect(url, transport, OWN) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                me = await client.call_tool("clickup_get_myself", {})
                spaces = await client.call_tool("clickup_list_workspaces", {})
            assert {"clickup_get_myself", "clickup_list_workspaces"} <= names, transport
            assert not me.is_error and "Signed in to ClickUp as Anna Admin (id 81001" in text_of(me), transport
            assert me.structured_content == {
                "id": ANNA.id,
                "username": "Anna Admin",
                "email": "anna@example.com",
                "initials": "AA",
                "timezone": "Europe/Berlin",
            }
            assert not spaces.is_error and "Acme Product (workspace_id 9010101)" in text_of(spaces), transport
            assert spaces.structured_content is not None
            assert [w["id"] for w in spaces.structured_content["workspaces"]] == ["9010101", "9020202"]
    sent = clickup.last_request("GET", "/api/v2/user")
    assert sent.path == "/api/v2/user" and sent.query == {}
    assert sent.headers["authorization"] == ANNA.token, "a personal token goes as the bare Authorization value"
    assert sent.identity == "Anna Admin" and sent.auth_via == "personal"
    teams = clickup.last_request("GET", "/api/v2/team")
    assert teams.path == "/api/v2/team" and teams.headers["authorization"] == ANNA.token
    assert "cookie" not in sent.headers and "x-clickup-token" not in sent.headers


async def test_an_oauth_access_token_goes_as_bearer(clickup: FakeClickUp, tool: Call) -> None:
    assert ANNA.oauth_token is not None
    me = await tool("clickup_get_myself", {}, {"X-ClickUp-Token": ANNA.oauth_token})
    assert not me["isError"] and me["structuredContent"]["username"] == "Anna Admin"
    sent = clickup.last_request("GET", "/api/v2/user")
    assert sent.headers["authorization"] == f"Bearer {ANNA.oauth_token}" and sent.auth_via == "oauth"


async def test_workspaces_are_each_users_own(clickup: FakeClickUp, tool: Call) -> None:
    anna = await tool("clickup_list_workspaces", {})
    otto = await tool("clickup_list_workspaces", {}, {"X-ClickUp-Token": OTTO.token})
    assert anna["text"].startswith("2 workspaces:") and "Side Projects" in anna["text"]
    acme = anna["structuredContent"]["workspaces"][0]
    assert acme["name"] == "Acme Product" and acme["color"] == "#7b68ee"
    assert {m["username"]: m["role"] for m in acme["members"]} == {
        "Anna Admin": "owner",
        "Otto Other": "member",
        "Service Bot": "member",
    }
    assert otto["text"].startswith("1 workspace:") and "Side Projects" not in otto["text"]
    assert [w["id"] for w in otto["structuredContent"]["workspaces"]] == ["9010101"]
    assert [r.identity for r in clickup.requests_to("/api/v2/team")] == ["Anna Admin", "Otto Other"]


async def test_a_wrong_token_says_what_to_check(clickup: FakeClickUp, tool: Call) -> None:
    wrong = "pk_81001_" + "Z" * 32
    r = await tool("clickup_get_myself", {}, {"X-ClickUp-Token": wrong})
    assert r["isError"]
    assert "ClickUp answered 401 Unauthorized: Token invalid (OAUTH_025)" in r["text"]
    assert "did not accept the credential" in r["text"] and "valid" in r["text"]
    assert "Atlassian" not in r["text"] and wrong not in r["text"]
    assert clickup.last_request("GET", "/api/v2/user").status == 401


async def test_a_429_with_a_far_reset_says_when_to_retry(clickup: FakeClickUp, tool: Call) -> None:
    reset = int(time.time()) + 45
    clickup.add_fault(
        Fault(
            429,
            {"err": "Rate limit reached", "ECODE": "APP_002"},
            {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
            path_contains="/user",
        )
    )
    r = await tool("clickup_get_myself", {})
    assert r["isError"] and "ClickUp is limiting requests (429): Rate limit reached (APP_002)" in r["text"]
    assert "Retry after about 4" in r["text"], r["text"]  # 45 s away, give or take the second boundary
    assert len(clickup.requests_to("/api/v2/user")) == 1, "a reset beyond the retry cap is not waited for"


async def test_a_429_with_a_near_reset_is_waited_for(clickup: FakeClickUp, tool: Call) -> None:
    reset = int(time.time()) + 1
    clickup.add_fault(
        Fault(429, None, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}, path_contains="/user")
    )
    started = time.monotonic()
    r = await tool("clickup_get_myself", {})
    assert not r["isError"], r["text"]
    assert [q.status for q in clickup.requests_to("/api/v2/user")] == [429, 200]
    assert time.monotonic() - started >= 0.2, "the retry waited for the reset"


async def test_the_fakes_own_rate_limit_is_reported() -> None:
    fake = FakeClickUp(USERS, rate_limit=1)
    async with fake.serve(), serve(make_settings(env(fake))) as url, httpx.AsyncClient(base_url=url) as http:
        call = tool_caller(http, OWN)
        assert not (await call("clickup_get_myself", {}))["isError"]
        limited = await call("clickup_list_workspaces", {})
        other = await call("clickup_list_workspaces", {}, {"X-ClickUp-Token": OTTO.token})
    assert limited["isError"] and "429" in limited["text"] and "Retry after about" in limited["text"]
    assert not other["isError"], "the limit is per token: another user is not held up"


async def test_an_upstream_500_is_named(clickup: FakeClickUp, tool: Call) -> None:
    clickup.add_fault(Fault(500, path_contains="/team", times=5))
    r = await tool("clickup_list_workspaces", {})
    assert r["isError"]
    assert "ClickUp answered 500 Internal Server Error: Internal server error (APP_500)" in r["text"]
    assert "Traceback" not in r["text"] and ANNA.token not in r["text"]


async def test_authorization_bearer_never_reaches_clickup(clickup: FakeClickUp) -> None:
    async with serve(make_settings(env(clickup, PASSTHROUGH_FALLBACK="off"))) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            r = await tool_caller(http, {})("clickup_get_myself", {}, {"Authorization": f"Bearer {ANNA.token}"})
    assert r["isError"] and "X-ClickUp-Token" in r["text"]
    assert clickup.requests == [], "nothing was sent to ClickUp"


async def test_authorization_bearer_leaves_the_shared_token_in_charge(clickup: FakeClickUp) -> None:
    settings = make_settings(env(clickup, CLICKUP_API_TOKEN=SERVICE.token, PASSTHROUGH_FALLBACK="open"))
    async with serve(settings) as url, httpx.AsyncClient(base_url=url) as http:
        r = await tool_caller(http, {})("clickup_get_myself", {}, {"Authorization": f"Bearer {ANNA.token}"})
    assert not r["isError"] and "Service Bot" in r["text"]
    assert [q.headers["authorization"] for q in clickup.requests] == [SERVICE.token]


@pytest.mark.parametrize("policy", ["open", "apikey", "off"])
async def test_the_shared_token_follows_the_fallback_policy(clickup: FakeClickUp, policy: str) -> None:
    key, digest = new_api_key()
    variables = env(clickup, CLICKUP_API_TOKEN=SERVICE.token, PASSTHROUGH_FALLBACK=policy)
    if policy == "apikey":
        variables["PASSTHROUGH_API_KEY_HASHES"] = digest
    async with serve(make_settings(variables)) as url, httpx.AsyncClient(base_url=url) as http:
        health = (await http.get("/healthz")).json()
        call = tool_caller(http, {})
        plain = await call("clickup_get_myself", {})
        keyed = await call("clickup_get_myself", {}, {"X-MCP-API-Key": key}) if policy == "apikey" else None
        own = await call("clickup_get_myself", {}, OWN)
    assert "clickup" in health["providers"] and "clickup" in health["shared_credentials"]
    if policy == "open":
        assert not plain["isError"] and "Service Bot" in plain["text"]
    else:
        assert plain["isError"] and "X-ClickUp-Token" in plain["text"]
    if keyed is not None:
        assert not keyed["isError"] and "Service Bot" in keyed["text"]
        assert "X-MCP-API-Key" in plain["text"]
    assert not own["isError"] and "Anna Admin" in own["text"], "the request's own token always wins"
    shared_calls = [q for q in clickup.requests if q.identity == "Service Bot"]
    assert len(shared_calls) == (0 if policy == "off" else 1)
    assert all(q.headers["authorization"] == SERVICE.token for q in shared_calls)


async def test_no_token_in_logs_or_answers(clickup: FakeClickUp, all_logs: pytest.LogCaptureFixture) -> None:
    assert ANNA.oauth_token is not None
    settings = make_settings(env(clickup, CLICKUP_API_TOKEN=SERVICE.token, PASSTHROUGH_LOG_LEVEL="DEBUG"))
    texts: list[str] = []
    async with serve(settings) as url, httpx.AsyncClient(base_url=url) as http:
        call = tool_caller(http, {})
        for headers in (OWN, {"X-ClickUp-Token": ANNA.oauth_token}, {"X-ClickUp-Token": "pk_9_" + "Q" * 32}, {}):
            for name in ("clickup_get_myself", "clickup_list_workspaces"):
                texts.append(str(await call(name, {}, headers)))
        clickup.add_fault(Fault(500, {"err": f"echo {ANNA.token}", "ECODE": "X"}, path_contains="/user"))
        texts.append(str(await call("clickup_get_myself", {}, OWN)))
    assert "[redacted]" in texts[-1], "an upstream that echoes the token back is redacted"
    logged = all_logs.text
    assert "clickup" in logged.lower(), "the calls were logged"
    for secret in (ANNA.token, ANNA.oauth_token, SERVICE.token, "pk_9_" + "Q" * 32):
        assert secret not in logged and all(secret not in t for t in texts)
    assert scrub(f"Authorization: {ANNA.token}") == "Authorization: [redacted]"
    assert ANNA.token not in scrub(f"sent {ANNA.token} upstream")


def test_config_and_the_relay_cover_clickup() -> None:
    settings = load_settings({"CLICKUP_URL": "https://api.clickup.com", "CLICKUP_API_TOKEN": SERVICE.token})
    provider = settings.provider("clickup")
    assert provider is not None and provider.url == "https://api.clickup.com" and provider.fallback is not None
    lines = "\n".join(describe(settings))
    assert "clickup: https://api.clickup.com (cloud), a shared fallback credential" in lines
    assert SERVICE.token not in lines
    assert load_settings({"CLICKUP_API_TOKEN": SERVICE.token}).provider("clickup") is None, "CLICKUP_URL enables it"
    relay = load_config({"CLICKUP_API_TOKEN": OTTO.token, "SSE_SERVER_URL": "http://127.0.0.1:9"})
    assert relay.headers == {"X-ClickUp-Token": OTTO.token}
    placeholder = load_config({"CLICKUP_API_TOKEN": "<your ClickUp personal API token (pk_...) or OAuth access token>"})
    assert placeholder.headers == {} and placeholder.unfilled == ("CLICKUP_API_TOKEN",)
