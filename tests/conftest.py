"""Fixtures shared by the app and end-to-end tests: a real passthrough on loopback, and fake upstreams."""

from __future__ import annotations

import asyncio
import copy
import gc
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from passthrough.http import build_app, listen
from passthrough.http._keys import SETTINGS
from passthrough.settings import Limits, Settings, load_settings
from tests.fakes import FakeJira, JiraUser

ALICE = JiraUser(
    name="alice",
    display_name="Alice Example",
    email="alice@example.com",
    account_id="acc-alice",
    token="alice-token-9f2c",
)
BOB = JiraUser(
    name="bob",
    display_name="Bob Example",
    email="bob@example.com",
    account_id="acc-bob",
    token="bob-token-77ad",
)
SHARED = JiraUser(
    name="svc",
    display_name="Service Account",
    email="svc@example.com",
    account_id="acc-svc",
    token="shared-token-51e0",
)


@pytest.fixture(autouse=True, scope="session")
def _fast_paths_agree_with_the_sdk() -> Iterator[None]:
    """Every tools/call answer and request the suite's in-process servers handle is also put through the SDK's
    schemas, and must come out the same: the dispatcher's fast paths (`shape_result` passing a plain tool result
    through, `params_problem` accepting a plain call) may skip the SDK only where it would change nothing."""
    from passthrough.protocol import _dispatcher, _sdk

    def shape(method: str, version: str, result: Mapping[str, Any]) -> dict[str, Any]:
        before = copy.deepcopy(result) if method == "tools/call" else result
        shaped = _sdk.shape_result(method, version, result)
        if method == "tools/call":
            expected = _sdk.sdk_shape_result(method, version, before)
            assert shaped == expected, f"shape_result at {version} differs from the SDK's:\n{shaped}\n{expected}"
        return shaped

    def problem(method: str, version: str, params: Mapping[str, Any] | None) -> str | None:
        found = _sdk.params_problem(method, version, params)
        if method == "tools/call":
            expected = _sdk.sdk_params_problem(method, version, params)
            assert found == expected, f"params_problem at {version} differs from the SDK's: {found!r}, {expected!r}"
        return found

    patch = pytest.MonkeyPatch()
    patch.setattr(_dispatcher, "shape_result", shape)
    patch.setattr(_dispatcher, "params_problem", problem)
    yield
    patch.undo()


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """The test process's own objects (every earlier test's) moved out of the collector's way while a stall check
    runs: the server under test shares this process, and a full collection over a long run's heap pauses
    everything in it for hundreds of milliseconds, which is the test process's doing, not the server's."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def make_settings(env: Mapping[str, str], **limits: float) -> Settings:
    """Settings as `passthrough serve` reads `env`, with every toolset on unless `env` chooses."""
    settings = load_settings({"PASSTHROUGH_TOOLSETS": "all", **env})
    if limits:
        settings = settings.model_copy(update={"limits": Limits.model_validate(limits)})
    return settings


@asynccontextmanager
async def serve(settings: Settings | web.Application) -> AsyncIterator[str]:
    """passthrough on 127.0.0.1 with an ephemeral port, configured as `passthrough serve` runs it."""
    app = settings if isinstance(settings, web.Application) else build_app(settings)
    listening = await listen(app, app.get(SETTINGS) or Settings(), "127.0.0.1", 0, shutdown_timeout=1.0)
    try:
        yield f"http://127.0.0.1:{listening.port}"
    finally:
        await listening.stop()


@pytest.fixture(params=["server", "cloud"])
async def jira(request: pytest.FixtureRequest) -> AsyncIterator[FakeJira]:
    fake = FakeJira(request.param, [ALICE, BOB, SHARED])
    async with fake.serve():
        yield fake


@pytest.fixture
async def server_jira() -> AsyncIterator[FakeJira]:
    fake = FakeJira("server", [ALICE, BOB, SHARED])
    async with fake.serve():
        yield fake


def jira_env(fake: FakeJira, **extra: str) -> dict[str, str]:
    return {"JIRA_URL": fake.url, "JIRA_DEPLOYMENT": fake.deployment, **extra}


def jira_headers(user: JiraUser, deployment: str) -> dict[str, str]:
    """The headers a client of this user sends: Cloud users add their email (Basic upstream)."""
    if deployment == "cloud":
        return {"X-Jira-Token": user.token, "X-Jira-Email": user.email}
    return {"Authorization": f"Bearer {user.token}"}


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


LISTENING = r"listening on (http://127\.0\.0\.1:\d+)"


async def start_server_process(
    *args: str, env: Mapping[str, str], ready: str = LISTENING
) -> tuple[asyncio.subprocess.Process, str, list[str]]:
    """`python -m passthrough <args>` as a user runs it; returns once a line matches `ready`.

    Gives the process, the URL `ready` captured, and the output read so far; the caller stops the process.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "passthrough",
        *args,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(30):
        while True:
            line = (await proc.stdout.readline()).decode()
            if not line:
                raise AssertionError("server exited early:\n" + "".join(lines))
            lines.append(line)
            if m := re.search(ready, line):
                return proc, m.group(1), lines


def environment_without_providers() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("JIRA_", "CONFLUENCE_", "OPENPROJECT_", "CLICKUP_"))
    }
