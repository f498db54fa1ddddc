"""Everything hostile at once, while another user works: the server stays responsive and fair.

One attacker (with a valid account of their own, and anonymously) runs every
kind of abuse the shared-server review found — batches of calls, a stream it
never reads, half-sent requests, a storm of cancelled calls, huge Markdown, and
calls to an upstream that drips a byte at a time — while Bob makes ordinary
calls and `/healthz` is timed. Bob's calls must take their normal time plus
at most a second, healthz must stay fast, and everything must be released after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web

from passthrough.http import build_app
from passthrough.http._keys import ADMISSION, LEGACY_SESSIONS
from tests.conftest import ALICE, BOB, make_settings, serve
from tests.e2e._clients import assert_no_stall, time_healthz
from tests.fakes import FakeJira, JiraUser

ATTACKER = {"X-Jira-Token": ALICE.token}
# The attacker's second account, for the Markdown: its own allowance, so the conversions really run.
MALLORY = JiraUser(
    name="mallory", display_name="Mallory", email="m@example.com", account_id="acc-m", token="mallory-token-1d1d"
)
VICTIM = {"X-Jira-Token": BOB.token}
ROOT = Path(__file__).resolve().parents[2]


def call(name: str, args: dict[str, Any], rid: int | str = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}


@contextlib.asynccontextmanager
async def drip() -> AsyncIterator[str]:
    """An upstream that answers 200 and then sends one byte every 0.5 s, for at most 60 s."""

    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b"{")
        for _ in range(120):
            await asyncio.sleep(0.5)
            try:
                await response.write(b" ")
            except ConnectionError:  # passthrough gave up on it, as it should
                break
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


def upstreams_until_told() -> None:
    """The upstreams' process: serve Jira and the drip until a line arrives on stdin (upstreams run elsewhere)."""

    async def main() -> None:
        fake = FakeJira("server", [ALICE, BOB, MALLORY])
        fake.delay = 0.05
        async with fake.serve(), drip() as dripping:
            print(json.dumps({"jira": fake.url, "drip": dripping}), flush=True)
            await asyncio.to_thread(sys.stdin.readline)

    asyncio.run(main())


@contextlib.asynccontextmanager
async def process(entry: str, *args: str) -> AsyncIterator[tuple[asyncio.subprocess.Process, bytes]]:
    """Run `entry` (a function of this module) in a child process; yield it with the first line it printed.

    The child stands for another machine, so it runs at a lower priority: on a test machine
    with two cores it would otherwise take the server's core, and the timing would measure that.
    """
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"import os, sys; os.nice(10); from tests.e2e.test_hostile_mix import {entry}; {entry}(*sys.argv[1:])",
        *args,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin and child.stdout
    try:
        yield child, await asyncio.wait_for(child.stdout.readline(), 30)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


def attack_until_told(url: str) -> None:
    """The attacker's process: attack until a line arrives on stdin, then print what it saw as JSON."""

    async def main() -> dict[str, list[str]]:
        stop = asyncio.Event()
        seen: dict[str, list[str]] = {"batch": [], "markdown": [], "drip": [], "reader-cut-off": []}
        attack = asyncio.create_task(_attack(url, stop, seen))
        print("started", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        stop.set()
        await asyncio.wait_for(attack, 30)
        return seen

    print(json.dumps(asyncio.run(main())), flush=True)


async def _attack(url: str, stop: asyncio.Event, seen: dict[str, list[str]]) -> None:
    host, port = url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=300)
    async with aiohttp.ClientSession(url, connector=connector) as http:

        async def batches() -> None:
            while not stop.is_set():
                batch = [call("jira_get_myself", {}, i) for i in range(32)]
                try:
                    async with http.post("/mcp", json=batch, headers=ATTACKER) as r:
                        seen["batch"].append(str(r.status))
                        await r.read()
                except aiohttp.ClientError:  # a pooled connection the server closed as idle
                    seen["batch"].append("reset")

        async def cancelled_calls() -> None:
            while not stop.is_set():
                with_timeout = aiohttp.ClientTimeout(total=0.05)
                try:
                    async with http.post(
                        "/mcp", json=call("jira_get_myself", {}), headers=ATTACKER, timeout=with_timeout
                    ) as r:
                        await r.read()
                except (TimeoutError, aiohttp.ClientError):
                    pass

        async def huge_markdown() -> None:
            for body in ("a\n" * 50_000, "*" * 200_000, "[a](b)" * 30_000):
                if stop.is_set():
                    return
                args = {"issue_key": "DEMO-1", "body": body}
                headers = {"X-Jira-Token": MALLORY.token}
                async with http.post("/mcp", json=call("jira_add_comment", args), headers=headers) as r:
                    seen["markdown"].append(json.dumps(await r.json())[:300])

        async def dripping() -> None:
            while not stop.is_set():
                async with http.post(
                    "/mcp", json=call("confluence_get_myself", {}), headers={**ATTACKER, "X-Confluence-Token": "drip"}
                ) as r:
                    seen["drip"].append(await r.text())

        async def half_sent() -> None:
            socks = []
            for _ in range(50):
                sock = socket.socket()
                sock.setblocking(False)
                await loop.sock_connect(sock, (host, int(port)))
                await loop.sock_sendall(sock, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
                socks.append(sock)
            await stop.wait()
            for sock in socks:
                sock.close()

        async def never_reads() -> None:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.setblocking(False)
            await loop.sock_connect(sock, (host, int(port)))
            await loop.sock_sendall(
                sock, f"GET /sse HTTP/1.1\r\nHost: {host}\r\nX-Jira-Token: {ALICE.token}\r\n\r\n".encode()
            )
            head = b""
            while b"session_id=" not in head or b"\n\n" not in head.split(b"session_id=", 1)[1]:
                head += await loop.sock_recv(sock, 4096)
            sid = head.split(b"session_id=", 1)[1].split(b"\n", 1)[0].decode()
            listing = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
            while not stop.is_set():
                async with http.post(f"/messages?session_id={sid}", json=listing) as r:
                    if r.status == 404:
                        seen["reader-cut-off"].append(sid)
                        break
            sock.close()

        await asyncio.gather(
            *(batches() for _ in range(4)),
            *(cancelled_calls() for _ in range(20)),
            huge_markdown(),
            *(dripping() for _ in range(10)),
            half_sent(),
            never_reads(),
        )


@pytest.mark.usefixtures("frozen_heap")
async def test_everything_hostile_at_once_while_another_user_works() -> None:
    # This process holds passthrough, Bob and the probe only: what is timed is passthrough's own loop.
    async with process("upstreams_until_told") as (_, first):
        urls = json.loads(first)
        env = {
            "JIRA_URL": urls["jira"],
            "JIRA_DEPLOYMENT": "server",
            "CONFLUENCE_URL": urls["drip"],
            "CONFLUENCE_DEPLOYMENT": "server",
            "PASSTHROUGH_FALLBACK": "off",
        }
        settings = make_settings(
            env,
            upstream_deadline_seconds=3.0,
            upstream_timeout_seconds=2.0,
            sse_buffer_bytes=500_000,
            idle_timeout_seconds=2.0,
        )
        app = build_app(settings)
        async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as bob:

            async def bobs_call() -> float:
                started = time.perf_counter()
                reply = (await bob.post("/mcp", json=call("jira_get_myself", {}), headers=VICTIM)).json()
                assert reply["result"]["structuredContent"]["display_name"] == BOB.display_name, json.dumps(reply)
                return time.perf_counter() - started

            normal = statistics.median([await bobs_call() for _ in range(5)])
            # the attacker runs in a process of its own, as it would: its client work is not charged to this loop
            async with process("attack_until_told", url) as (attacker, first):
                assert first == b"started\n"
                assert attacker.stdin and attacker.stdout
                await asyncio.sleep(1.0)  # let every kind of abuse get going
                health: list[float] = []
                bobs: list[float] = []

                async def bobs_turn() -> None:
                    bobs.append(await bobs_call())

                deadline = time.perf_counter() + 6.0
                await time_healthz(url, lambda: time.perf_counter() >= deadline, health, 0.02, bobs_turn)
                attacker.stdin.write(b"stop\n")
                await attacker.stdin.drain()
                seen = json.loads(await asyncio.wait_for(attacker.stdout.read(), 30))
                assert await attacker.wait() == 0
            for _ in range(100):
                if not len(app[ADMISSION]) and not len(app[LEGACY_SESSIONS]):
                    break
                await asyncio.sleep(0.05)
            assert len(app[ADMISSION]) == 0, "the attack left in-flight slots held"
    # every kind of abuse really ran, and met its bound
    assert seen["batch"], "no batch went through"
    assert len(seen["markdown"]) == 3 and all('"result"' in m for m in seen["markdown"]), seen["markdown"]
    assert seen["drip"] and all("PASSTHROUGH_UPSTREAM_DEADLINE_SECONDS" in d for d in seen["drip"]), seen["drip"][:1]
    assert seen["reader-cut-off"], "the stream nobody read was never ended"
    assert_no_stall(health, "under attack")
    assert max(bobs) < normal + 1.0, f"Bob's calls took up to {max(bobs):.2f} s (normally {normal:.2f} s)"
