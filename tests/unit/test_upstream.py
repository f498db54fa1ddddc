"""The upstream HTTP leg against a real aiohttp upstream on loopback: what it was sent, and what came back."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from multidict import CIMultiDictProxy

from passthrough import __version__
from passthrough.credentials import Credential
from passthrough.errors import RateLimited, UpstreamError, UpstreamUnavailable
from passthrough.providers import Upstream
from passthrough.settings import Limits, ProviderSettings

ALICE = Credential(scheme="bearer", source="header", secret="alice-token")
BOB = Credential(scheme="bearer", source="header", secret="bob-token")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    method: str
    path: str
    raw_path: str
    query: str
    headers: CIMultiDictProxy[str]
    body: bytes


@dataclass
class LoopbackUpstream:
    """A real HTTP server on 127.0.0.1: records every request, answers with whatever handler is set."""

    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    handler: Handler | None = None
    running: dict[str, int] = field(default_factory=dict)  # per Authorization value, in flight now
    peak: dict[str, int] = field(default_factory=dict)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            Seen(request.method, request.path, request.rel_url.raw_path, request.query_string, request.headers, body)
        )
        who = request.headers.get("Authorization", "")
        self.running[who] = self.running.get(who, 0) + 1
        self.peak[who] = max(self.peak.get(who, 0), self.running[who])
        try:
            if self.handler is None:
                return web.json_response({"ok": True, "path": request.path})
            return await self.handler(request)
        finally:
            self.running[who] -= 1

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


@asynccontextmanager
async def loopback(handler: Handler | None = None) -> AsyncIterator[LoopbackUpstream]:
    fake = LoopbackUpstream(handler=handler)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake._handle)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


def jira_at(url: str) -> ProviderSettings:
    return ProviderSettings(name="jira", url=url, deployment="server")


class RecordingUpstream(Upstream):
    """An Upstream whose retry sleeps return at once, each recorded in `slept`."""

    slept: list[float]


@asynccontextmanager
async def upstream_for(fake: LoopbackUpstream, **limits: float) -> AsyncIterator[RecordingUpstream]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    up = RecordingUpstream(jira_at(fake.url), Limits.model_validate(limits), sleep=sleep)
    up.slept = slept
    try:
        yield up
    finally:
        await up.aclose()


@pytest.fixture
async def fake() -> AsyncIterator[LoopbackUpstream]:
    async with loopback() as f:
        yield f


@pytest.fixture
async def upstream(fake: LoopbackUpstream) -> AsyncIterator[RecordingUpstream]:
    async with upstream_for(fake) as up:
        yield up


def answers(*responses: Callable[[], web.StreamResponse]) -> Handler:
    """A handler answering each request with the next of `responses`, the last one from then on."""
    queue = list(responses)

    async def handler(request: web.Request) -> web.StreamResponse:
        make = queue.pop(0) if len(queue) > 1 else queue[0]
        return make()

    return handler


async def test_cookies_set_by_upstream_never_return_for_either_user(
    fake: LoopbackUpstream, upstream: RecordingUpstream
) -> None:
    fake.handler = answers(
        lambda: web.json_response({"name": "x"}, headers={"Set-Cookie": "JSESSIONID=abc123; Path=/; HttpOnly"})
    )
    for who in (ALICE, BOB, ALICE):
        assert (await upstream.call("GET", "/rest/api/2/myself", credential=who)).json() == {"name": "x"}
    assert len(fake.requests) == 3
    assert all("Cookie" not in r.headers for r in fake.requests)
    assert [r.headers["Authorization"] for r in fake.requests] == [
        "Bearer alice-token",
        "Bearer bob-token",
        "Bearer alice-token",
    ]


async def test_every_call_says_who_is_calling_and_what_it_accepts(
    fake: LoopbackUpstream, upstream: RecordingUpstream
) -> None:
    basic = Credential(scheme="basic", source="header", secret="pw", username="carol@example.com")
    await upstream.call("GET", "/a", credential=basic)
    seen = fake.requests[0].headers
    assert seen["Authorization"].startswith("Basic ")
    assert seen["User-Agent"] == f"passthrough/{__version__}"
    assert seen["Accept"] == "application/json"


async def test_query_and_body_arrive_as_sent(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    jql = 'project = "A&B" AND text ~ "50% + c=d"'
    await upstream.call(
        "POST",
        "/rest/api/2/search",
        credential=ALICE,
        params={"jql": jql, "maxResults": 5, "validate": True, "expand": ["names", "schema"]},
        body={"summary": "Grüße", "n": 1},
        headers={"X-Atlassian-Token": "no-check"},
    )
    seen = fake.requests[0]
    assert seen.method == "POST" and seen.path == "/rest/api/2/search"
    from urllib.parse import parse_qsl

    assert parse_qsl(seen.query) == [
        ("jql", jql),
        ("maxResults", "5"),
        ("validate", "true"),
        ("expand", "names"),
        ("expand", "schema"),
    ]
    assert json.loads(seen.body) == {"summary": "Grüße", "n": 1}
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["X-Atlassian-Token"] == "no-check"


async def test_a_segment_cannot_climb_out_of_its_level(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    from passthrough.providers._upstream import segment

    await upstream.call("GET", f"/rest/api/2/issue/{segment('..')}/x", credential=ALICE)
    await upstream.call("GET", f"/rest/api/2/issue/{segment('a/../b?c')}", credential=ALICE)
    assert [r.raw_path for r in fake.requests] == ["/rest/api/2/issue/%2E%2E/x", "/rest/api/2/issue/a%2F..%2Fb%3Fc"]
    assert fake.requests[1].query == ""


async def test_get_retries_after_429_and_503_with_retry_after(
    fake: LoopbackUpstream, upstream: RecordingUpstream
) -> None:
    fake.handler = answers(
        lambda: web.Response(status=429, headers={"Retry-After": "2"}),
        lambda: web.Response(status=503, headers={"Retry-After": "0"}),
        lambda: web.json_response({"ok": True}),
    )
    answer = await upstream.call("GET", "/x", credential=ALICE)
    assert answer.json() == {"ok": True}
    assert fake.paths() == ["/x", "/x", "/x"]
    assert upstream.slept == [2.0, Limits().retry_after_floor_seconds]


async def test_post_is_never_sent_twice(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(lambda: web.Response(status=429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimited) as info:
        await upstream.call("POST", "/rest/api/2/issue", credential=ALICE, body={"fields": {}})
    assert fake.paths() == ["/rest/api/2/issue"]
    assert upstream.slept == []
    assert "not repeated" in info.value.message


async def test_503_without_retry_after_is_not_retried(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(lambda: web.Response(status=503, text="down for maintenance"))
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert len(fake.requests) == 1 and upstream.slept == []
    assert info.value.status == 503
    assert "Jira answered 503 Service Unavailable: down for maintenance" in info.value.message


async def test_retry_after_beyond_cap_fails_fast(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(lambda: web.Response(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert len(fake.requests) == 1 and upstream.slept == []
    assert "3600" in info.value.message


async def test_jira_error_bodies_are_named(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(
        lambda: web.json_response(
            {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}},
            status=404,
        ),
        lambda: web.json_response(
            {"errorMessages": [], "errors": {"summary": "You must specify a summary."}}, status=400
        ),
    )
    with pytest.raises(UpstreamError) as missing:
        await upstream.call("GET", "/rest/api/2/issue/NOPE-1", credential=ALICE)
    with pytest.raises(UpstreamError) as invalid:
        await upstream.call("POST", "/i", credential=ALICE, body={})
    assert missing.value.status == 404
    assert missing.value.message.startswith("Jira answered 404 Not Found: Issue does not exist")
    assert "summary: You must specify a summary." in invalid.value.message


async def test_401_says_what_to_check_without_the_token(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(lambda: web.Response(status=401, text="Client must be authenticated"))
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert "401 Unauthorized" in info.value.message
    assert "did not accept the credential" in info.value.message
    assert "alice-token" not in info.value.message


async def test_redirects_are_not_followed_and_are_reported(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(lambda: web.Response(status=302, headers={"Location": f"{fake.url}/steal?token=abc"}))
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert fake.paths() == ["/x"]
    assert info.value.status == 302
    assert f"redirected to {fake.url}/steal;" in info.value.message
    assert "token=abc" not in info.value.message


async def test_html_login_page_is_not_taken_for_data(fake: LoopbackUpstream, upstream: RecordingUpstream) -> None:
    fake.handler = answers(lambda: web.Response(text="<html>login</html>", content_type="text/html"))
    with pytest.raises(UpstreamError) as info:
        await upstream.call("GET", "/x", credential=ALICE)
    assert "instead of JSON" in info.value.message


async def _streamed(request: web.Request, size: int, declare: bool) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    if declare:
        response.content_length = size
    await response.prepare(request)
    block = b" " * (1 << 20)
    sent = 0
    try:
        while sent < size:
            await response.write(block[: size - sent])
            sent += len(block)
    except (ConnectionResetError, OSError):
        pass
    return response


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
async def test_answers_over_32_mib_are_refused_and_the_pool_still_works(fake: LoopbackUpstream, declare: bool) -> None:
    async with upstream_for(fake, upstream_max_connections=1) as upstream:
        fake.handler = lambda request: _streamed(request, (32 << 20) + 1, declare)
        with pytest.raises(UpstreamError) as info:
            await upstream.call("GET", "/big", credential=ALICE)
        assert "larger than 32 MiB" in info.value.message
        fake.handler = lambda request: _streamed(request, 32 << 20, declare)
        assert len((await upstream.call("GET", "/just-fits", credential=ALICE)).body) == 32 << 20
        fake.handler = None
        assert (await upstream.call("GET", "/after", credential=BOB)).json()["path"] == "/after"
    assert fake.paths() == ["/big", "/just-fits", "/after"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_answer_is_bounded_by_what_it_inflates_to(fake: LoopbackUpstream, encoding: str) -> None:
    """A small compressed body (its Content-Length far under the limit) that inflates past it is refused: the
    bound counts what is read after decompression, not what the upstream declared."""
    inflated = b'{"pad":"' + b" " * 100_000 + b'"}'
    packed = gzip.compress(inflated) if encoding == "gzip" else zlib.compress(inflated)
    assert len(packed) < 1_000
    fake.handler = answers(
        lambda: web.Response(body=packed, headers={"Content-Type": "application/json", "Content-Encoding": encoding})
    )
    async with upstream_for(fake) as upstream:
        with pytest.raises(UpstreamError) as info:
            await upstream.call("GET", "/bomb", credential=ALICE, max_bytes=50_000)
        assert "larger than 50000 bytes" in info.value.message
        answer = await upstream.call("GET", "/fits", credential=ALICE, max_bytes=200_000)
        assert answer.body == inflated


async def test_a_silent_upstream_times_out_and_a_write_says_it_may_have_happened(fake: LoopbackUpstream) -> None:
    async def silent(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)
        return web.json_response({})

    fake.handler = silent
    async with upstream_for(fake, upstream_timeout_seconds=0.3) as upstream:
        with pytest.raises(UpstreamUnavailable) as read:
            await upstream.call("GET", "/slow", credential=ALICE)
        with pytest.raises(UpstreamUnavailable) as write:
            await upstream.call("POST", "/rest/api/2/issue", credential=ALICE, body={})
        with pytest.raises(UpstreamUnavailable) as query:
            await upstream.call("GET", "/slow?jql=secretword", credential=ALICE)
    assert read.value.message == "Jira did not answer in time (GET /slow); try again later"
    assert query.value.message == "Jira did not answer in time (GET /slow); try again later"
    assert write.value.message == (
        "Jira did not answer in time (POST /rest/api/2/issue); "
        "the change may or may not have been applied — read the item back (its get tool, or a search) "
        "to see whether it was before retrying"
    )
    assert fake.paths() == ["/slow", "/rest/api/2/issue", "/slow"]


async def test_an_upstream_that_drips_is_cut_at_the_call_deadline(fake: LoopbackUpstream) -> None:
    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for _ in range(100):
            await response.write(b" ")
            await asyncio.sleep(0.2)
        return response

    fake.handler = drip
    async with upstream_for(fake, upstream_timeout_seconds=1, upstream_deadline_seconds=1.5) as upstream:
        started = time.perf_counter()
        with pytest.raises(UpstreamUnavailable) as info:
            await upstream.call("GET", "/drip", credential=ALICE)
        took = time.perf_counter() - started
    assert 1.4 < took < 2.5
    assert info.value.message == (
        "Jira did not answer within the 1.5 s deadline for one call "
        "(GET /drip; set by PASSTHROUGH_UPSTREAM_DEADLINE_SECONDS); try again later"
    )


async def test_a_write_cut_at_the_deadline_says_it_may_have_been_applied(fake: LoopbackUpstream) -> None:
    async def silent(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)
        return web.json_response({})

    fake.handler = silent
    async with upstream_for(fake, upstream_deadline_seconds=0.5) as upstream:
        with pytest.raises(UpstreamUnavailable) as info:
            await upstream.call("POST", "/rest/api/2/issue", credential=ALICE, body={})
    assert info.value.message.endswith(
        "(POST /rest/api/2/issue; set by PASSTHROUGH_UPSTREAM_DEADLINE_SECONDS); "
        "the change may or may not have been applied — read the item back (its get tool, or a search) "
        "to see whether it was before retrying"
    )
    assert fake.paths() == ["/rest/api/2/issue"]


async def test_the_deadline_covers_retries_and_their_sleeps(fake: LoopbackUpstream) -> None:
    fake.handler = answers(lambda: web.Response(status=429, headers={"Retry-After": "1"}))
    up = Upstream(jira_at(fake.url), Limits(upstream_deadline_seconds=1.5, retry_attempts=5))
    try:
        started = time.perf_counter()
        with pytest.raises(UpstreamUnavailable) as info:
            await up.call("GET", "/x", credential=ALICE)
        assert time.perf_counter() - started < 2.0
    finally:
        await up.aclose()
    assert len(fake.requests) == 2  # sent, slept 1 s, sent again, cut in the second sleep
    assert "1.5 s deadline" in info.value.message


async def test_an_unreachable_upstream_is_reported() -> None:
    async with loopback() as gone:
        url = gone.url
    up = Upstream(jira_at(url), Limits())
    try:
        with pytest.raises(UpstreamUnavailable) as info:
            await up.call("GET", "/x", credential=ALICE)
    finally:
        await up.aclose()
    assert info.value.message.startswith(f"Could not reach Jira at {url}")


async def test_proxy_variables_in_the_environment_are_ignored(
    fake: LoopbackUpstream, upstream: RecordingUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there: through it, the call would fail
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert (await upstream.call("GET", "/direct", credential=ALICE)).json()["path"] == "/direct"
    assert fake.paths() == ["/direct"]


async def test_the_debug_line_names_the_path_and_fingerprint_but_never_the_query(
    fake: LoopbackUpstream, upstream: RecordingUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="passthrough.upstream")
    await upstream.call("GET", "/rest/api/2/search", credential=ALICE, params={"jql": "summary ~ secretword"})
    lines = [r.getMessage() for r in caplog.records if r.name == "passthrough.upstream"]
    assert len(lines) == 1
    assert "GET /rest/api/2/search -> 200" in lines[0] and ALICE.fingerprint in lines[0]
    assert "secretword" not in lines[0] and "jql" not in lines[0] and "alice-token" not in lines[0]


def test_the_session_is_made_inside_the_running_loop_and_closed_by_aclose() -> None:
    up = Upstream(jira_at("http://127.0.0.1:9"), Limits())  # built before any loop runs, as `serve` does
    assert up._session is None

    async def use() -> None:
        async with loopback() as fake:
            up.config = jira_at(fake.url)
            await up.call("GET", "/x", credential=ALICE)
            session = up._session
            assert session is not None and not session.closed
            await up.aclose()
            assert session.closed and up._session is None

    asyncio.run(use())
