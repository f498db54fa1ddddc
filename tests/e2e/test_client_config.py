"""Claude Desktop's way of starting the relay: the printed config, outside the project, in a clean environment."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from passthrough.sandbox import DEMO, SAM
from passthrough.tools import all_tools
from tests.e2e._clients import text_of
from tests.e2e._sandbox import DEMO_1_SUMMARY, Sandbox, clean_environment, sandbox

ROOT = Path(__file__).resolve().parents[2]
INSPECTOR = ROOT / ".tools" / "node_modules" / ".bin" / "mcp-inspector"
"""Installed by tests/e2e/test_inspector.py from the npm registry."""
CALL_MYSELF = ("--method", "tools/call", "--tool-name", "jira_get_myself")


@pytest.fixture
def the_sandbox() -> Iterator[Sandbox]:
    with sandbox() as box:
        yield box


@pytest.fixture
def outside() -> Iterator[Path]:
    """A fresh directory outside the project, as Claude Desktop's working directory is."""
    with tempfile.TemporaryDirectory() as path:
        assert not Path(path).resolve().is_relative_to(ROOT)
        yield Path(path)


def printed_claude_config(url: str) -> dict[str, Any]:
    printed = subprocess.run(
        [sys.executable, "-m", "passthrough", "client-config", "claude", "--url", url],
        env={**clean_environment(), "JIRA_PERSONAL_TOKEN": "secret-xyz"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    assert "secret-xyz" not in printed.stdout + printed.stderr
    entry: dict[str, Any] = json.loads(printed.stdout)["mcpServers"]["passthrough"]
    assert Path(entry["command"]).is_absolute() and os.access(entry["command"], os.X_OK)
    return entry


async def test_the_printed_claude_config_starts_the_relay_outside_the_project(
    the_sandbox: Sandbox, outside: Path
) -> None:
    entry = printed_claude_config(the_sandbox.url)
    # only what the config names, plus a PATH without the venv; no PYTHONPATH, no VIRTUAL_ENV
    env = {**entry["env"], "PATH": "/usr/bin:/bin"}
    assert env["SSE_SERVER_URL"] == the_sandbox.url
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=env, cwd=outside)
    errlog = io.StringIO()
    with tempfile.TemporaryFile("w+") as log_file:
        async with Client(stdio_client(params, errlog=log_file), mode="legacy", cache=None) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            issue = await client.call_tool("jira_get_issue", {"issue_key": "DEMO-1"})
            me = await client.call_tool("openproject_get_myself", {})
        log_file.seek(0)
        errlog.write(log_file.read())
    relay_log = errlog.getvalue()
    assert names == {t.name for t in all_tools()}
    assert not issue.is_error and f"# DEMO-1: {DEMO_1_SUMMARY}" in text_of(issue)
    assert not me.is_error and DEMO.openproject.name in text_of(me)
    # the placeholders were not sent as credentials (the sandbox's shared Dana answered), and the relay said so
    assert "placeholder" in relay_log and "JIRA_PERSONAL_TOKEN" in relay_log
    assert "No module named" not in relay_log


def test_the_printed_inspector_config_file_works_with_the_inspector_cli(the_sandbox: Sandbox, outside: Path) -> None:
    """`client-config inspector` as its hint says to use it: saved as a file, read with --config/--server."""
    if not INSPECTOR.exists():
        pytest.skip("the Inspector CLI is not installed (tests/e2e/test_inspector.py installs it)")
    printed = subprocess.run(
        [sys.executable, "-m", "passthrough", "client-config", "inspector", "--products", "jira"],
        env={**clean_environment(), "PASSTHROUGH_PORT": the_sandbox.url.rsplit(":", 1)[1]},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0 and "--config passthrough-inspector.json" in printed.stderr, printed.stderr
    config = json.loads(printed.stdout)
    headers = config["mcpServers"]["passthrough"]["headers"]
    assert set(headers) == {"X-Jira-Token", "X-Jira-Email"}
    assert "Server/Data Center" in headers.pop("X-Jira-Email")  # the sandbox Jira is Server: delete, as it says
    headers["X-Jira-Token"] = SAM.jira.token  # what the user types in
    (outside / "passthrough-inspector.json").write_text(json.dumps(config))
    proc = subprocess.run(
        [str(INSPECTOR), "--cli", "--config", "passthrough-inspector.json", "--server", "passthrough", *CALL_MYSELF],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert not result.get("isError") and result["structuredContent"]["display_name"] == SAM.jira.display_name
