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


async def run_script(path: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(path),
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
