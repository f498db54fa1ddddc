"""Hostile and unusual input over real HTTP: clear 4xx or JSON-RPC errors, and the server stays up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from passthrough.http import build_app
from passthrough.http._keys import LEGACY_SESSIONS, MCP_SESSIONS
from tests.conftest import ALICE, BOB, jira_env, make_settings, serve
from tests.fakes import FakeJira

ALICE_H = {"Authorization": f"Bearer {ALICE.token}"}
BOB_H = {"Authorization": f"Bearer {BOB.token}"}

# the fixture below: the server's URL, a client for it and the fake Jira behind it
Site = tuple[str, httpx.AsyncClient, FakeJira]


def call(name: str, args: object, rid: int = 1) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}


@pytest.fixture
async def site(server_jira: FakeJira) -> AsyncIterator[Site]:
    settings = make_settings(
        jira_env(server_jira, PASSTHROUGH_FALLBACK="off", PASSTHROUGH_ALLOWED_ORIGINS="https://app.example.com"),
        max_body_bytes=64 * 1024,
        sse_keepalive_seconds=0.2,
    )
    async with serve(settings) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        yield url, http, server_jira
        assert (await http.get("/healthz")).status_code == 200, "the server did not stay up"


async def test_bare_direct_post_gets_json(site: Site) -> None:
    _, http, _ = site
    r = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}, headers=ALICE_H)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    names = {t["name"] for t in r.json()["result"]["tools"]}
    assert {"jira_get_myself", "jira_get_issue", "jira_search", "jira_create_issue"} <= names
    r = await http.post("/mcp", json=call("jira_get_myself", {}), headers=ALICE_H)
    assert r.json()["result"]["structuredContent"]["display_name"] == ALICE.display_name


async def test_healthz(site: Site) -> None:
    _, http, _ = site
    r = await http.get("/healthz")
    assert r.json()["status"] == "ok" and r.json()["providers"] == ["jira"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"{not json", {}, 400, -32700),
        (b"[]", {}, 400, -32600),
        (b'"just a string"', {}, 400, -32600),
        (b'{"jsonrpc":"2.0","id":{"x":1},"method":"tools/list"}', {}, 400, -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":[1]}', {}, 400, -32600),
        (
            json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]).encode(),
            {"MCP-Protocol-Version": "2025-06-18"},
            400,
            -32600,
        ),
        (b"{}", {"MCP-Protocol-Version": "1999-01-01"}, 400, -32022),
    ],
    ids=[
        "malformed",
        "empty-batch",
        "not-object",
        "bad-id",
        "params-array",
        "batch-forbidden",
        "unknown-version",
    ],
)
async def test_bad_bodies_get_jsonrpc_errors(
    site: Site, body: bytes, headers: dict[str, str], status: int, code: int
) -> None:
    _, http, _ = site
    r = await http.post("/mcp", content=body, headers={"Content-Type": "application/json", **headers})
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


async def test_batch_allowed_where_the_revision_allows_it(site: Site) -> None:
    _, http, _ = site
    batch = [
        call("jira_get_myself", {}, 1),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "ping"},
    ]
    r = await http.post("/mcp", json=batch, headers={**ALICE_H, "MCP-Protocol-Version": "2025-03-26"})
    assert r.status_code == 200
    replies = {m["id"]: m for m in r.json()}
    assert set(replies) == {1, 2} and replies[2]["result"] == {}


async def test_modern_revision_refuses_batches_and_checks_the_envelope(site: Site) -> None:
    _, http, _ = site
    h = {**ALICE_H, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list"}
    r = await http.post("/mcp", json=[{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}], headers=h)
    assert r.status_code == 400
    r = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}, headers=h)
    assert r.status_code == 400 and "_meta" in r.json()["error"]["message"]
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    ok = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}}
    r = await http.post("/mcp", json=ok, headers=h)
    assert r.status_code == 200 and r.json()["result"]["tools"]
    r = await http.post("/mcp", json=ok, headers={**h, "Mcp-Method": "tools/call"})
    assert r.status_code == 400 and r.json()["error"]["code"] == -32020
    r = await http.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 2, "method": "nope", "params": {"_meta": meta}},
        headers={**h, "Mcp-Method": "nope"},
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == -32601


async def test_oversized_body_is_413(site: Site) -> None:
    _, http, _ = site
    big = call("jira_search", {"jql": "x" * (70 * 1024)})
    r = await http.post("/mcp", json=big, headers=ALICE_H)
    assert r.status_code == 413 and "larger than" in r.json()["error"]["message"]


async def test_wrong_content_type_and_accept(site: Site) -> None:
    _, http, _ = site
    body = json.dumps(call("jira_get_myself", {})).encode()
    r = await http.post("/mcp", content=body, headers={**ALICE_H, "Content-Type": "text/plain"})
    assert r.status_code == 415
    r = await http.post(
        "/mcp", content=body, headers={**ALICE_H, "Content-Type": "application/json", "Accept": "text/html"}
    )
    assert r.status_code == 406
    r = await http.post(
        "/mcp",
        content=body,
        headers={**ALICE_H, "Content-Type": "application/json", "Accept": "text/event-stream"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.text.startswith("event: message\ndata: ")


async def test_unknown_tool_and_bad_arguments(site: Site) -> None:
    _, http, fake = site
    r = (await http.post("/mcp", json=call("jira_nope", {}), headers=ALICE_H)).json()
    assert r["error"]["code"] == -32602 and "Unknown tool" in r["error"]["message"]
    r = (await http.post("/mcp", json=call("jira_get_issue", {"issue_key": 5}), headers=ALICE_H)).json()
    assert r["result"]["isError"] and "issue_key" in r["result"]["content"][0]["text"]
    r = (await http.post("/mcp", json=call("jira_get_issue", {}), headers=ALICE_H)).json()
    assert r["result"]["isError"] and "issue_key: Field required" in r["result"]["content"][0]["text"]
    r = (
        await http.post("/mcp", json=call("jira_get_issue", {"issue_key": "DEMO-1", "extra": 1}), headers=ALICE_H)
    ).json()
    assert r["result"]["isError"] and "unknown argument 'extra'" in r["result"]["content"][0]["text"]
    r = (await http.post("/mcp", json=call("jira_get_issue", "notadict"), headers=ALICE_H)).json()
    assert "error" in r or r["result"]["isError"]
    assert fake.requests == []


@pytest.mark.parametrize(
    "key",
    [
        "../../rest/api/2/myself",
        "DEMO-1/../../myself",
        "DEMO-1?fields=x",
        "%2e%2e%2fmyself",
        "DEMO-1#x",
        " DEMO-1/..",
    ],
)
async def test_issue_keys_never_change_the_upstream_path(site: Site, key: str) -> None:
    _, http, fake = site
    r = (await http.post("/mcp", json=call("jira_get_issue", {"issue_key": key}), headers=ALICE_H)).json()
    assert r["result"]["isError"]
    assert not [q for q in fake.requests if not q.path.startswith("/rest/api/2/issue/")]


async def test_origin_is_checked(site: Site) -> None:
    _, http, _ = site
    body = call("jira_get_myself", {})
    assert (
        await http.post("/mcp", json=body, headers={**ALICE_H, "Origin": "https://evil.example.net"})
    ).status_code == 403
    assert (await http.post("/mcp", json=body, headers={**ALICE_H, "Origin": "null"})).status_code == 403
    assert (await http.get("/sse", headers={"Origin": "https://evil.example.net"})).status_code == 403
    assert (
        await http.post("/mcp", json=body, headers={**ALICE_H, "Origin": "http://localhost:5173"})
    ).status_code == 200
    assert (
        await http.post("/mcp", json=body, headers={**ALICE_H, "Origin": "https://app.example.com"})
    ).status_code == 200


async def test_unknown_sessions(site: Site) -> None:
    _, http, _ = site
    r = await http.post("/mcp", json=call("jira_get_myself", {}), headers={**ALICE_H, "Mcp-Session-Id": "deadbeef"})
    assert r.status_code == 404
    r = await http.post("/messages?session_id=deadbeef", json=call("jira_get_myself", {}), headers=ALICE_H)
    assert r.status_code == 404
    r = await http.post("/messages", json=call("jira_get_myself", {}), headers=ALICE_H)
    assert r.status_code == 404
    assert (await http.get("/mcp")).status_code == 405
    assert (await http.delete("/mcp", headers={"Mcp-Session-Id": "nope"})).status_code == 404


async def test_streamable_session_is_bound_to_its_credential(site: Site) -> None:
    _, http, _ = site
    init = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    r = await http.post("/mcp", json=init, headers=ALICE_H)
    sid = r.headers["Mcp-Session-Id"]
    assert r.json()["result"]["protocolVersion"] == "2025-06-18"
    mine = await http.post("/mcp", json=call("jira_get_myself", {}), headers={**ALICE_H, "Mcp-Session-Id": sid})
    assert mine.status_code == 200
    # another credential, or the session's plus another, is refused and nothing runs
    before = len(site[2].requests)
    for other in (BOB_H, {**ALICE_H, "X-Jira-Token": BOB.token}, {**ALICE_H, "X-Jira-Email": ALICE.email}):
        assert (
            await http.post("/mcp", json=call("jira_get_myself", {}), headers={**other, "Mcp-Session-Id": sid})
        ).status_code == 404
    assert len(site[2].requests) == before
    # no credential header at all runs as the session's own user (CONTRACT section 4)
    bare = await http.post("/mcp", json=call("jira_get_myself", {}), headers={"Mcp-Session-Id": sid})
    assert bare.status_code == 200
    assert bare.json()["result"]["structuredContent"]["display_name"] == ALICE.display_name
    assert (await http.delete("/mcp", headers={**BOB_H, "Mcp-Session-Id": sid})).status_code == 404
    assert (await http.delete("/mcp", headers={**ALICE_H, "Mcp-Session-Id": sid})).status_code == 204
    assert (
        await http.post("/mcp", json=call("jira_get_myself", {}), headers={**ALICE_H, "Mcp-Session-Id": sid})
    ).status_code == 404


async def _sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    event, data = "", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield "comment", line
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and event:
            yield event, "\n".join(data)
            event, data = "", []


async def test_legacy_session_binding_keepalive_and_release(server_jira: FakeJira) -> None:
    settings = make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"), sse_keepalive_seconds=0.2)
    app = build_app(settings)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        async with http.stream("GET", "/sse", headers=ALICE_H) as stream:
            events = _sse_events(stream)
            kind, endpoint = await anext(events)
            assert kind == "endpoint" and endpoint.startswith("/messages?session_id=")
            assert len(app[LEGACY_SESSIONS]) == 1
            # another credential on the same session is refused; no credential means the session's own
            assert (await http.post(endpoint, json=call("jira_get_myself", {}), headers=BOB_H)).status_code == 404
            # the session's credential plus another one is another identity too: 404, nothing runs
            for more in (
                {"X-Jira-Token": BOB.token},
                {"X-Jira-Email": ALICE.email},
                {"X-MCP-API-Key": "mcp_" + "0" * 64},
            ):
                extra = await http.post(endpoint, json=call("jira_get_myself", {}), headers={**ALICE_H, **more})
                assert extra.status_code in (401, 404), more
            assert server_jira.requests == []
            assert (await http.post(endpoint, json=call("jira_get_myself", {}, rid=7))).status_code == 202
            while True:
                kind, data = await anext(events)
                if kind == "message":
                    break
            reply = json.loads(data)
            assert reply["id"] == 7 and reply["result"]["structuredContent"]["display_name"] == ALICE.display_name
            kind, _ = await anext(events)
            assert kind == "comment", "an idle stream gets keepalive comments"
            # a slow call in flight when the client leaves is cancelled with the session
            server_jira.delay = 5.0
            assert (await http.post(endpoint, json=call("jira_get_myself", {}, rid=8))).status_code == 202
            await asyncio.sleep(0.2)
            session = next(iter(app[LEGACY_SESSIONS]._sessions.values()))
            tasks = list(session.work.tasks.values())
            assert tasks
        for _ in range(50):
            if len(app[LEGACY_SESSIONS]) == 0 and all(t.done() for t in tasks):
                break
            await asyncio.sleep(0.05)
        assert len(app[LEGACY_SESSIONS]) == 0, "a disconnected client's session was kept"
        assert all(t.cancelled() for t in tasks), "work of a disconnected client kept running"
        assert len(app[MCP_SESSIONS]) == 0
