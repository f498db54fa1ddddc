"""The shipped examples run against a real passthrough and fake upstreams, so none of them rots."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from passthrough.credentials import new_api_key
from passthrough.sandbox import DEMO, SAM
from tests.conftest import ALICE, SHARED, jira_env, make_settings, serve
from tests.e2e._sandbox import DEMO_1_SUMMARY, Sandbox, clean_environment, sandbox
from tests.fakes import FakeJira
from tests.unit.test_readme import SERVE_URL, runnable_blocks

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
        own = {k: v for k, v in entry["headers"].items() if not k.endswith("-Email")}  # Server: no email
        headers = _fill(
            own, {"jira": ALICE.token, "confluence": "unused", "openproject": "unused", "clickup": "unused"}
        )
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
    # JSON has no comments: the path is an obvious placeholder, and the README says to print the real one
    assert entry["command"] == "/absolute/path/to/passthrough/.venv/bin/python"
    assert "passthrough client-config claude" in (ROOT / "README.md").read_text()
    assert entry["args"] == ["-m", "passthrough.sse_client"]
    from passthrough.sse_client._config import load_config

    assert load_config(entry["env"]).headers == {}, "every credential value is a <...> placeholder, never sent"
    assert set(entry["env"]) == {
        "SSE_SERVER_URL",
        "JIRA_PERSONAL_TOKEN",
        "JIRA_EMAIL",
        "CONFLUENCE_PERSONAL_TOKEN",
        "CONFLUENCE_EMAIL",
        "OPENPROJECT_API_KEY",
        "MCP_API_KEY",
    }


# --- against `./run serve`'s sandbox, as a newcomer runs them: no account, no credential in the environment ---


@pytest.fixture(scope="module")
def the_sandbox() -> Iterator[Sandbox]:
    with sandbox() as box:
        yield box


def run_sync(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env={**clean_environment(), **(env or {})}, capture_output=True, text=True, timeout=60
    )


def test_readme_python_snippets_run_against_the_sandbox(the_sandbox: Sandbox, tmp_path: Path) -> None:
    blocks = runnable_blocks()["python"]
    assert blocks
    for i, code in enumerate(blocks):
        script = tmp_path / f"snippet_{i}.py"
        script.write_text(code.replace(SERVE_URL, the_sandbox.url))
        proc = run_sync([sys.executable, str(script)], tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"# DEMO-1: {DEMO_1_SUMMARY}" in proc.stdout, proc.stdout + proc.stderr
        assert "Dana Demo" in proc.stdout


def test_readme_curl_lines_run_against_the_sandbox(the_sandbox: Sandbox, tmp_path: Path) -> None:
    blocks = runnable_blocks()["curl"]
    assert blocks
    for code in blocks:
        proc = run_sync(["bash", "-euo", "pipefail", "-c", code.replace(SERVE_URL, the_sandbox.url)], tmp_path)
        assert proc.returncode == 0, proc.stderr
        reply = json.loads(proc.stdout)
        assert not reply["result"].get("isError"), reply
        assert f"# DEMO-1: {DEMO_1_SUMMARY}" in reply["result"]["content"][0]["text"]


def test_a_bare_curl_post_is_refused_with_415_as_the_readme_says(the_sandbox: Sandbox, tmp_path: Path) -> None:
    body = '{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}'
    proc = run_sync(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", the_sandbox.url + "/mcp", "-d", body], tmp_path
    )
    assert proc.stdout == "415"


def test_direct_httpx_runs_against_the_sandbox_without_a_token(the_sandbox: Sandbox, tmp_path: Path) -> None:
    proc = run_sync(
        [sys.executable, str(ROOT / "examples" / "direct_httpx.py")], tmp_path, {"SSE_SERVER_URL": the_sandbox.url}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, *rest = proc.stdout.splitlines()
    assert first.startswith("tools: ") and "jira_get_issue" in first and "openproject_get_myself" in first
    assert f"# DEMO-1: {DEMO_1_SUMMARY}" in rest[0] and "Assignee: Dana Demo" in proc.stdout


def test_direct_httpx_reports_a_tool_error_and_exits_1(the_sandbox: Sandbox, tmp_path: Path) -> None:
    proc = run_sync(
        [sys.executable, str(ROOT / "examples" / "direct_httpx.py"), "NOPE-999"],
        tmp_path,
        {"SSE_SERVER_URL": the_sandbox.url + "/mcp"},
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "404 Not Found" in proc.stdout


def test_test_auth_runs_against_the_sandbox(the_sandbox: Sandbox, tmp_path: Path) -> None:
    script = [sys.executable, str(ROOT / "examples" / "test_auth.py")]
    anonymous = run_sync(script, tmp_path, {"SSE_SERVER_URL": the_sandbox.url})
    assert anonymous.returncode == 0, anonymous.stdout + anonymous.stderr
    assert "fallback open" in anonymous.stdout and "NO " not in anonymous.stdout
    assert anonymous.stdout.count(DEMO.jira.display_name) == 4  # one row per product
    sam = {
        "JIRA_PERSONAL_TOKEN": SAM.jira.token,
        "CONFLUENCE_PERSONAL_TOKEN": SAM.confluence.token,
        "CONFLUENCE_EMAIL": SAM.confluence.email,
        "OPENPROJECT_API_KEY": SAM.openproject.api_key,
    }
    as_sam = run_sync(script, tmp_path, {"SSE_SERVER_URL": the_sandbox.url, **sam})
    assert as_sam.returncode == 0, as_sam.stdout + as_sam.stderr
    assert SAM.jira.display_name in as_sam.stdout and "NO " not in as_sam.stdout
    assert all(value not in as_sam.stdout for value in sam.values() if "@" not in value)


def _sam_value(placeholder: str) -> str:
    """What Sam types where a config holds a placeholder (`<your Jira ... token>`, `${input:jira-token}`)."""
    text = placeholder.lower()
    if "email" in text:
        return SAM.confluence.email
    if "openproject" in text:
        return SAM.openproject.api_key
    if "clickup" in text:
        return SAM.clickup.token
    return SAM.confluence.token if "confluence" in text else SAM.jira.token


@pytest.mark.parametrize(("name", "servers_key"), [("cursor-mcp.json", "mcpServers"), ("vscode-mcp.json", "servers")])
async def test_url_client_configs_work_against_the_sandbox(the_sandbox: Sandbox, name: str, servers_key: str) -> None:
    """The examples as shipped, with Sam's sandbox values where they hold placeholders."""
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from tests.e2e._clients import text_of

    entry = json.loads((ROOT / "examples" / name).read_text())[servers_key]["passthrough"]
    assert entry["url"] == SERVE_URL + "/mcp"
    # as the placeholders say: the sandbox Jira is Server (no email), its Confluence is Cloud (email)
    headers = {k: _sam_value(v) for k, v in entry["headers"].items() if k != "X-Jira-Email"}
    url = entry["url"].replace(SERVE_URL, the_sandbox.url)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy", cache=None) as client,
    ):
        products = ["jira", "openproject", "clickup"] + (["confluence"] if "X-Confluence-Email" in headers else [])
        for product in products:
            me = await client.call_tool(f"{product}_get_myself", {})
            assert not me.is_error and SAM.jira.display_name in text_of(me), (product, text_of(me))
