"""The MCP Inspector CLI (the official npm tool) with custom headers, over both HTTP transports."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ALICE, jira_env, make_settings, serve
from tests.fakes import FakeJira

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
INSPECTOR = TOOLS / "node_modules" / ".bin" / "mcp-inspector"


@pytest.fixture(scope="module")
def inspector() -> Path:
    """Installed from the npm registry on first use, like ./run installs the Python side."""
    if not INSPECTOR.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed; the Inspector CLI needs Node.js")
        TOOLS.mkdir(exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(TOOLS),
                "@modelcontextprotocol/inspector@2",
            ],
            check=True,
            timeout=300,
            capture_output=True,
        )
    return INSPECTOR


@pytest.mark.parametrize("era", ["legacy", "auto", "modern"])
@pytest.mark.parametrize("path", ["/mcp", "/sse"])
async def test_inspector_cli_with_custom_headers(inspector: Path, server_jira: FakeJira, path: str, era: str) -> None:
    """Every protocol era over both transports; `auto` and `modern` over /sse send 2026-07-28 envelopes there."""
    async with serve(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))) as url:
        proc = await asyncio.create_subprocess_exec(
            str(inspector),
            "--cli",
            url + path,
            "--header",
            f"Authorization: Bearer {ALICE.token}",
            "--method",
            "tools/call",
            "--tool-name",
            "jira_get_issue",
            "--tool-arg",
            "issue_key=DEMO-4",
            "--protocol-era",
            era,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, err.decode()
    result = json.loads(out)
    assert result["structuredContent"]["key"] == "DEMO-4" and not result.get("isError")
    assert {r.identity for r in server_jira.requests} == {ALICE.name}
