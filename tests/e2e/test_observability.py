"""Logs, audit records and /metrics over a whole session: quiet, useful, and never a secret or user text."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from passthrough.errors import ConfigError
from passthrough.observe import metrics_allowed
from passthrough.settings import load_settings
from tests.conftest import ALICE, BOB, SHARED, jira_env, make_settings, serve, start_server_process
from tests.e2e._clients import TRANSPORTS, connect
from tests.e2e.test_secrets import _forms
from tests.fakes import FakeJira, Fault

JQL_MARK = "ZEBRAFISH7731"  # user text: must never reach a log at INFO or above
JQL = f'summary ~ "{JQL_MARK}" ORDER BY updated'
INIT = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
).encode()


def tokens() -> set[str]:
    found: set[str] = set()
    for user in (ALICE, BOB, SHARED):
        found |= _forms(user.token, user.email, user.name)
    return found


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus exposition, by name and labels (parsed with prometheus-client's parser)."""
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(all_samples: dict[Any, float], name: str, **labels: str) -> float:
    return all_samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(url: str) -> dict[Any, float]:
    async with httpx.AsyncClient() as http:
        reply = await http.get(url + "/metrics")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    return samples(reply.text)


def call_body(name: str, arguments: dict[str, Any], rid: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


async def disconnect_after_initialize(url: str) -> None:
    """Clients that leave at once: after initialize on /mcp, its GET stream, and a legacy SSE stream."""
    host, port = url.removeprefix("http://").split(":")
    head = f"Host: 127.0.0.1\r\nAuthorization: Bearer {ALICE.token}\r\n"
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST /mcp HTTP/1.1\r\n{head}Content-Type: application/json\r\nContent-Length: {len(INIT)}\r\n\r\n".encode()
        + INIT
    )
    answer = (await reader.read(4000)).decode()
    writer.transport.abort()
    sid = re.search(r"(?i)mcp-session-id: (\w+)", answer)
    assert sid, answer[:200]
    for delay in (0.0, 0.005, 0.02, 0.0, 0.005, 0.02):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /mcp HTTP/1.1\r\n{head}Mcp-Session-Id: {sid.group(1)}\r\n\r\n".encode())
        await writer.drain()
        await asyncio.sleep(delay)
        writer.transport.abort()
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /sse HTTP/1.1\r\n{head}\r\n".encode())
        await writer.drain()
        await asyncio.sleep(delay)
        writer.transport.abort()
    for transport in TRANSPORTS:  # the SDK's clients, closed right after their handshake
        async with connect(url, transport, {"Authorization": f"Bearer {ALICE.token}"}):
            pass
    await asyncio.sleep(0.3)


@pytest.fixture
async def fake() -> Any:
    jira = FakeJira("server", [ALICE, BOB, SHARED])
    async with jira.serve():
        yield jira


async def test_a_whole_session_logs_quietly_and_counts_what_it_did(
    fake: FakeJira, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = jira_env(fake, JIRA_PERSONAL_TOKEN=SHARED.token, PASSTHROUGH_LOG_LEVEL="DEBUG")
    async with serve(make_settings(env)) as url:
        before = await scrape(url)
        fake.clear_requests()
        searches = 0
        for transport in TRANSPORTS:
            async with connect(url, transport, {"Authorization": f"Bearer {ALICE.token}"}) as client:
                found = await client.call_tool("jira_search", {"jql": JQL})
                assert not found.is_error
                assert (found.meta or {}).get("passthrough/credential") == "Authorization"
                searches += 1
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            metas = {}
            for name, headers in (
                ("header", {"X-Jira-Token": BOB.token}),
                ("authorization", {"Authorization": f"Bearer {ALICE.token}"}),
                ("shared", {}),
            ):
                reply = (await http.post("/mcp", json=call_body("jira_search", {"jql": JQL}), headers=headers)).json()
                assert not reply["result"]["isError"], reply
                metas[name] = reply["result"]["_meta"]
                searches += 1
            assert metas["header"]["passthrough/credential"] == "X-Jira-Token"
            assert metas["authorization"]["passthrough/credential"] == "Authorization"
            assert metas["shared"]["passthrough/credential"] == "shared"
            assert all(m["passthrough/provider"] == "jira" for m in metas.values())
            fake.add_fault(Fault(status=500, path_contains="/issue/DEMO-3"))
            failed = (
                await http.post(
                    "/mcp",
                    json=call_body("jira_get_issue", {"issue_key": "DEMO-3"}),
                    headers={"X-Jira-Token": BOB.token},
                )
            ).json()["result"]
            assert failed["isError"] and failed["_meta"]["passthrough/credential"] == "X-Jira-Token"
            unknown_name = "no_such_tool_QUOKKA"
            await http.post("/mcp", json=call_body(unknown_name, {}), headers={"X-Jira-Token": BOB.token})
            for _ in range(3):
                assert (await http.get("/healthz?probe=QUERYMARK")).status_code == 200
        await disconnect_after_initialize(url)
        upstream_calls = len(fake.requests)
        after = await scrape(url)
        await asyncio.sleep(0.1)  # the scrape's own access line

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Metrics: the counters match the calls made.
    assert delta("passthrough_tool_calls_total", tool="jira_search", outcome="ok") == searches
    assert delta("passthrough_tool_calls_total", tool="jira_get_issue", outcome="tool_error") == 1
    assert delta("passthrough_tool_calls_total", tool="unknown", outcome="protocol_error") == 1
    assert delta("passthrough_upstream_requests_total", provider="jira", status="200") == searches
    assert delta("passthrough_upstream_requests_total", provider="jira", status="500") == 1
    assert upstream_calls == searches + 1
    assert value(after, "passthrough_upstream_request_duration_seconds_count", provider="jira") >= upstream_calls
    assert value(after, "passthrough_open_sessions", transport="sse") == 0
    assert ("passthrough_open_sessions", (("transport", "streamable"),)) in after
    labels = " ".join(f"{k}={v}" for _, ls in after for k, v in ls)
    for secret in (*tokens(), JQL_MARK, unknown_name, "DEMO-3", "QUERYMARK"):
        assert secret not in labels

    records = [r for r in caplog.records if not r.name.startswith(("mcp", "httpx", "httpcore", "markdown_it"))]
    text = "\n".join(f"{r.levelname} {r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    # No token, at any level.
    leaked = sorted(s for s in tokens() if s in text)
    assert not leaked, f"secrets in logs: {[s[:4] + '…' for s in leaked]}"
    # No JQL, no query string, no unknown tool name at INFO or above.
    loud = [r for r in records if r.levelno >= logging.INFO]
    loud_text = "\n".join(r.getMessage() for r in loud)
    for user_text in (JQL_MARK, "QUERYMARK", "session_id=", unknown_name):
        assert user_text not in loud_text, user_text
    # The ordinary disconnects left no error and no traceback.
    assert not [r for r in records if r.levelno >= logging.ERROR], [r.getMessage() for r in records if r.levelno >= 40]
    assert not [r for r in records if r.exc_text or r.exc_info], "a traceback was logged"
    # Exactly one access line per request: as many as the server counted (the last scrape's comes after its count).
    access = [r for r in records if r.name == "passthrough.access" and r.levelno == logging.INFO]
    assert not [r for r in caplog.records if r.name == "aiohttp.access"], "aiohttp's own access log is still on"
    counted = sum(v for (name, _), v in after.items() if name == "passthrough_http_requests_total")
    assert len(access) == counted + 1
    assert len([r for r in access if '"GET /healthz"' in r.getMessage()]) == 3
    assert all("?" not in r.getMessage() for r in access)
    line = next(r for r in access if '"GET /healthz"' in r.getMessage()).getMessage()
    assert re.fullmatch(r'127\.0\.0\.1 "GET /healthz" 200 \d+\.\d ms http', line), line
    assert any(" 499 " in r.getMessage() for r in access), "the disconnects were not counted as 499"
    # The audit records: one per tool call, naming the source; never the JQL.
    audits = [r for r in records if r.name == "passthrough.audit"]
    assert len(audits) == searches + 1
    assert all(JQL_MARK not in json.dumps(r.audit) for r in audits)  # type: ignore[attr-defined]


async def test_json_logs_each_line_an_object_with_an_audit_trail(fake: FakeJira) -> None:
    """`python -m passthrough serve` with PASSTHROUGH_LOG_FORMAT=json, at DEBUG; all output parsed."""
    env = {
        **os.environ,
        **jira_env(fake, PASSTHROUGH_LOG_FORMAT="json", PASSTHROUGH_LOG_LEVEL="DEBUG"),
        "PASSTHROUGH_PORT": "0",
    }
    proc, url, lines = await start_server_process("serve", env=env)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            for user in (ALICE, BOB, ALICE):
                reply = await http.post(
                    "/mcp", json=call_body("jira_search", {"jql": JQL}), headers={"X-Jira-Token": user.token}
                )
                assert not reply.json()["result"]["isError"]
            await http.post(
                "/mcp", json=call_body("jira_get_myself", {}), headers={"Authorization": "Bearer " + BOB.token}
            )
        await disconnect_after_initialize(url)
    finally:
        proc.terminate()
        rest, _ = await asyncio.wait_for(proc.communicate(), 20)
        lines.append(rest.decode())
    output = "".join(lines)
    leaked = sorted(s for s in tokens() if s in output)
    assert not leaked, f"secrets in output: {[s[:4] + '…' for s in leaked]}"
    records = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL") or "exception" in r], "an error was logged"
    loud = [r for r in records if r["level"] != "DEBUG"]
    assert JQL_MARK not in json.dumps(loud)
    access = [r for r in records if r["logger"] == "passthrough.access" and r["level"] == "INFO"]
    assert access and all(
        {"request_id", "transport", "method", "path", "status", "duration_ms"} <= set(r) for r in access
    )
    audit = [r for r in records if r.get("event") == "tool_call"]
    assert len(audit) == 4
    fields = {
        "request_id",
        "transport",
        "tool",
        "provider",
        "credential_source",
        "credential_fingerprint",
        "upstream_status",
        "duration_ms",
        "outcome",
    }
    for record in audit:
        assert fields <= set(record), record
        assert record["transport"] == "streamable" and record["provider"] == "jira" and record["upstream_status"] == 200
        assert JQL_MARK not in json.dumps(record) and "jql" not in record
    assert [r["credential_source"] for r in audit] == ["X-Jira-Token"] * 3 + ["Authorization"]
    alice, bob, alice_again, _ = (r["credential_fingerprint"] for r in audit)
    assert alice == alice_again and alice != bob
    assert re.fullmatch(r"[0-9a-f]{12}", alice)
    assert len({r["request_id"] for r in audit}) == 4
    # Not a plain hash either: nothing computable from a guessed token matches it.
    for user in (ALICE, BOB):
        for form in (user.token, f"Bearer {user.token}"):
            plain = hashlib.sha256(form.encode()).hexdigest()
            assert alice not in plain and bob not in plain and alice not in form and bob not in form


async def test_metrics_off_is_404_and_loopback_refuses_what_came_through_a_proxy(fake: FakeJira) -> None:
    async with serve(make_settings(jira_env(fake, PASSTHROUGH_METRICS="off"))) as url:
        async with httpx.AsyncClient() as http:
            assert (await http.get(url + "/metrics")).status_code == 404
    async with serve(make_settings(jira_env(fake))) as url:
        async with httpx.AsyncClient() as http:
            assert (await http.get(url + "/metrics")).status_code == 200
            refused = await http.get(url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
            assert refused.status_code == 403 and "PASSTHROUGH_METRICS" in refused.text
    async with serve(make_settings(jira_env(fake, PASSTHROUGH_METRICS="on"))) as url:
        async with httpx.AsyncClient() as http:
            assert (await http.get(url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"})).status_code == 200


def test_the_metrics_policy_by_peer() -> None:
    assert metrics_allowed("loopback", "127.0.0.1", False)
    assert metrics_allowed("loopback", "::1", False)
    assert not metrics_allowed("loopback", "10.1.2.3", False)
    assert not metrics_allowed("loopback", "192.0.2.7", False)
    assert not metrics_allowed("loopback", None, False)
    assert not metrics_allowed("loopback", "127.0.0.1", True)
    assert metrics_allowed("on", "192.0.2.7", True)
    assert not metrics_allowed("off", "127.0.0.1", False)


def test_settings_read_and_check_the_log_format_and_metrics_policy() -> None:
    assert load_settings({}).log_format == "text" and load_settings({}).metrics == "loopback"
    assert load_settings({"PASSTHROUGH_LOG_FORMAT": "JSON", "PASSTHROUGH_METRICS": "on"}).log_format == "json"
    with pytest.raises(ConfigError, match="PASSTHROUGH_LOG_FORMAT must be text or json"):
        load_settings({"PASSTHROUGH_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="PASSTHROUGH_METRICS must be loopback, on or off"):
        load_settings({"PASSTHROUGH_METRICS": "yes please"})
