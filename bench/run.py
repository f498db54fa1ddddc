"""Benchmarks: passthrough against the floor (the fake upstream called directly) and against mcp-atlassian.

    python bench/run.py            # the full run: 3 rounds, ~5 minutes
    python bench/run.py --quick    # 2 short rounds, ~1 minute
    python bench/run.py --profile  # py-spy profiles of passthrough (and the peer) under load, no table
    python bench/run.py --replicas --quick  # only the replica figures (1, 2, 3 replicas; --workers 2)

Processes: this one (orchestrator and load generator), the fake Jira (bench/_fake.py), passthrough
(`python -m passthrough serve`) and the peer (bench/.peer-venv/bin/mcp-atlassian), each its own process, all
on 127.0.0.1; the replica figures (bench/_replicas.py) add three passthrough replicas, a redis-server, HAProxy
and `passthrough serve --workers 2`. Every figure is the median of the rounds with the spread (min..max)
beside it; ratios and overheads are taken within each round, then summarised the same way. The table goes to
stdout and, as JSON, to bench/results/<timestamp>.json and bench/results/latest.json. See bench/README.md for
what each figure is.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import collections
import contextlib
import ctypes
import json
import os
import platform
import re
import resource
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import _peer
import _replicas
from _common import (
    BENCH,
    HOST,
    ISSUE_KEY,
    PY_SPY_PACKAGE,
    REPO,
    RESULTS,
    USERS,
    BenchUser,
    eprint,
    free_port,
    percentile,
    proc_cpu_seconds,
    proc_rss_kb,
)
from _load import (
    Caller,
    Connection,
    FloorCaller,
    HttpError,
    HttpxFloorCaller,
    LegacySseCaller,
    McpPostCaller,
    StatelessCaller,
    StreamableCaller,
    ToolCall,
    gather_bounded,
    run_latency,
    run_throughput,
)


@dataclass(frozen=True)
class Plan:
    rounds: int
    window: float  # seconds of measured throughput per target and round
    warmup: float  # seconds of load before the window opens
    calls: int  # sequential calls per latency run (fewer if latency_seconds runs out first)
    latency_seconds: float
    sessions: int  # idle legacy SSE sessions for the memory figure
    concurrency: int = 32
    warm_calls: int = 20
    profile_seconds: float = 8.0  # py-spy per layer profile


FULL = Plan(rounds=3, window=10.0, warmup=1.0, calls=1000, latency_seconds=12.0, sessions=1000)
QUICK = Plan(rounds=2, window=2.5, warmup=0.5, calls=300, latency_seconds=2.5, sessions=1000, profile_seconds=3.0)

T = TypeVar("T")
_T0 = time.perf_counter()


def progress(text: str) -> None:
    eprint(f"[{time.perf_counter() - _T0:6.1f}s] {text}")


# ------------------------------------------------------------------------------------------ processes

_RUNNING: list[Server] = []


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM if the benchmark dies without cleaning up (even by SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Server:
    """A process this benchmark started (in its own session), stopped by its own process-group id only."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path, pipes: bool = False) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{name}-{int(time.time() * 1000)}.log"
        self.pipes = pipes
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.stop_seconds = 0.0

    def start(self) -> Server:
        log = open(self.log_path, "wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            # not the repo: `-m passthrough` then imports the installed package (or --pythonpath's copy)
            cwd=self.log_path.parent,
            stdin=subprocess.PIPE if self.pipes else subprocess.DEVNULL,
            stdout=subprocess.PIPE if self.pipes else log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        _RUNNING.append(self)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            began = time.perf_counter()
            for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    progress(f"  {self.name} ignored SIGTERM for {wait:.0f} s; killing it")
                    continue
            self.stop_seconds = time.perf_counter() - began
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        if self in _RUNNING:
            _RUNNING.remove(self)

    async def astop(self) -> float:
        """Stop from inside the event loop, which keeps running meanwhile (so the sockets this process just
        closed really close, and the server sees its clients go); seconds from SIGTERM to exit."""
        await asyncio.sleep(0.1)
        proc = self.proc
        if proc is not None and proc.poll() is None:
            began = time.perf_counter()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            while proc.poll() is None and time.perf_counter() - began < 15.0:  # noqa: ASYNC110 - polling a child
                await asyncio.sleep(0.01)
            self.stop_seconds = time.perf_counter() - began
            if proc.poll() is None:
                progress(f"  {self.name} ignored SIGTERM for 15 s; killing it")
        self.stop()
        return self.stop_seconds

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def stop_all() -> None:
    for server in list(reversed(_RUNNING)):
        server.stop()


class Fake(Server):
    """The fake Jira process and its stdin/stdout command channel."""

    def __init__(self, log_dir: Path, delay: float) -> None:
        argv = [sys.executable, str(BENCH / "_fake.py"), "--port", "0", "--delay", str(delay)]
        super().__init__("fake-jira", argv, {**_peer.base_environment()}, log_dir, pipes=True)
        self.url = ""
        self.port = 0

    def _line(self, timeout: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line:
            raise RuntimeError(f"the fake Jira did not answer; its log:\n{self.tail()}")
        return line.strip()

    def start(self) -> Fake:
        super().start()
        line = self._line(30.0)
        if not line.startswith("FAKE_URL "):
            raise RuntimeError(f"unexpected first line from the fake: {line!r}")
        _, self.url, render = line.split(" ", 2)
        self.port = int(self.url.rsplit(":", 1)[1])
        self.render: dict[str, Any] = json.loads(render)
        return self

    def command(self, command: str) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()
        reply: dict[str, Any] = json.loads(self._line(10.0))
        return reply


# Set from --server-env / --pythonpath: to measure a candidate change (a setting, or a patched copy of the
# package shadowing the installed one) without touching the product. Empty for the figures of record.
SERVER_OVERRIDES: dict[str, str] = {}


def passthrough_server(
    port: int,
    jira_url: str,
    log_dir: Path,
    prefix: list[str] | None = None,
    products: dict[str, str] | None = None,
    args: list[str] | None = None,
    env: dict[str, str] | None = None,
    name: str = "passthrough",
) -> Server:
    """passthrough on `port`: Jira Server/DC at `jira_url` by default, or the `products` environment given;
    `env`: more variables (the replicas' PASSTHROUGH_REDIS_URL)."""
    argv = [sys.executable, *(prefix or []), "-m", "passthrough", "serve", "--port", str(port), *(args or [])]
    environment = {
        **_peer.base_environment(),
        **(products if products is not None else {"JIRA_URL": jira_url, "JIRA_DEPLOYMENT": "server"}),
        "PASSTHROUGH_LOG_LEVEL": "WARNING",
        **(env or {}),
        **SERVER_OVERRIDES,
    }
    return Server(name, argv, environment, log_dir)


def peer_server(port: int, jira_url: str, log_dir: Path) -> Server:
    return Server("mcp-atlassian", _peer.command(port), _peer.environment(jira_url), log_dir)


async def bounded(awaitable: Awaitable[T], seconds: float = 60.0) -> T:
    """Every step that waits on a server is bounded in time: a server that hangs fails the run instead."""
    return await asyncio.wait_for(awaitable, seconds)


async def wait_ready(server: Server, port: int, limit: float = 120.0) -> float:
    """Seconds from the process's start to its first `GET /healthz` 200 (polled every 5 ms)."""
    deadline = server.started + limit
    while True:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited during start-up; its log:\n{server.tail()}")
        conn = Connection(HOST, port)
        try:
            response = await conn.request(b"GET", b"/healthz")
            if response.status == 200:
                return time.perf_counter() - server.started
        except (OSError, HttpError, asyncio.IncompleteReadError):
            pass
        finally:
            conn.close()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{server.name} was not ready after {limit:.0f} s; its log:\n{server.tail()}")
        await asyncio.sleep(0.005)


# ------------------------------------------------------------------------------------------ measuring


@dataclass(frozen=True)
class RenderCall:
    """One render-heavy tool: its call, the headers it needs besides the Bearer token, and its floor."""

    name: str
    call: ToolCall
    extra_headers: Callable[[BenchUser], bytes]
    floor_authorization: Callable[[BenchUser], str]
    floor_origin: str

    def caller(self, port: int) -> Callable[[BenchUser], Caller]:
        return lambda u: McpPostCaller(HOST, port, u.token, self.call, self.extra_headers(u))

    def floor(self, target: str) -> Callable[[BenchUser], Caller]:
        port = int(self.floor_origin.rsplit(":", 1)[1])
        return lambda u: FloorCaller(HOST, port, u.token, target, self.call.marker, self.floor_authorization(u))


@contextlib.asynccontextmanager
async def running(server: Server, port: int) -> AsyncIterator[float]:
    """`server` started and ready (yields seconds to its first /healthz 200); stopped on the way out."""
    server.start()
    try:
        yield await wait_ready(server, port)
        await server.astop()
    finally:
        server.stop()


class Bench:
    def __init__(self, plan: Plan, fake: Fake, log_dir: Path, with_peer: bool) -> None:
        self.plan = plan
        self.fake = fake
        self.log_dir = log_dir
        self.with_peer = with_peer
        self.upstream_target = f"/rest/api/2/issue/{ISSUE_KEY}"  # replaced by what passthrough really sends

    async def _warm(self, caller: Caller, calls: int, what: str) -> None:
        for i in range(calls):
            if not await caller.call():
                raise RuntimeError(f"{what}: warm-up call {i + 1} did not return {ISSUE_KEY}")

    async def measure(
        self, make: Callable[[BenchUser], Caller], server_pid: int, what: str, latency_only: bool = False
    ) -> dict[str, Any]:
        """Latency at concurrency 1 (one user), then throughput at concurrency 32 (users spread)."""
        plan, fake = self.plan, self.fake
        caller = make(USERS[0])
        await bounded(caller.setup())
        await bounded(self._warm(caller, plan.warm_calls, what))
        fake.command("reset")
        cpu0 = proc_cpu_seconds(server_pid)
        lat = await run_latency(caller, plan.calls, plan.latency_seconds)
        cpu1 = proc_cpu_seconds(server_pid)
        upstream = fake.command("stats")
        await caller.close()
        n = len(lat.samples_ms) + lat.errors
        samples = sorted(lat.samples_ms)
        latency = {
            "calls": n,
            "errors": lat.errors,
            "p50_ms": statistics.median(samples) if samples else float("nan"),
            "p90_ms": percentile(samples, 90),
            "p99_ms": percentile(samples, 99),
            "mean_ms": statistics.fmean(samples) if samples else float("nan"),
            "server_cpu_s_per_1k": (cpu1 - cpu0) / n * 1000 if n else float("nan"),
            "upstream_connections": upstream["connections"],
            "upstream_connections_per_1k": upstream["connections"] * 1000 / n if n else float("nan"),
            "upstream_opened": upstream["opened"],
            "upstream_opened_per_1k": upstream["opened"] * 1000 / n if n else float("nan"),
            "upstream_requests_per_call": upstream["requests"] / n if n else float("nan"),
            "upstream_paths": upstream["paths"],
        }
        if latency_only:
            progress(f"    {what}: p50 {latency['p50_ms']:.2f} ms, p99 {latency['p99_ms']:.2f} ms ({n} calls)")
            return {"latency": latency}

        callers = [make(USERS[i % len(USERS)]) for i in range(plan.concurrency)]
        await bounded(gather_bounded([c.setup for c in callers], 8))
        fake.command("reset")
        fake_pid = fake.pid

        def sample() -> dict[str, float]:
            return {
                "server": proc_cpu_seconds(server_pid),
                "fake": proc_cpu_seconds(fake_pid),
                "loadgen": time.process_time(),
            }

        tp = await run_throughput(callers, plan.window, plan.warmup, sample)
        upstream = fake.command("stats")
        for c in callers:
            await c.close()
        calls = max(tp.calls, 1)
        under_load = sorted(tp.samples_ms)
        throughput = {
            "p50_ms": statistics.median(under_load) if under_load else float("nan"),
            "p99_ms": percentile(under_load, 99),
            "concurrency": plan.concurrency,
            "calls": tp.calls,
            "errors": tp.errors,
            "window_s": tp.window,
            "calls_per_s": tp.per_second,
            "server_cpu_s_per_1k": tp.cpu["server"] / calls * 1000,
            "fake_cpu_s_per_1k": tp.cpu["fake"] / calls * 1000,
            "loadgen_cpu_s_per_1k": tp.cpu["loadgen"] / calls * 1000,
            "server_cpu_pct": tp.cpu["server"] / tp.window * 100,
            "fake_cpu_pct": tp.cpu["fake"] / tp.window * 100,
            "loadgen_cpu_pct": tp.cpu["loadgen"] / tp.window * 100,
            "upstream_connections": upstream["connections"],
            "upstream_opened": upstream["opened"],
            "upstream_requests_per_call": upstream["requests"] / calls,
        }
        progress(
            f"    {what}: p50 {latency['p50_ms']:.2f} ms, p99 {latency['p99_ms']:.2f} ms ({n} calls); "
            f"{tp.per_second:.0f} calls/s at c={plan.concurrency} (p99 {throughput['p99_ms']:.1f} ms); "
            f"errors {lat.errors}+{tp.errors}"
        )
        return {"latency": latency, "throughput": throughput}

    async def idle_sessions(self, pid: int, port: int) -> dict[str, Any]:
        """RSS of passthrough before and with N idle `GET /sse` streams open from this process."""
        n = self.plan.sessions
        await asyncio.sleep(0.5)
        before = proc_rss_kb(pid)
        # one idle session per user, as a thousand people would leave them (passthrough caps sessions per
        # client, PASSTHROUGH_MAX_SESSIONS_PER_CLIENT); an idle stream makes no upstream call, so these users
        # need not exist upstream
        streams = [LegacySseCaller(HOST, port, f"idle-user-token-{i:05d}") for i in range(n)]
        started = time.perf_counter()
        try:
            await asyncio.wait_for(gather_bounded([s.open_stream for s in streams], 50), 120.0)
            opened = time.perf_counter() - started
            await asyncio.sleep(1.0)
            held = proc_rss_kb(pid)
        finally:
            for s in streams:
                await s.close()
        await asyncio.sleep(1.0)
        after = proc_rss_kb(pid)
        result = {
            "sessions": n,
            "rss_before_kb": before,
            "rss_with_sessions_kb": held,
            "rss_after_close_kb": after,
            "kb_per_session": (held - before) / n,
            "open_seconds": opened,
        }
        progress(
            f"    {n} idle SSE sessions: {before / 1024:.1f} -> {held / 1024:.1f} MB, "
            f"{result['kb_per_session']:.1f} KB each"
        )
        return result

    async def passthrough_round(self) -> dict[str, Any]:
        port = free_port()
        server = passthrough_server(port, self.fake.url, self.log_dir).start()
        try:
            startup = await wait_ready(server, port)
            progress(f"  passthrough ready in {startup:.2f} s")
            # first calls: check it answers, and learn the upstream request one call makes (the floor sends it)
            self.fake.command("reset")
            probe = McpPostCaller(HOST, port, USERS[0].token)
            await bounded(probe.setup())
            await bounded(self._warm(probe, self.plan.warm_calls, "passthrough /mcp"))
            await probe.close()
            seen = self.fake.command("stats")
            issue_paths = [p for p in seen["examples"].values() if f"/issue/{ISSUE_KEY}" in p]
            if issue_paths:
                self.upstream_target = issue_paths[0]
            sse = LegacySseCaller(HOST, port, USERS[0].token)
            await bounded(sse.setup())
            await bounded(self._warm(sse, self.plan.warm_calls, "passthrough SSE"))
            await sse.close()
            idle = await self.idle_sessions(server.pid, port)
            mcp = await self.measure(lambda u: McpPostCaller(HOST, port, u.token), server.pid, "passthrough /mcp")
            legacy = await self.measure(lambda u: LegacySseCaller(HOST, port, u.token), server.pid, "passthrough SSE")
            rss = proc_rss_kb(server.pid)
            stop = await server.astop()
        finally:
            server.stop()
        return {
            "startup_s": startup,
            "idle_sse": idle,
            "mcp": mcp,
            "sse": legacy,
            "rss_after_load_kb": rss,
            "sigterm_to_exit_s": stop,
        }

    async def floor_round(self) -> dict[str, Any]:
        import httpx

        fake = self.fake
        raw = await self.measure(
            lambda u: FloorCaller(HOST, fake.port, u.token, self.upstream_target), fake.pid, "floor"
        )
        limits = httpx.Limits(max_connections=self.plan.concurrency, max_keepalive_connections=self.plan.concurrency)
        async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
            url = fake.url + self.upstream_target
            via_httpx = await self.measure(lambda u: HttpxFloorCaller(client, url, u.token), fake.pid, "floor httpx")
        return {"raw": raw, "httpx": via_httpx}

    async def peer_round(self) -> dict[str, Any]:
        port = free_port()
        server = peer_server(port, self.fake.url, self.log_dir).start()
        try:
            startup = await wait_ready(server, port)
            first = StreamableCaller(HOST, port, _peer.authorization(USERS[0].token))
            await bounded(first.setup())
            initialized = time.perf_counter() - server.started
            await first.close()
            progress(f"  mcp-atlassian ready in {startup:.2f} s (first initialize at {initialized:.2f} s)")
            for user in USERS:  # each credential is validated once by the peer, then cached: warm them all
                warm = StreamableCaller(HOST, port, _peer.authorization(user.token))
                await bounded(warm.setup())
                await bounded(self._warm(warm, 2, "mcp-atlassian"))
                await warm.close()
            result = await self.measure(
                lambda u: StreamableCaller(HOST, port, _peer.authorization(u.token)), server.pid, "mcp-atlassian"
            )
            rss = proc_rss_kb(server.pid)
            stop = await server.astop()
        finally:
            server.stop()
        return {
            "startup_s": startup,
            "first_initialize_s": initialized,
            "mcp": result,
            "rss_after_load_kb": rss,
            "sigterm_to_exit_s": stop,
        }

    async def render_round(self) -> dict[str, Any]:
        """The render-heavy tools: `jira_get_issue` on Jira Cloud (5 KB ADF description) and
        `confluence_get_page` (20 KB storage page), each against its floor (the same upstream GET)."""
        port = free_port()
        out: dict[str, Any] = {}
        server = passthrough_server(port, "", self.log_dir, products=self.render_products())
        async with running(server, port):
            for one in self._render_calls(self.fake.render):
                make = one.caller(port)
                self.fake.command("reset")
                probe = make(USERS[0])
                await bounded(probe.setup())
                await bounded(self._warm(probe, self.plan.warm_calls, one.name))
                await probe.close()
                seen = self.fake.command("stats")
                if seen["requests"] != self.plan.warm_calls:
                    raise RuntimeError(
                        f"{one.name}: {seen['requests']} upstream requests for {self.plan.warm_calls} calls"
                    )
                target = next(iter(seen["examples"].values()))
                result = await self.measure(make, server.pid, f"passthrough /mcp {one.name}")
                floor = await self.measure(one.floor(target), self.fake.pid, f"floor {one.name}", latency_only=True)
                out[one.name] = {"passthrough": result, "floor": floor, "upstream_request": target}
        return out

    def render_products(self) -> dict[str, str]:
        render = self.fake.render
        return {
            "JIRA_URL": render["jira_cloud"],
            "JIRA_DEPLOYMENT": "cloud",
            "CONFLUENCE_URL": render["confluence"],
            "CONFLUENCE_DEPLOYMENT": "server",
        }

    @staticmethod
    def _render_calls(render: dict[str, Any]) -> list[RenderCall]:
        def basic(u: BenchUser) -> str:
            return "Basic " + base64.b64encode(f"{u.name}@example.com:{u.token}".encode()).decode()

        return [
            RenderCall(
                "adf",
                ToolCall("jira_get_issue", {"issue_key": ISSUE_KEY}, "Rollout of the billing service"),
                lambda u: f"X-Jira-Email: {u.name}@example.com\r\n".encode(),
                basic,
                render["jira_cloud"],
            ),
            RenderCall(
                "storage",
                ToolCall("confluence_get_page", {"page_id": render["page_id"]}, "Rollout of the billing service"),
                lambda u: b"",
                lambda u: f"Bearer {u.token}",
                render["confluence"],
            ),
        ]

    async def sandbox_startup(self) -> float:
        """Seconds from spawning `passthrough serve --sandbox` to its first /healthz 200 (fakes included)."""
        port = free_port()
        async with running(
            passthrough_server(port, "", self.log_dir, products={}, args=["--sandbox"]), port
        ) as startup:
            pass
        progress(f"  sandbox ready in {startup:.2f} s")
        return startup

    async def run(self) -> list[dict[str, Any]]:
        rounds = []
        for r in range(1, self.plan.rounds + 1):
            progress(f"round {r}/{self.plan.rounds}")
            one: dict[str, Any] = {"passthrough": await self.passthrough_round()}
            one["floor"] = await self.floor_round()
            one["render"] = await self.render_round()
            one["passthrough"]["sandbox_startup_s"] = await self.sandbox_startup()
            if self.with_peer:
                one["peer"] = await self.peer_round()
            rounds.append(one)
        return rounds


# ------------------------------------------------------------------------------------------ summary

COLUMNS = (
    ("floor", "floor"),
    ("floor_httpx", "floor (httpx)"),
    ("pt_mcp", "passthrough /mcp"),
    ("pt_sse", "passthrough SSE"),
    ("peer", "mcp-atlassian"),
)

# (key, label, digits); rows whose values are all missing are left out
ROWS = (
    ("p50_ms", "latency c=1 p50 (ms)", 2),
    ("p99_ms", "latency c=1 p99 (ms)", 2),
    ("overhead_p50_ms", "p50 overhead over floor (ms)", 2),
    ("overhead_httpx_p50_ms", "p50 overhead over httpx floor (ms)", 2),
    ("latency_calls", "calls per latency run", 0),
    ("calls_per_s", "throughput c=32 (calls/s)", 0),
    ("c32_p99_ms", "latency c=32 p99 (ms)", 1),
    ("x_peer", "throughput / peer's (x)", 1),
    ("server_cpu_s_per_1k", "server CPU s per 1k calls (c=32)", 2),
    ("fake_cpu_s_per_1k", "fake Jira CPU s per 1k calls (c=32)", 2),
    ("loadgen_cpu_pct", "load generator CPU % (c=32)", 0),
    ("upstream_opened_per_1k", "upstream conns opened per 1k calls, 1 user", 1),
    ("upstream_conns_per_1k", "distinct upstream client ports per 1k, 1 user", 1),
    ("upstream_req_per_call", "upstream requests per call", 2),
    ("errors", "errors (all phases)", 0),
    ("startup_s", "start to first /healthz 200 (s)", 2),
    ("sandbox_startup_s", "the same, sandbox (s)", 2),
    ("rss_idle_mb", "RSS, 0 idle SSE sessions (MB)", 1),
    ("rss_sessions_mb", "RSS, N idle SSE sessions (MB)", 1),
    ("kb_per_session", "KB per idle SSE session", 1),
    ("rss_after_load_mb", "RSS after the load (MB)", 1),
)


def _flat(m: dict[str, Any]) -> dict[str, float]:
    lat, tp = m["latency"], m["throughput"]
    return {
        "p50_ms": lat["p50_ms"],
        "p99_ms": lat["p99_ms"],
        "latency_calls": lat["calls"],
        "calls_per_s": tp["calls_per_s"],
        "c32_p99_ms": tp["p99_ms"],
        "server_cpu_s_per_1k": tp["server_cpu_s_per_1k"],
        "fake_cpu_s_per_1k": tp["fake_cpu_s_per_1k"],
        "loadgen_cpu_pct": tp["loadgen_cpu_pct"],
        "upstream_conns_per_1k": lat["upstream_connections_per_1k"],
        "upstream_opened_per_1k": lat["upstream_opened_per_1k"],
        "upstream_req_per_call": lat["upstream_requests_per_call"],
        "errors": lat["errors"] + tp["errors"],
    }


def per_round_metrics(one: dict[str, Any]) -> dict[str, dict[str, float]]:
    pt, floor = one["passthrough"], one["floor"]
    cols = {
        "floor": _flat(floor["raw"]),
        "floor_httpx": _flat(floor["httpx"]),
        "pt_mcp": _flat(pt["mcp"]),
        "pt_sse": _flat(pt["sse"]),
    }
    if "peer" in one:
        cols["peer"] = _flat(one["peer"]["mcp"])
        cols["peer"]["startup_s"] = one["peer"]["startup_s"]
        cols["peer"]["rss_after_load_mb"] = one["peer"]["rss_after_load_kb"] / 1024
    # floors: the fake is the server; its CPU is the server's (shown once)
    for name in ("floor", "floor_httpx"):
        cols[name].pop("fake_cpu_s_per_1k")
        cols[name].pop("upstream_conns_per_1k")
        cols[name].pop("upstream_opened_per_1k")
        cols[name].pop("upstream_req_per_call")
    for name in ("pt_mcp", "pt_sse"):
        cols[name]["startup_s"] = pt["startup_s"]
        cols[name]["sandbox_startup_s"] = pt["sandbox_startup_s"]
        cols[name]["rss_after_load_mb"] = pt["rss_after_load_kb"] / 1024
    idle = pt["idle_sse"]
    cols["pt_sse"]["rss_idle_mb"] = idle["rss_before_kb"] / 1024
    cols["pt_sse"]["rss_sessions_mb"] = idle["rss_with_sessions_kb"] / 1024
    cols["pt_sse"]["kb_per_session"] = idle["kb_per_session"]
    floor_p50 = cols["floor"]["p50_ms"]
    httpx_p50 = cols["floor_httpx"]["p50_ms"]
    for name in ("floor_httpx", "pt_mcp", "pt_sse", "peer"):
        if name in cols:
            cols[name]["overhead_p50_ms"] = cols[name]["p50_ms"] - floor_p50
            if name != "floor_httpx":
                cols[name]["overhead_httpx_p50_ms"] = cols[name]["p50_ms"] - httpx_p50
    if "peer" in cols and cols["peer"]["calls_per_s"] > 0:
        for name in ("pt_mcp", "pt_sse"):
            cols[name]["x_peer"] = cols[name]["calls_per_s"] / cols["peer"]["calls_per_s"]
    return cols


RENDER_COLUMNS = (
    ("adf", "jira_get_issue, Cloud, 5 KB ADF"),
    ("storage", "confluence_get_page, 20 KB storage"),
)
RENDER_ROWS = (
    ("floor_p50_ms", "floor latency c=1 p50 (ms)", 2),
    ("p50_ms", "passthrough /mcp latency c=1 p50 (ms)", 2),
    ("p99_ms", "passthrough /mcp latency c=1 p99 (ms)", 2),
    ("overhead_p50_ms", "p50 overhead over floor (ms)", 2),
    ("calls_per_s", "throughput c=32 (calls/s)", 0),
    ("c32_p99_ms", "latency c=32 p99 (ms)", 1),
    ("server_cpu_s_per_1k", "server CPU s per 1k calls (c=32)", 2),
    ("errors", "errors (all phases)", 0),
)


def render_round_metrics(one: dict[str, Any]) -> dict[str, dict[str, float]]:
    cols = {}
    for name, _ in RENDER_COLUMNS:
        got = one.get("render", {}).get(name)
        if got is None:
            continue
        flat = _flat(got["passthrough"])
        flat["floor_p50_ms"] = got["floor"]["latency"]["p50_ms"]
        flat["overhead_p50_ms"] = flat["p50_ms"] - flat["floor_p50_ms"]
        cols[name] = flat
    return cols


def summarise(
    rounds: list[dict[str, Any]],
    metrics: Callable[[dict[str, Any]], dict[str, dict[str, float]]] | None = None,
    columns: tuple[tuple[str, str], ...] = COLUMNS,
) -> dict[str, dict[str, dict[str, float]]]:
    per_round = [(metrics or per_round_metrics)(one) for one in rounds]
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for col, _ in columns:
        keys = sorted({k for r in per_round if col in r for k in r[col]})
        for key in keys:
            values = [r[col][key] for r in per_round if col in r and key in r[col]]
            summary.setdefault(col, {})[key] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "values": values,  # type: ignore[dict-item]
            }
    return summary


def _num(value: float, digits: int) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.{digits}f}" if abs(value) >= 1000 else f"{value:.{digits}f}"


def cell(stat: dict[str, float] | None, digits: int) -> str:
    if stat is None:
        return "-"
    text = _num(stat["median"], digits)
    if stat["min"] != stat["max"]:
        text += f" ({_num(stat['min'], digits)}..{_num(stat['max'], digits)})"
    return text


def table(
    summary: dict[str, dict[str, dict[str, float]]],
    columns: tuple[tuple[str, str], ...] = COLUMNS,
    rows: tuple[tuple[str, str, int], ...] = ROWS,
) -> str:
    cols = [(key, label) for key, label in columns if key in summary]
    lines = []
    header = ["figure, median (min..max)"] + [label for _, label in cols]
    body = []
    for key, label, digits in rows:
        cells = [cell(summary[c].get(key), digits) for c, _ in cols]
        if any(x != "-" for x in cells):
            body.append([label, *cells])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines.append(
        "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    )
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append(
            "  ".join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(row, widths, strict=True)))
        )
    return "\n".join(lines)


def targets(
    summary: dict[str, dict[str, dict[str, float]]], render: dict[str, dict[str, dict[str, float]]]
) -> list[dict[str, Any]]:
    """The targets of the speed issue, on the medians of the rounds (`render`: the render-heavy summary)."""
    checks: list[dict[str, Any]] = []

    def check(
        name: str,
        col: str,
        key: str,
        ok: Callable[[float], bool],
        unit: str,
        digits: int,
        source: dict[str, dict[str, dict[str, float]]] = summary,
    ) -> None:
        stat = source.get(col, {}).get(key)
        if stat is None:
            checks.append({"target": name, "column": col, "result": "SKIP", "reason": "not measured"})
            return
        checks.append(
            {
                "target": name,
                "column": col,
                "result": "PASS" if ok(stat["median"]) else "MISS",
                "median": stat["median"],
                "min": stat["min"],
                "max": stat["max"],
                "text": f"{cell(stat, digits)} {unit}".strip(),
            }
        )

    check("throughput at c=32 >= 20x the peer's", "pt_mcp", "x_peer", lambda v: v >= 20, "x", 1)
    check("throughput at c=32 >= 15x the peer's", "pt_sse", "x_peer", lambda v: v >= 15, "x", 1)
    check("p50 overhead over the floor <= 0.8 ms", "pt_mcp", "overhead_p50_ms", lambda v: v <= 0.8, "ms", 2)
    for col, _ in RENDER_COLUMNS:
        check("p50 overhead over the floor <= 1.5 ms", col, "overhead_p50_ms", lambda v: v <= 1.5, "ms", 2, render)
    check("server CPU <= 0.6 s per 1k calls", "pt_mcp", "server_cpu_s_per_1k", lambda v: v <= 0.6, "s", 2)
    check("<= 20 KB per idle SSE session", "pt_sse", "kb_per_session", lambda v: v <= 20, "KB", 1)
    check("start to first /healthz <= 1 s", "pt_mcp", "startup_s", lambda v: v <= 1.0, "s", 2)
    check("start to first /healthz <= 1 s, sandbox", "pt_mcp", "sandbox_startup_s", lambda v: v <= 1.0, "s", 2)
    for col in ("pt_mcp", "pt_sse"):
        check(
            "one user's 1,000 sequential calls open <= 5 upstream connections",
            col,
            "upstream_opened_per_1k",
            lambda v: v <= 5,
            "per 1k calls",
            1,
        )
    return checks


def targets_text(checks: list[dict[str, Any]]) -> str:
    labels = dict(COLUMNS) | dict(RENDER_COLUMNS)
    return "\n".join(
        f"  {c['result']:<4}  {c['target']}: {labels[c['column']]} {c.get('text', c.get('reason', ''))}" for c in checks
    )


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    import aiohttp
    import httpx

    import passthrough

    return {
        "passthrough_source_sha256": source_digest(),
        "cpu": model,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": list(os.getloadavg()),
        "passthrough": passthrough.__version__,
        "aiohttp": aiohttp.__version__,
        "httpx": httpx.__version__,
    }


def source_digest() -> str:
    """A digest of passthrough's source as imported here (the tree may move between runs; no git needed)."""
    import hashlib

    import passthrough

    root = Path(passthrough.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def machine_text(m: dict[str, Any]) -> str:
    load = ", ".join(f"{x:.2f}" for x in m["loadavg_at_start"])
    return (
        f"machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), {m['memory_gb']} GB; "
        f"Python {m['python']} on {m['platform']}; load average at start {load}\n"
        f"versions: passthrough {m['passthrough']} (source sha256 {m['passthrough_source_sha256']}; "
        f"aiohttp {m['aiohttp']}, httpx {m['httpx']}); "
        f"mcp-atlassian {m.get('mcp_atlassian', 'not run')}"
        + (
            f"\nEXPERIMENT (not the product as installed): passthrough ran with {m['experiment']}"
            if m.get("experiment")
            else ""
        )
    )


# ------------------------------------------------------------------------------------------ profiling

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _package(file: str) -> str:
    path = file.replace("\\", "/")
    for marker in ("site-packages/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    if path.startswith(str(REPO) + "/"):
        path = path[len(str(REPO)) + 1 :]
    head = path.split("/", 1)[0]
    return head.removesuffix(".py") or "?"


# The layers of one call, for the share of server CPU by layer: each on-CPU sample goes to the layer of the
# innermost frame that belongs to one (json.loads called by the upstream client is upstream's; the same
# function called by the protocol is the protocol's). Samples in no layer are the event loop's and the rest.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("render", ("passthrough/markup/", "markdown_it/")),
    (
        "upstream",
        (
            "passthrough/providers/_upstream.py",
            "aiohttp/client",
            "aiohttp/connector.py",
            "aiohttp/cookiejar.py",
        ),
    ),
    ("tool", ("passthrough/tools/", "passthrough/providers/", "passthrough/credentials/")),
    ("protocol", ("passthrough/protocol/", "passthrough/_json.py", "mcp/", "mcp_types/", "pydantic")),
    ("HTTP in", ("passthrough/http/", "aiohttp/web", "aiohttp/http_parser", "aiohttp/_http_parser")),
)
LOOP_LAYER = "event loop, other"
# Threads and calls that wait, which py-spy may still sample: the markup pool's feeder and manager threads,
# the idle default executor, the loop's own poll.
_WAITING_THREADS = ("Thread._bootstrap",)  # a stack rooted here is a helper thread's, not a call's
_WAITING_CALLS = ("_PollLikeSelector.select", "EpollSelector.select", "Loop.run_forever")  # a leaf that polls


def _layer(files: list[str]) -> str:
    for file in reversed(files):
        for name, markers in LAYERS:
            if any(marker in file for marker in markers):
                return name
    return LOOP_LAYER


def summarise_collapsed(path: Path, top: int = 20) -> dict[str, Any]:
    """Self and inclusive sample shares per function, self share per package, and the share of each layer of a
    call (`LAYERS`, waiting threads left out), from py-spy's raw output."""
    self_counts: collections.Counter[str] = collections.Counter()
    incl_counts: collections.Counter[str] = collections.Counter()
    pkg_counts: collections.Counter[str] = collections.Counter()
    layer_counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = []
        for raw in stack.split(";"):
            m = _FRAME.match(raw)
            if m:
                frames.append((f"{m['func']} ({m['file']})", m["file"]))
        if not frames:
            continue
        total += count
        if not frames[0][0].startswith(_WAITING_THREADS) and not frames[-1][0].startswith(_WAITING_CALLS):
            layer_counts[_layer([file for _, file in frames])] += count
        self_counts[frames[-1][0]] += count
        pkg_counts[_package(frames[-1][1])] += count
        for name in {f[0] for f in frames}:
            incl_counts[name] += count

    def share(counter: collections.Counter[str]) -> list[list[Any]]:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)] if total else []

    working = sum(layer_counts.values())
    return {
        "samples": total,
        "self": share(self_counts),
        "inclusive": share(incl_counts),
        "packages": share(pkg_counts),
        "layers": {
            name: round(100 * layer_counts[name] / working, 1) if working else 0.0
            for name in [*(n for n, _ in LAYERS), LOOP_LAYER]
        },
        "working_samples": working,
    }


def profile_text(name: str, prof: dict[str, Any]) -> str:
    out = [f"== {name}: {prof['samples']} on-CPU samples" + (f"; {prof['note']}" if prof.get("note") else "")]
    if prof.get("layers"):
        out.append("  " + layers_text(prof))
    out.append("  self time by package: " + ", ".join(f"{p} {s}%" for p, s in prof["packages"][:12]))
    out.append("  top functions by self time:")
    out.extend(f"    {s:5.1f}%  {f}" for f, s in prof["self"][:15])
    out.append("  top functions by inclusive time:")
    out.extend(f"    {s:5.1f}%  {f}" for f, s in prof["inclusive"][:25])
    return "\n".join(out)


def layers_text(prof: dict[str, Any]) -> str:
    shares = ", ".join(f"{name} {share:.0f} %" for name, share in prof["layers"].items())
    return f"server CPU by layer ({prof.get('working_samples', 0)} samples, waiting threads left out): {shares}"


async def profile_under_load(
    bench: Bench, py_spy: Path, server_pid: int, make: Callable[[BenchUser], Caller], seconds: float, out: Path
) -> dict[str, Any]:
    callers = [make(USERS[i % len(USERS)]) for i in range(bench.plan.concurrency)]
    await bounded(gather_bounded([c.setup for c in callers], 8))
    spy = subprocess.Popen(  # noqa: ASYNC220 - started once; its end is awaited in a thread below
        [
            str(py_spy),
            "record",
            "--pid",
            str(server_pid),
            "--duration",
            str(int(seconds)),
            "--subprocesses",  # the markup worker processes too: large conversions run there
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    try:
        tp = await run_throughput(callers, seconds + 1.0, 0.5, lambda: {"server": proc_cpu_seconds(server_pid)})
        _, err = await asyncio.to_thread(spy.communicate, None, seconds + 60)
    finally:
        if spy.poll() is None:
            os.killpg(spy.pid, signal.SIGKILL)
            spy.wait()
        for c in callers:
            await c.close()
    if spy.returncode != 0 or not os.path.exists(out):  # noqa: ASYNC240 - one stat, between phases
        raise RuntimeError(f"py-spy failed ({spy.returncode}): {err.decode(errors='replace')[-400:]}")
    prof = summarise_collapsed(out)
    prof["calls_per_s_while_sampled"] = tp.per_second
    return prof


async def cprofile_under_load(bench: Bench, seconds: float, log_dir: Path) -> dict[str, Any]:
    """Fallback without py-spy: passthrough under cProfile, stopped cleanly so that it writes its stats."""
    import pstats

    port = free_port()
    out = log_dir / "passthrough.cprofile"
    server = passthrough_server(port, bench.fake.url, log_dir, prefix=["-m", "cProfile", "-o", str(out)]).start()
    try:
        await wait_ready(server, port)
        callers: list[Caller] = [
            McpPostCaller(HOST, port, USERS[i % len(USERS)].token) for i in range(bench.plan.concurrency)
        ]
        await bounded(gather_bounded([c.setup for c in callers], 8))
        await run_throughput(callers, seconds, 0.5, lambda: {})
        for c in callers:
            await c.close()
        await server.astop()  # a clean exit: cProfile writes its stats then
    finally:
        server.stop()
    stats = pstats.Stats(str(out))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    rows = [(f"{func} ({Path(file).name}:{line})", v[2], v[3]) for (file, line, func), v in raw.items()]
    return {
        "samples": 0,
        "note": "cProfile (deterministic; inflates call-heavy code)",
        "self": [[n, round(100 * t / total, 1)] for n, t, _ in sorted(rows, key=lambda r: -r[1])[:20]],
        "inclusive": [[n, round(100 * c / total, 1)] for n, _, c in sorted(rows, key=lambda r: -r[2])[:25]],
        "packages": [],
    }


async def profile_main(bench: Bench, seconds: float, log_dir: Path) -> dict[str, Any]:
    py_spy = _peer.ensure_py_spy(PY_SPY_PACKAGE)
    profiles: dict[str, Any] = {}
    if py_spy is None:
        profiles["passthrough /mcp"] = await cprofile_under_load(bench, seconds, log_dir)
        return profiles
    port = free_port()
    server = passthrough_server(port, bench.fake.url, log_dir).start()
    try:
        await wait_ready(server, port)
        for label, make in (
            ("passthrough /mcp", lambda u: McpPostCaller(HOST, port, u.token)),
            ("passthrough SSE", lambda u: LegacySseCaller(HOST, port, u.token)),
        ):
            warm = make(USERS[0])
            await bounded(warm.setup())
            await bounded(bench._warm(warm, bench.plan.warm_calls, label))
            await warm.close()
            progress(f"profiling {label} at c={bench.plan.concurrency} for {seconds:.0f} s …")
            out = log_dir / f"{label.replace(' ', '_').replace('/', '')}.collapsed"
            try:
                profiles[label] = await profile_under_load(bench, py_spy, server.pid, make, seconds, out)
            except RuntimeError as exc:
                progress(f"py-spy did not work ({exc}); using cProfile instead")
                server.stop()
                profiles[label] = await cprofile_under_load(bench, seconds, log_dir)
                return profiles
            profiles[label]["collapsed_stacks"] = str(out)
        await server.astop()
    finally:
        server.stop()
    if bench.with_peer:
        port = free_port()
        server = peer_server(port, bench.fake.url, log_dir).start()
        try:
            await wait_ready(server, port)
            for user in USERS:
                peer_warm = StreamableCaller(HOST, port, _peer.authorization(user.token))
                await bounded(peer_warm.setup())
                await bounded(bench._warm(peer_warm, 2, "mcp-atlassian"))
                await peer_warm.close()
            progress(f"profiling mcp-atlassian at c={bench.plan.concurrency} for {seconds:.0f} s …")
            out = log_dir / "mcp-atlassian.collapsed"
            profiles["mcp-atlassian"] = await profile_under_load(
                bench,
                py_spy,
                server.pid,
                lambda u: StreamableCaller(HOST, port, _peer.authorization(u.token)),
                seconds,
                out,
            )
            profiles["mcp-atlassian"]["collapsed_stacks"] = str(out)
            await server.astop()
        finally:
            server.stop()
    return profiles


async def layers_phase(bench: Bench, seconds: float, log_dir: Path) -> dict[str, Any]:
    """Share of server CPU by layer, from py-spy profiles at c=32: `jira_get_issue` (Server/DC) and the two
    render-heavy tools, each on a passthrough of its own."""
    py_spy = _peer.ensure_py_spy(PY_SPY_PACKAGE)
    if py_spy is None:
        return {"note": "py-spy could not be installed: no layer shares"}
    out: dict[str, Any] = {}
    render = bench.fake.render
    setups: list[tuple[str, dict[str, str] | None, Callable[[int], Callable[[BenchUser], Caller]]]] = [
        ("jira_get_issue", None, lambda port: lambda u: McpPostCaller(HOST, port, u.token)),
        *((one.name, bench.render_products(), one.caller) for one in bench._render_calls(render)),
    ]
    for name, products, make_for in setups:
        port = free_port()
        server = passthrough_server(port, bench.fake.url, log_dir, products=products)
        async with running(server, port):
            make = make_for(port)
            warm = make(USERS[0])
            await bounded(warm.setup())
            await bounded(bench._warm(warm, bench.plan.warm_calls, name))
            await warm.close()
            progress(f"  profiling {name} at c={bench.plan.concurrency} for {seconds:.0f} s …")
            try:
                prof = await profile_under_load(bench, py_spy, server.pid, make, seconds, log_dir / f"{name}.collapsed")
            except RuntimeError as exc:
                return {"note": f"py-spy did not work: {exc}"}
            out[name] = {"layers": prof["layers"], "working_samples": prof["working_samples"]}
    return out


# ------------------------------------------------------------------------------------------ replicas


@dataclass
class Target:
    """One column of the replica table: where the load goes and which processes serve it."""

    key: str
    port: int
    serving: list[Server]  # the passthrough processes (a --workers supervisor: its workers serve)
    balancer: Server | None = None


async def _nodes_seen(port: int, fresh_connections: bool, asks: int) -> list[str]:
    """The distinct `cluster.node` ids /healthz names through `port`: proof that the load reaches every process
    (HAProxy balances each request, so one connection suffices; SO_REUSEPORT balances connections)."""
    seen: list[str] = []
    conn = Connection(HOST, port)
    try:
        for _ in range(asks):
            if fresh_connections:
                conn.close()
            response = await bounded(conn.request(b"GET", b"/healthz"), 10.0)
            node = json.loads(response.body).get("cluster", {}).get("node", "?")
            if node not in seen:
                seen.append(node)
    finally:
        conn.close()
    return seen


def _serving_pids(target: Target) -> tuple[dict[str, list[int]], int | None]:
    """Each serving process's tree (its markup workers included), keyed proc1.., and a supervisor's own pid."""
    if target.key == "w2":
        supervisor = target.serving[0].pid
        workers = _replicas.children(supervisor)
        return {f"proc{i + 1}": _replicas.tree(pid) for i, pid in enumerate(workers)}, supervisor
    return {f"proc{i + 1}": _replicas.tree(server.pid) for i, server in enumerate(target.serving)}, None


async def _replica_column(bench: Bench, target: Target, everyone: list[Server], redis: Server) -> dict[str, Any]:
    """c=32 stateless `jira_get_issue` through `target` for one window: calls/s, latency, and the CPU of every
    process of the benchmark (and of the whole machine) across that window."""
    plan = bench.plan
    callers: list[Caller] = [
        StatelessCaller(HOST, target.port, USERS[i % len(USERS)].token) for i in range(plan.concurrency)
    ]
    await bounded(gather_bounded([c.setup for c in callers], 8))
    await bounded(bench._warm(callers[0], plan.warm_calls, f"stateless via {target.key}"))
    serving, supervisor = _serving_pids(target)
    serving_roots = {s.pid for s in target.serving}
    idle = [pid for s in everyone if s.pid not in serving_roots for pid in _replicas.tree(s.pid)]
    groups: dict[str, list[int]] = {**serving, "idle": idle, "fake": [bench.fake.pid], "redis": [redis.pid]}
    if supervisor is not None:
        groups["supervisor"] = [supervisor]
    if target.balancer is not None:
        groups["haproxy"] = [target.balancer.pid]

    def sample() -> dict[str, float]:
        out = {name: _replicas.cpu_seconds(pids) for name, pids in groups.items()}
        out["loadgen"] = time.process_time()
        out["machine"] = _replicas.machine_busy_seconds()
        return out

    tp = await run_throughput(callers, plan.window, plan.warmup, sample)
    for c in callers:
        await c.close()
    under_load = sorted(tp.samples_ms)
    result = {
        "calls": tp.calls,
        "errors": tp.errors,
        "window_s": tp.window,
        "calls_per_s": tp.per_second,
        "p50_ms": statistics.median(under_load) if under_load else float("nan"),
        "p99_ms": percentile(under_load, 99),
        "cpu_s": tp.cpu,
    }
    progress(
        f"    {target.key}: {tp.per_second:.0f} calls/s at c={plan.concurrency} (p99 {result['p99_ms']:.1f} ms), "
        f"passthrough {sum(v for k, v in tp.cpu.items() if k.startswith('proc')) / tp.window * 100:.0f} %, "
        f"load generator {tp.cpu['loadgen'] / tp.window * 100:.0f} %, errors {tp.errors}"
    )
    return result


async def replicas_phase(bench: Bench, log_dir: Path) -> dict[str, Any]:
    """Stateless throughput (revision 2026-07-28, `tools/call jira_get_issue`, c=32) through 1, 2 and 3 replicas
    behind HAProxy in round robin (sharing a redis-server started here), through `serve --workers 2` (one
    port, SO_REUSEPORT, no Redis: one host), and straight to one replica, round after round.

    Every process is started once, before the rounds, and stays up: a column's load goes to its processes
    only, the others sit idle (their CPU is measured and shown), so rounds interleave the columns instead of
    spending their time starting servers."""
    why_not = _replicas.missing()
    if why_not is not None:
        progress(f"replicas: not measured: {why_not}")
        return {"note": f"not measured: {why_not}"}
    plan, fake = bench.plan, bench.fake
    started: list[Server] = []
    try:
        redis_port = free_port()
        redis = Server("redis-server", _replicas.redis_argv(redis_port), _peer.base_environment(), log_dir).start()
        started.append(redis)
        deadline = time.perf_counter() + 30.0
        while not await _replicas.redis_ready(redis_port):
            if not redis.alive() or time.perf_counter() > deadline:
                raise RuntimeError(f"redis-server did not answer PING; its log:\n{redis.tail()}")
            await asyncio.sleep(0.05)
        redis_env = {"PASSTHROUGH_REDIS_URL": f"redis://{HOST}:{redis_port}/0"}
        ports = [free_port() for _ in range(3)]
        replicas = [
            passthrough_server(port, fake.url, log_dir, env=redis_env, name=f"passthrough-replica{i + 1}")
            for i, port in enumerate(ports)
        ]
        workers_port = free_port()
        workers = passthrough_server(
            workers_port, fake.url, log_dir, args=["--workers", "2"], name="passthrough-workers2"
        )
        for server in (*replicas, workers):
            started.append(server.start())
        ready = await asyncio.gather(*(wait_ready(s, p) for s, p in zip(replicas, ports, strict=True)))
        ready.append(await wait_ready(workers, workers_port))
        progress("  replicas ready in " + ", ".join(f"{t:.2f}" for t in ready[:3]) + f" s; workers in {ready[3]:.2f} s")
        balancers: dict[int, tuple[Server, int]] = {}
        for n in (1, 2, 3):
            port = free_port()
            config = log_dir / f"haproxy-{n}.cfg"
            config.write_text(_replicas.haproxy_config(port, ports[:n]))
            balancer = Server(f"haproxy-{n}", _replicas.haproxy_argv(str(config)), _peer.base_environment(), log_dir)
            started.append(balancer.start())
            await wait_ready(balancer, port, 30.0)
            balancers[n] = (balancer, port)
        targets = [Target("direct", ports[0], replicas[:1])]
        targets += [Target(f"r{n}", balancers[n][1], replicas[:n], balancers[n][0]) for n in (1, 2, 3)]
        targets.append(Target("w2", workers_port, [workers]))
        checks: dict[str, Any] = {}
        for target in targets:
            fresh = target.key == "w2"  # the supervisor is ready with its first worker: wait for the second
            want = 2 if fresh else len(target.serving)
            deadline = time.perf_counter() + 60.0
            while True:
                seen = await _nodes_seen(target.port, fresh, 24 if fresh else 3 * want)
                if len(seen) == want or time.perf_counter() > deadline:
                    break
                await asyncio.sleep(0.1)
            checks[target.key] = {"nodes_seen": seen, "expected": want}
            if len(seen) != want:
                raise RuntimeError(
                    f"{target.key}: /healthz named {len(seen)} nodes through port {target.port}, not {want}: "
                    "the load would not reach every process"
                )
        modes = set()
        for port in ports:
            conn = Connection(HOST, port)
            try:
                health = json.loads((await bounded(conn.request(b"GET", b"/healthz"), 10.0)).body)
            finally:
                conn.close()
            modes.add(health.get("cluster", {}).get("mode"))
        if modes != {"redis"}:
            raise RuntimeError(f"the replicas' /healthz cluster modes were {sorted(map(str, modes))}, not redis")
        everyone = [*replicas, workers]
        rounds = []
        loads = [list(os.getloadavg())]
        for r in range(1, plan.rounds + 1):
            progress(f"replicas round {r}/{plan.rounds}")
            # every other round backwards: a machine that grows busier or quieter during the phase then does not
            # favour the columns measured first
            order = targets if r % 2 else targets[::-1]
            columns = {t.key: await _replica_column(bench, t, everyone, redis) for t in order}
            rounds.append({"cores": len(os.sched_getaffinity(0)), "columns": columns})
            loads.append(list(os.getloadavg()))
        for server in reversed(started):
            await server.astop()
    finally:
        for server in reversed(started):
            server.stop()
    cores = len(os.sched_getaffinity(0))
    summary = summarise(rounds, _replicas.round_metrics, _replicas.COLUMNS)
    return {
        "call": f"tools/call jira_get_issue, revision 2026-07-28 (stateless), c={plan.concurrency}",
        "cores_usable": cores,
        "startup_s": ready,
        "checks": checks,
        "loadavg": loads,
        "summary": summary,
        "rounds": rounds,
    }


def replicas_text(result: dict[str, Any], plan: Plan) -> str:
    if "summary" not in result:
        return f"replicas: {result.get('note', 'not measured')}"
    cores = result["cores_usable"]
    load = ", ".join(f"{x:.2f}" for x in result["loadavg"][-1])
    return "\n".join(
        [
            f"stateless (2026-07-28) tools/call jira_get_issue {ISSUE_KEY} at c={plan.concurrency}, "
            f"{plan.rounds} round{'s' if plan.rounds != 1 else ''} of a {plan.window:g} s window per column "
            f"after {plan.warmup:g} s of load; HAProxy round robin, keep-alive, "
            f"1 thread; replicas share one redis-server; --workers 2 without Redis (one host); load average at "
            f"the end {load}:",
            table(result["summary"], _replicas.COLUMNS, _replicas.rows(cores)),
            *_replicas.reading(result["summary"], cores),
        ]
    )


# ------------------------------------------------------------------------------------------ main


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # inherited by the servers started here


def _on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="passthrough benchmarks (see bench/README.md)")
    p.add_argument("--quick", action="store_true", help="2 short rounds (~1 minute)")
    p.add_argument("--rounds", type=int, help="repeated rounds (default 3, quick 2)")
    p.add_argument("--window", type=float, help="seconds of measured throughput per target and round")
    p.add_argument("--calls", type=int, help="sequential calls per latency run")
    p.add_argument("--concurrency", type=int, help="clients in the throughput runs and profiles (default 32)")
    p.add_argument("--sessions", type=int, help="idle legacy SSE sessions for the memory figure (default 1000)")
    p.add_argument("--delay", type=float, default=0.0, help="the fake Jira's delay per answer, seconds (default 0)")
    p.add_argument("--skip-peer", action="store_true", help="leave mcp-atlassian out (no install, no ratio)")
    p.add_argument("--profile", action="store_true", help="profile the servers under load (py-spy) instead")
    p.add_argument("--profile-seconds", type=float, default=10.0)
    p.add_argument("--no-write", action="store_true", help="print only; write no JSON")
    p.add_argument("--no-layers", action="store_true", help="leave out the py-spy profiles of CPU by layer")
    p.add_argument(
        "--replicas",
        action="store_true",
        help="only the replica figures: stateless calls/s through 1, 2, 3 replicas behind HAProxy (Redis) and "
        "through serve --workers 2",
    )
    p.add_argument("--no-replicas", action="store_true", help="leave the replica figures out of the full run")
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra environment variable for passthrough (an experiment; repeatable)",
    )
    p.add_argument(
        "--pythonpath",
        metavar="DIR",
        help="prepend DIR to passthrough's PYTHONPATH (an experiment: a patched copy of the package, or extra "
        "modules, measured without installing anything)",
    )
    args = p.parse_args(argv)
    for item in args.server_env:
        if "=" not in item:
            p.error(f"--server-env takes NAME=VALUE, not {item!r}")
    if args.rounds is not None and args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.replicas and (args.profile or args.no_replicas):
        p.error("--replicas runs the replica figures alone: not with --profile or --no-replicas")
    return args


def plan_from(args: argparse.Namespace) -> Plan:
    base = QUICK if args.quick else FULL
    changes = {
        k: v
        for k, v in {
            "rounds": args.rounds,
            "window": args.window,
            "calls": args.calls,
            "sessions": args.sessions,
            "concurrency": args.concurrency,
        }.items()
        if v is not None
    }
    if "calls" in changes:
        changes["latency_seconds"] = max(base.latency_seconds, changes["calls"] * 0.05)
    return Plan(**{**asdict(base), **changes})


async def amain(args: argparse.Namespace, log_dir: Path) -> int:
    plan = plan_from(args)
    for item in args.server_env:
        name, _, value = item.partition("=")
        SERVER_OVERRIDES[name] = value
    if args.pythonpath:
        SERVER_OVERRIDES["PYTHONPATH"] = os.path.abspath(args.pythonpath)  # noqa: ASYNC240
    info = machine()
    if SERVER_OVERRIDES:
        info["experiment"] = dict(SERVER_OVERRIDES)
    with_peer = not args.skip_peer and not args.replicas
    if with_peer:
        info["mcp_atlassian"] = _peer.ensure_peer()
    fake = Fake(log_dir, args.delay).start()
    bench = Bench(plan, fake, log_dir, with_peer)
    command = "python bench/run.py" + "".join(f" {a}" for a in sys.argv[1:])
    progress(f"fake Jira at {fake.url}; logs in {log_dir}")

    if args.replicas:
        return await replicas_main(bench, info, command, log_dir, args.no_write)

    if args.profile:
        profiles = await profile_main(bench, args.profile_seconds, log_dir)
        text = "\n\n".join(profile_text(name, prof) for name, prof in profiles.items())
        print(machine_text(info))
        print(f"command: {command}\n")
        print(text)
        if not args.no_write:
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "profile-latest.txt").write_text(f"{machine_text(info)}\ncommand: {command}\n\n{text}\n")
        return 0

    started = time.perf_counter()
    rounds = await bounded(bench.run(), 3600.0)  # a last resort: each step has its own, shorter bound
    elapsed = time.perf_counter() - started
    replicas: dict[str, Any] = {"note": "not measured (--no-replicas)"}
    if not args.no_replicas:
        replicas = await bounded(replicas_phase(bench, log_dir), 1800.0)
    info["loadavg_at_end"] = list(os.getloadavg())
    if source_digest() != info["passthrough_source_sha256"]:
        info["warning"] = "passthrough's source changed during the run: rounds may have measured different code"
        progress(f"WARNING: {info['warning']}")
    summary = summarise(rounds)
    render = summarise(rounds, render_round_metrics, RENDER_COLUMNS)
    layers: dict[str, Any] = {}
    if not args.no_layers:
        layers = await bounded(layers_phase(bench, plan.profile_seconds, log_dir), 600.0)
    checks = targets(summary, render)
    n = plan.sessions
    page = bench.fake.render
    report = "\n".join(
        [
            machine_text(info),
            f"command: {command}  ({plan.rounds} rounds, {elapsed:.0f} s; throughput window {plan.window:g} s "
            f"at c={plan.concurrency}; latency {plan.calls} sequential calls or {plan.latency_seconds:g} s; "
            f"{n} idle SSE sessions)",
            f"call: tools/call jira_get_issue {ISSUE_KEY}; floor: GET {bench.upstream_target} on the fake Jira",
            "",
            table(summary),
            "",
            f"render-heavy tools on /mcp (Jira Cloud DEMO-1 with a {page['adf_bytes']:,}-byte ADF description; "
            f"Confluence page {page['page_id']} of {page['storage_bytes']:,} bytes of storage); floor: the same "
            "upstream GET on the fake:",
            table(render, RENDER_COLUMNS, RENDER_ROWS),
            "",
            replicas_text(replicas, plan),
            "",
            *(
                [f"  {name}: {layers_text(prof)}" for name, prof in layers.items() if isinstance(prof, dict)]
                or [f"  server CPU by layer: {layers.get('note', 'not measured (--no-layers)')}"]
            ),
            "",
            "targets (median of the rounds, spread in brackets):",
            targets_text(checks),
        ]
    )
    print(report)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        document = {
            "command": command,
            "when": stamp,
            "machine": info,
            "plan": asdict(plan),
            "call": {"tool": "jira_get_issue", "issue_key": ISSUE_KEY, "floor_request": bench.upstream_target},
            "summary": summary,
            "render_summary": render,
            "layers": layers,
            "replicas": replicas,
            "targets": checks,
            "table": report,
            "rounds": rounds,
        }
        text = json.dumps(document, indent=2, default=str) + "\n"
        (RESULTS / f"{stamp}.json").write_text(text)
        (RESULTS / "latest.json").write_text(text)
        progress(f"wrote bench/results/{stamp}.json and bench/results/latest.json")
    return 0


async def replicas_main(bench: Bench, info: dict[str, Any], command: str, log_dir: Path, no_write: bool) -> int:
    """`--replicas`: the replica figures alone, printed and written beside (not over) the figures of record."""
    plan = bench.plan
    started = time.perf_counter()
    result = await bounded(replicas_phase(bench, log_dir), 1800.0)
    info["loadavg_at_end"] = list(os.getloadavg())
    if source_digest() != info["passthrough_source_sha256"]:
        info["warning"] = "passthrough's source changed during the run: rounds may have measured different code"
        progress(f"WARNING: {info['warning']}")
    report = "\n".join(
        [
            machine_text(info),
            f"command: {command}  ({plan.rounds} rounds, {time.perf_counter() - started:.0f} s)",
            "",
            replicas_text(result, plan),
        ]
    )
    print(report)
    if not no_write and "summary" in result:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        document = {
            "command": command,
            "when": stamp,
            "machine": info,
            "plan": asdict(plan),
            "replicas": result,
            "table": report,
        }
        text = json.dumps(document, indent=2, default=str) + "\n"
        (RESULTS / f"{stamp}-replicas.json").write_text(text)
        (RESULTS / "replicas-latest.json").write_text(text)
        progress(f"wrote bench/results/{stamp}-replicas.json and bench/results/replicas-latest.json")
    return 0 if "summary" in result else 1


def _one_at_a_time(wait: float = 900.0) -> Any:
    """Two benchmarks at once would measure each other on 2 cores: wait (bounded) for the other to finish."""
    import fcntl

    lock = open(os.path.join(tempfile.gettempdir(), "passthrough-bench.lock"), "a+")
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise SystemExit(f"another benchmark has been running for over {wait:.0f} s; try again later") from None
            if not told:
                progress("another benchmark is running on this machine; waiting for it to finish …")
                told = True
            time.sleep(1.0)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    lock = _one_at_a_time()  # noqa: F841 - the lock is held as long as this process lives
    signal.signal(signal.SIGTERM, _on_sigterm)
    atexit.register(stop_all)
    _raise_fd_limit()
    keep = tempfile.mkdtemp(prefix="passthrough-bench-profile-") if args.profile else None  # stacks stay
    with tempfile.TemporaryDirectory(prefix="passthrough-bench-") as tmp:
        log_dir = Path(keep or tmp)
        try:
            return asyncio.run(amain(args, log_dir))
        except KeyboardInterrupt:
            progress("interrupted; stopping the servers")
            return 130
        except Exception:
            for server in _RUNNING:
                progress(f"--- last lines of {server.name}'s log:\n{server.tail()}")
            raise
        finally:
            stop_all()


def _use_project_python() -> None:
    """The orchestrator, the fake and passthrough run on the project's interpreter (it has aiohttp and httpx)."""
    venv = REPO / ".venv"
    if (venv / "bin" / "python").exists() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(str(venv / "bin" / "python"), [str(venv / "bin" / "python"), *sys.argv])


if __name__ == "__main__":
    _use_project_python()
    sys.exit(main(sys.argv[1:]))
