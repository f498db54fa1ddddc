"""The shipped examples run against a real passthrough and fake upstreams, so none of them rots."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from passthrough.credentials import new_api_key
from tests.conftest import ALICE, SHARED, jira_env, make_settings, serve
from tests.fakes import FakeJira

ROOT = Path(__file__).resolve().parents[2]


async def run_script(path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(path),
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def test_test_auth_passes_against_a_correct_server(server_jira: FakeJira) -> None:
    key, digest = new_api_key()
    env = jira_env(server_jira, JIRA_PERSONAL_TOKEN=SHARED.token, PASSTHROUGH_API_KEY_HASHES=digest)
    async with serve(make_settings(env)) as url:
        code, out = await run_script(
            ROOT / "examples" / "test_auth.py",
            {"SSE_SERVER_URL": url + "/sse", "JIRA_PERSONAL_TOKEN": ALICE.token, "MCP_API_KEY": key},
        )
    assert code == 0, out
    assert "fallback apikey" in out and ALICE.display_name in out and SHARED.display_name in out
    assert ALICE.token not in out and key not in out and SHARED.token not in out
    assert "NO " not in out


async def test_test_auth_fails_when_the_policy_is_not_what_the_server_claims(server_jira: FakeJira) -> None:
    env = jira_env(server_jira, JIRA_PERSONAL_TOKEN=SHARED.token, PASSTHROUGH_FALLBACK="open")
    async with serve(make_settings(env)) as url:
        code, out = await run_script(
            ROOT / "examples" / "test_auth.py", {"SSE_SERVER_URL": url, "JIRA_PERSONAL_TOKEN": "not-a-real-token"}
        )
    assert code == 1, out
    assert "NO " in out


async def test_test_auth_reports_an_unreachable_server() -> None:
    code, out = await run_script(ROOT / "examples" / "test_auth.py", {"SSE_SERVER_URL": "http://127.0.0.1:9"})
    assert code == 1 and "not reachable" in out


async def test_direct_httpx_example(server_jira: FakeJira) -> None:
    async with serve(make_settings(jira_env(server_jira))) as url:
        code, out = await run_script(
            ROOT / "examples" / "direct_httpx.py", {"SSE_SERVER_URL": url, "JIRA_PERSONAL_TOKEN": ALICE.token}, "DEMO-7"
        )
    assert code == 0, out
    assert "jira_get_issue" in out.splitlines()[0] and "# DEMO-7: " in out


def _fill(value: object, tokens: dict[str, str]) -> object:
    if isinstance(value, dict):
        return {k: _fill(v, tokens) for k, v in value.items()}
    if isinstance(value, str):
        for needle, token in tokens.items():
            if needle in value.lower():
                return token
    return value


async def test_url_client_configs_work_with_the_sdk_client(server_jira: FakeJira) -> None:
    """Cursor's and VS Code's configs: their URL and headers, as those clients would send them."""
    import json

    from tests.e2e._clients import text_of

    for name, servers_key in (("cursor-mcp.json", "mcpServers"), ("vscode-mcp.json", "servers")):
        config = json.loads((ROOT / "examples" / name).read_text())
        entry = config[servers_key]["passthrough"]
        assert entry["url"] == "http://127.0.0.1:8000/mcp"
        headers = _fill(entry["headers"], {"jira": ALICE.token, "confluence": "unused", "openproject": "unused"})
        assert isinstance(headers, dict)
        async with serve(make_settings(jira_env(server_jira))) as url:
            import httpx2
            from mcp import Client
            from mcp.client.streamable_http import streamable_http_client

            async with (
                httpx2.AsyncClient(headers=headers) as http,
                Client(streamable_http_client(url + "/mcp", http_client=http), mode="legacy", cache=None) as client,
            ):
                me = await client.call_tool("jira_get_myself", {})
        assert not me.is_error and ALICE.display_name in text_of(me), name


def test_claude_desktop_config_names_what_the_shim_reads() -> None:
    import json

    config = json.loads((ROOT / "config-sse-auth.json").read_text())
    entry = config["mcpServers"]["passthrough"]
    assert entry["args"] == ["-m", "passthrough.sse_client"]
    assert set(entry["env"]) == {
        "SSE_SERVER_URL",
        "JIRA_PERSONAL_TOKEN",
        "JIRA_EMAIL",
        "CONFLUENCE_PERSONAL_TOKEN",
        "CONFLUENCE_EMAIL",
        "OPENPROJECT_API_KEY",
        "MCP_API_KEY",
    }
