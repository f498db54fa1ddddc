"""No secret in logs: a whole mixed session at the most verbose level, searched for every token used."""

from __future__ import annotations

import asyncio
import base64
import logging
import os

import httpx
import pytest

from passthrough.credentials import new_api_key
from tests.conftest import ALICE, BOB, SHARED, jira_env, jira_headers, make_settings, serve, start_server_process
from tests.e2e._clients import TRANSPORTS, connect, text_of
from tests.fakes import FakeJira, Fault

API_KEY, API_KEY_DIGEST = new_api_key()
WRONG_TOKEN = "wrong-token-3c3c3c"


def _forms(secret: str, *users: str) -> set[str]:
    forms = {secret, f"Bearer {secret}"}
    for user in users:
        forms.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return forms


def secrets_used() -> set[str]:
    found: set[str] = set()
    for user in (ALICE, BOB, SHARED):
        found |= _forms(user.token, user.email, user.name)
    found |= _forms(WRONG_TOKEN, ALICE.email)
    found |= {API_KEY}
    return found


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
    return jira_env(
        fake,
        JIRA_PERSONAL_TOKEN=SHARED.token,
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
    leaked = sorted(s for s in secrets_used() if s in text)
    assert not leaked, f"secrets in logs: {[s[:4] + '…' for s in leaked]}"


async def test_no_secret_in_the_real_servers_output(jira: FakeJira) -> None:
    """`python -m passthrough serve` at DEBUG, whole session, stdout and stderr searched."""
    env = {**os.environ, **_env(jira), "PASSTHROUGH_PORT": "0"}
    proc, url, lines = await start_server_process("serve", env=env)
    try:
        await mixed_session(url, jira)
    finally:
        proc.terminate()
        rest, _ = await asyncio.wait_for(proc.communicate(), 20)
        lines.append(rest.decode())
    output = "".join(lines)
    assert "tool jira_get_myself ok" in output, "the log did not cover the session"
    leaked = sorted(s for s in secrets_used() if s in output)
    assert not leaked, f"secrets in output: {[s[:4] + '…' for s in leaked]}"
