"""The official MCP conformance suite (npm @modelcontextprotocol/conformance): the server scenarios that need no
fixture data of the suite's own (its fixture tools, prompts and test:// resources are not passthrough's).

0.1.8 is the newest release that runs on the Node.js 20 Debian ships (later ones need Node 22's fs.globSync).
Skipped when npm is not installed or the registry cannot be reached.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import jira_env, make_settings, serve
from tests.fakes import FakeJira

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
SUITE = TOOLS / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
SCENARIOS = ["server-initialize", "tools-list", "resources-list", "completion-complete"]


@pytest.fixture(scope="module")
def conformance() -> Path:
    if not SUITE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed; the conformance suite needs Node.js")
        TOOLS.mkdir(exist_ok=True)
        done = subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(TOOLS),
                "@modelcontextprotocol/conformance@0.1.8",
            ],
            timeout=300,
            capture_output=True,
        )
        if done.returncode != 0 or not SUITE.exists():
            pytest.skip("the conformance suite could not be installed from the npm registry")
    return SUITE


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_conformance_scenario(conformance: Path, server_jira: FakeJira, tmp_path: Path, scenario: str) -> None:
    async with serve(make_settings(jira_env(server_jira, PASSTHROUGH_FALLBACK="off"))) as url:
        proc = await asyncio.create_subprocess_exec(
            "node",
            str(conformance),
            "server",
            "--url",
            url + "/mcp",
            "--scenario",
            scenario,
            cwd=tmp_path,  # it writes its results/ there
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
    text = out.decode()
    assert proc.returncode == 0, text[-2000:]
    assert "0 failed" in text and "Passed: " in text, text[-2000:]
