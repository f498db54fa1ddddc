import httpx
import pytest
import respx

from passthrough.credentials import Credential
from passthrough.errors import RateLimited, UpstreamError, UpstreamUnavailable
from passthrough.providers import Upstream
from passthrough.settings import Limits, ProviderSettings

JIRA = ProviderSettings(name="jira", url="https://jira.example.com", deployment="server")
ALICE = Credential(scheme="bearer", source="header", secret="alice-token")
BOB = Credential(scheme="bearer", source="header", secret="bob-token")


@pytest.fixture
async def upstream():
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    up = Upstream(JIRA, Limits(), sleep=sleep)
    up.slept = slept  # type: ignore[attr-defined]
    yield up
    await up.aclose()


@respx.mock
async def test_cookies_set_by_upstream_never_return(upstream):
    route = respx.get("https://jira.example.com/rest/api/2/myself").mock(
        return_value=httpx.Response(
            200, json={"name": "alice"}, headers={"Set-Cookie": "JSESSIONID=abc123; Path=/; HttpOnly"}
        )
    )
    await upstream.call("GET", "/rest/api/2/myself", credential=ALICE)
    await upstream.call("GET", "/rest/api/2/myself", credential=BOB)
    second = route.calls[1].request
    assert "cookie" not in second.headers
    assert second.headers["authorization"] == "Bearer bob-token"
    assert route.calls[0].request.headers["authorization"] == "Bearer alice-token"


@respx.mock
async def test_get_retries_after_429_with_retry_after(upstream):
    route = respx.get("https://jira.example.com/x").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    answer = await upstream.call("GET", "/x", credential=ALICE)
    assert answer.json() == {"ok": True}
    assert route.call_count == 3
    assert upstream.slept == [2.0, Limits().retry_after_floor_seconds]


@respx.mock
async def test_post_is_never_sent_twice(upstream):
    route = respx.post("https://jira.example.com/rest/api/2/issue").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "1"})
    )
    with pytest.raises(RateLimited) as info:
        await upstream.call("POST", "/rest/api/2/issue", credential=ALICE, body={"fields": {}})
    assert route.call_count == 1
    assert "not repeated" in info.value.message


@respx.mock
async def test_retry_after_beyond_cap_fails_fast(upstream):
    route = respx.get("https://jira.example.com/x").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )
    with pytest.raises(RateLimited) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert route.call_count == 1 and upstream.slept == []
    assert "3600" in info.value.message


@respx.mock
async def test_jira_error_body_is_named(upstream):
    respx.get("https://jira.example.com/rest/api/2/issue/NOPE-1").mock(
        return_value=httpx.Response(
            404,
            json={
                "errorMessages": ["Issue does not exist or you do not have permission to see it."],
                "errors": {},
            },
        )
    )
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/rest/api/2/issue/NOPE-1", credential=ALICE)
    assert info.value.status == 404
    assert "Issue does not exist" in info.value.message and "404" in info.value.message


@respx.mock
async def test_field_errors_are_named(upstream):
    respx.post("https://jira.example.com/i").mock(
        return_value=httpx.Response(
            400, json={"errorMessages": [], "errors": {"summary": "You must specify a summary."}}
        )
    )
    with pytest.raises(UpstreamError) as info:
        await upstream.call("POST", "/i", credential=ALICE, body={})
    assert "summary: You must specify a summary." in info.value.message


@respx.mock
async def test_401_says_what_to_check_without_the_token(upstream):
    respx.get("https://jira.example.com/x").mock(return_value=httpx.Response(401, text="Client must be authenticated"))
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert "did not accept the credential" in info.value.message
    assert "alice-token" not in info.value.message


@respx.mock
async def test_redirects_are_not_followed(upstream):
    respx.get("https://jira.example.com/x").mock(
        return_value=httpx.Response(302, headers={"Location": "https://evil.example.net/steal"})
    )
    evil = respx.get("https://evil.example.net/steal").mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert evil.call_count == 0
    assert "redirected" in info.value.message


@respx.mock
async def test_html_login_page_is_not_taken_for_data(upstream):
    respx.get("https://jira.example.com/x").mock(
        return_value=httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"})
    )
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert "instead of JSON" in info.value.message


@respx.mock
async def test_network_failure_and_timeout_are_reported(upstream):
    respx.get("https://jira.example.com/down").mock(side_effect=httpx.ConnectError("refused"))
    respx.get("https://jira.example.com/slow").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(UpstreamUnavailable) as down:
        await upstream.call("GET", "/down", credential=ALICE)
    with pytest.raises(UpstreamUnavailable) as slow:
        await upstream.call("GET", "/slow", credential=ALICE)
    assert "Could not reach Jira" in down.value.message
    assert "did not answer in time" in slow.value.message
