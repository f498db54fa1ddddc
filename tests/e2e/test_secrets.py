"""No secret in logs: a whole mixed session at the most verbose level, searched for every token used."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from urllib.parse import quote

import httpx
import pytest

from passthrough.credentials import new_api_key
from tests.conftest import ALICE, BOB, SHARED, jira_env, jira_headers, make_settings, serve, start_server_process
from tests.e2e._clients import TRANSPORTS, connect, text_of
from tests.fakes import FakeJira, Fault

API_KEY, API_KEY_DIGEST = new_api_key()
WRONG_TOKEN = "wrong-token-3c3c3c"


HOSTILE_TOKEN = "Hostile-Token-5d5d5d"  # sent with a control character inside, which aiohttp's parser refuses


def _forms(secret: str, *users: str) -> set[str]:
    """Every form a secret can take on its way to a log: raw, Bearer, Basic, URL-encoded, case-folded."""
    forms = {secret, f"Bearer {secret}", quote(secret, safe=""), secret.lower(), secret.upper()}
    for user in users:
        basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
        forms |= {basic, quote(basic, safe="")}
    return forms


def secrets_used() -> set[str]:
    found: set[str] = set()
    for user in (ALICE, BOB, SHARED):
        found |= _forms(user.token, user.email, user.name)
    found |= _forms(WRONG_TOKEN, ALICE.email)
    found |= _forms(HOSTILE_TOKEN)
    found |= {API_KEY}
    return found


def session_cookies(fake: FakeJira) -> set[str]:
    """The upstream session cookies the fake handed out: replayed, each would log in as its user."""
    return set(fake.sessions)


async def hostile_session(url: str, fake: FakeJira) -> None:
    """Headers aiohttp refuses, upstreams that echo credentials back, redirect with them, and set cookies."""
    host, port = url.removeprefix("http://").split(":")
    for value in (f"{HOSTILE_TOKEN}\x01tail", f"{HOSTILE_TOKEN}\x7f", f"ab\x00{HOSTILE_TOKEN}"):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Jira-Token: "
            + value.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert answer.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request"), answer[:80]
        assert HOSTILE_TOKEN.encode() not in answer
    headers = jira_headers(ALICE, fake.deployment)
    echoed = f"token {ALICE.token} {quote(ALICE.token)} {ALICE.token.upper()} Bearer {ALICE.token}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        for fault in (
            Fault(status=400, body={"errorMessages": [echoed], "errors": {}}, path_contains="/issue/DEMO-5"),
            Fault(
                status=302,
                headers={"Location": f"https://sso.example.com/login?token={ALICE.token}"},
                path_contains="/issue/DEMO-5",
            ),
            Fault(status=500, body=echoed * 200, path_contains="/issue/DEMO-5"),
        ):
            fake.add_fault(fault)
            body = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "jira_get_issue", "arguments": {"issue_key": "DEMO-5"}},
            }
            reply = (await http.post("/mcp", json=body, headers=headers)).json()
            text = json.dumps(reply)
            assert reply["result"]["isError"]
            assert not [f for f in _forms(ALICE.token, ALICE.email) if f in text], text[:300]


async def mixed_session(url: str, fake: FakeJira) -> None:
    """Successes, upstream 401 and 500, bad arguments, unknown tools, refused keys, on every transport."""
    for transport in TRANSPORTS:
        async with connect(url, transport, jira_headers(ALICE, fake.deployment)) as client:
            assert not (await client.call_tool("jira_get_myself", {})).is_error
            assert not (await client.call_tool("jira_get_issue", {"issue_key": "DEMO-2"})).is_error
            assert not (await client.call_tool("jira_search", {"jql": "project = DEMO", "max_results": 3})).is_error
            fake.add_fault(Fault(status=500, path_contains="/issue/DEMO-3"))
            assert (await client.call_tool("jira_get_issue", {"issue_key": "DEMO-3"})).is_error
            assert (await client.call_tool("jira_get_issue", {"issue_key": 12})).is_error
            assert (await client.call_tool("jira_search", {"jql": "project = DEMO !!"})).is_error
        bad = {**jira_headers(ALICE, fake.deployment), "X-Jira-Token": WRONG_TOKEN}
        async with connect(url, transport, bad) as client:
            denied = await client.call_tool("jira_get_myself", {})
            assert denied.is_error and "401" in text_of(denied)
        async with connect(url, transport, {"X-MCP-API-Key": API_KEY}) as client:
            assert not (await client.call_tool("jira_get_myself", {})).is_error
    async with httpx.AsyncClient(timeout=10) as http:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "nope", "arguments": {}},
        }
        await http.post(url + "/mcp", json=body, headers={"Authorization": f"Bearer {BOB.token}"})
        other, _ = new_api_key()
        assert (await http.post(url + "/mcp", json=body, headers={"X-MCP-API-Key": other})).status_code == 401
        assert (await http.post(url + "/mcp", json=body, headers={"X-Jira-Token": BOB.token * 400})).status_code == 400
        await http.post(url + "/mcp", content=b"{not json", headers={"Authorization": f"Bearer {BOB.token}"})


def _env(fake: FakeJira) -> dict[str, str]:
    # the shared credential as each deployment takes it: a PAT on Server, email + API token on Cloud
    shared = (
        {"JIRA_USERNAME": SHARED.email, "JIRA_API_TOKEN": SHARED.token}
        if fake.deployment == "cloud"
        else {"JIRA_PERSONAL_TOKEN": SHARED.token}
    )
    return jira_env(
        fake,
        **shared,
        PASSTHROUGH_API_KEY_HASHES=API_KEY_DIGEST,
        PASSTHROUGH_LOG_LEVEL="DEBUG",
    )


async def test_no_secret_in_server_log_records(jira: FakeJira, caplog: pytest.LogCaptureFixture) -> None:
    """Raw records, before any scrubbing: the code itself must never log a secret."""
    caplog.set_level(logging.DEBUG)
    async with serve(make_settings(_env(jira))) as url:
        await mixed_session(url, jira)
    server_side = [r for r in caplog.records if not r.name.startswith(("mcp", "httpx2", "httpcore2"))]
    assert any(r.name.startswith("passthrough") for r in server_side)
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in server_side)
    assert jira.sessions, "the fake handed out no session cookie, so the search proves nothing about cookies"
    leaked = sorted(s for s in secrets_used() | session_cookies(jira) if s in text)
    assert not leaked, f"secrets in logs: {[s[:4] + '…' for s in leaked]}"


async def test_no_secret_in_the_real_servers_output(jira: FakeJira) -> None:
    """`python -m passthrough serve` at DEBUG, whole session, stdout and stderr searched."""
    env = {**os.environ, **_env(jira), "PASSTHROUGH_PORT": "0"}
    proc, url, lines = await start_server_process("serve", env=env)
    try:
        await mixed_session(url, jira)
        await hostile_session(url, jira)
    finally:
        proc.terminate()
        rest, _ = await asyncio.wait_for(proc.communicate(), 20)
        lines.append(rest.decode())
    output = "".join(lines)
    assert "tool jira_get_myself ok" in output, "the log did not cover the session"
    assert jira.sessions, "the fake handed out no session cookie, so the search proves nothing about cookies"
    leaked = sorted(s for s in secrets_used() | session_cookies(jira) if s in output)
    assert not leaked, f"secrets in output: {[s[:4] + '…' for s in leaked]}"
