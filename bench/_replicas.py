"""The replica figures: stateless throughput with 1, 2 and 3 passthrough processes behind HAProxy, and with
`passthrough serve --workers 2`, beside one process reached directly.

This module holds what the phase needs besides the process handling of run.py (which starts and stops
everything): the HAProxy and redis-server command lines, CPU readings of process trees and of the whole
machine, and the table. On a machine with few cores, every process here (the servers, HAProxy, the fake
Jira, this load generator) competes for the same cores, so the table shows each one's CPU beside the
throughput, and the ceiling those costs allow: more processes than cores do not scale, and the figures must
show why rather than hide it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from typing import Any

from _common import HOST

# where Debian puts them; found on PATH first
TOOL_DIRS = ("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")

# (key, label); every figure of a column is measured in the same round, columns one after another
COLUMNS = (
    ("direct", "1 process, direct"),
    ("r1", "1 replica + HAProxy"),
    ("r2", "2 replicas + HAProxy"),
    ("r3", "3 replicas + HAProxy"),
    ("w2", "serve --workers 2"),
)
REPLICA_COUNTS = {"r1": 1, "r2": 2, "r3": 3}


def rows(cores: int) -> tuple[tuple[str, str, int], ...]:
    """The table's rows (key, label, digits); CPU % is of one core, so the whole machine is cores x 100 %."""
    return (
        ("processes", "passthrough processes serving", 0),
        ("calls_per_s", "throughput c=32 (calls/s)", 0),
        ("x_one", "throughput / 1 replica's (x)", 2),
        ("x_direct", "throughput / 1 process direct (x)", 2),
        ("p50_ms", "latency c=32 p50 (ms)", 1),
        ("p99_ms", "latency c=32 p99 (ms)", 1),
        ("server_cpu_s_per_1k", "passthrough CPU s per 1k calls", 2),
        ("server_cpu_pct", "passthrough CPU %, serving processes", 0),
        ("proc1_cpu_pct", "  process 1", 0),
        ("proc2_cpu_pct", "  process 2", 0),
        ("proc3_cpu_pct", "  process 3", 0),
        ("supervisor_cpu_pct", "  the --workers supervisor", 0),
        ("idle_cpu_pct", "passthrough CPU %, processes not serving", 0),
        ("haproxy_cpu_pct", "HAProxy CPU %", 0),
        ("redis_cpu_pct", "Redis CPU %", 0),
        ("fake_cpu_pct", "fake Jira CPU %", 0),
        ("loadgen_cpu_pct", "load generator CPU % (this process)", 0),
        ("bench_cpu_pct", f"all the above, CPU % ({cores} cores = {cores * 100} %)", 0),
        ("bench_cpu_s_per_1k", "all the above, CPU s per 1k calls", 2),
        ("ceiling_calls_per_s", f"CPU ceiling on {cores} cores (calls/s)", 0),
        ("machine_cpu_pct", "whole machine busy CPU % (/proc/stat)", 0),
        ("other_cpu_pct", "  of which outside this benchmark", 0),
        ("errors", "errors", 0),
    )


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in TOOL_DIRS:
        path = os.path.join(directory, name)
        if os.access(path, os.X_OK):
            return path
    return None


def missing() -> str | None:
    """Why the phase cannot run here (a tool or the redis client is missing), or None."""
    import importlib.util

    lacking = [name for name in ("redis-server", "haproxy") if find_tool(name) is None]
    if importlib.util.find_spec("redis") is None:
        lacking.append("the redis package (pip install 'passthrough[redis]')")
    if lacking:
        return "needs " + ", ".join(lacking) + " (Debian: apt-get install redis-server haproxy)"
    return None


def redis_argv(port: int) -> list[str]:
    """A throwaway redis-server on loopback: nothing saved, nothing appended, no daemon (protected mode stays on:
    it allows loopback clients without a password)."""
    binary = find_tool("redis-server") or "redis-server"
    return [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]


def haproxy_argv(config: str) -> list[str]:
    return [find_tool("haproxy") or "haproxy", "-db", "-f", config]  # -db: foreground, no fork


def haproxy_config(port: int, backends: list[int]) -> str:
    """Round robin over `backends`, no stickiness, keep-alive on both sides (HAProxy balances each request,
    not each connection, and reuses idle server connections), no health checks (no traffic of its own).
    One thread: on this machine HAProxy competes with the servers for the same cores."""
    servers = "\n".join(f"    server r{i + 1} {HOST}:{p}" for i, p in enumerate(backends))
    return f"""global
    nbthread 1
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    http-reuse always

frontend bench
    bind {HOST}:{port}
    default_backend replicas

backend replicas
    balance roundrobin
{servers}
"""


async def redis_ready(port: int) -> bool:
    """Whether redis-server answers PING on `port` (the phase waits for it before starting replicas)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 2.0)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"PING\r\n")
        line = await asyncio.wait_for(reader.readline(), 2.0)
        return line.startswith(b"+PONG")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()


def _stat(pid: int) -> list[bytes] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.rindex(b")") + 2 :].split()  # fields from the 3rd of stat(5) on


def children(pid: int) -> list[int]:
    """Direct children of `pid` (the workers of a supervisor; a server's markup workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants, as they are now (the servers' markup worker processes included)."""
    out, todo = [], [pid]
    while todo:
        one = todo.pop()
        out.append(one)
        todo.extend(children(one))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime summed over `pids` (a process gone meanwhile counts 0)."""
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy since boot, over all cores (/proc/stat: all but idle and iowait),
    so that what other tenants of a shared machine took during a window shows beside the benchmark's own."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    busy = sum(values[:8]) - values[3] - values[4]  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def _pct(cpu: dict[str, float], name: str, window: float) -> float:
    return cpu[name] / window * 100 if window > 0 else float("nan")


def round_metrics(one: dict[str, Any]) -> dict[str, dict[str, float]]:
    """One round's figures per column (for run.summarise): a column's raw result flattened, with ratios taken
    against the single replica and the direct process of the same round."""
    out: dict[str, dict[str, float]] = {}
    cores = float(one.get("cores") or os.cpu_count() or 1)
    for col, _ in COLUMNS:
        got = one.get("columns", {}).get(col)
        if got is None:
            continue
        cpu, window, calls = got["cpu_s"], got["window_s"], max(got["calls"], 1)
        serving = [k for k in cpu if k.startswith("proc")]
        server = sum(cpu[k] for k in serving) + cpu.get("supervisor", 0.0)
        own = ("haproxy", "redis", "fake", "loadgen")
        bench = server + sum(cpu.get(k, 0.0) for k in (*own, "idle"))
        flat = {
            "processes": float(len(serving)),
            "calls_per_s": got["calls_per_s"],
            "p50_ms": got["p50_ms"],
            "p99_ms": got["p99_ms"],
            "server_cpu_s_per_1k": server / calls * 1000,
            "server_cpu_pct": server / window * 100,
            "idle_cpu_pct": _pct(cpu, "idle", window),
            "bench_cpu_pct": bench / window * 100,
            "bench_cpu_s_per_1k": bench / calls * 1000,
            # the calls/s these per-call costs allow if the benchmark's processes had every core to themselves
            "ceiling_calls_per_s": cores * calls / bench if bench > 0 else float("nan"),
            "machine_cpu_pct": _pct(cpu, "machine", window),
            "other_cpu_pct": max(0.0, cpu["machine"] - bench) / window * 100,
            "errors": float(got["errors"]),
        }
        for index, key in enumerate(sorted(serving), start=1):
            flat[f"proc{index}_cpu_pct"] = cpu[key] / window * 100
        for name in (*own, "supervisor"):
            if name in cpu:
                flat[f"{name}_cpu_pct"] = _pct(cpu, name, window)
        out[col] = flat
    for col, flat in out.items():
        for key, base in (("x_one", "r1"), ("x_direct", "direct")):
            if base in out and out[base]["calls_per_s"] > 0 and col != base:
                flat[key] = flat["calls_per_s"] / out[base]["calls_per_s"]
    return out


def reading(summary: dict[str, dict[str, dict[str, float]]], cores: int) -> list[str]:
    """Two lines under the table, from its medians: the cores, and where the CPU went at 3 replicas."""

    def med(col: str, key: str) -> float:
        stat = summary.get(col, {}).get(key)
        return stat["median"] if stat else float("nan")

    lines = [
        f"  {cores} cores usable: one passthrough process can use one core; the fake Jira, HAProxy and this load "
        "generator run on the same cores, so more processes than cores cannot add throughput here."
    ]
    if "r3" in summary:
        lines.append(
            f"  at 3 replicas: passthrough {med('r3', 'server_cpu_pct'):.0f} %, fake Jira "
            f"{med('r3', 'fake_cpu_pct'):.0f} %, HAProxy {med('r3', 'haproxy_cpu_pct'):.0f} %, load generator "
            f"{med('r3', 'loadgen_cpu_pct'):.0f} % of a core, {med('r3', 'bench_cpu_pct'):.0f} % in all of "
            f"{cores * 100} %; the whole machine was {med('r3', 'machine_cpu_pct'):.0f} % busy "
            f"({med('r3', 'other_cpu_pct'):.0f} % outside this benchmark)"
        )
    return lines
