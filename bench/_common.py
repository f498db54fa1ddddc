"""What the benchmark processes share: the bench users, paths, and small helpers (stdlib only)."""

from __future__ import annotations

import math
import os
import socket
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
PEER_VENV = BENCH / ".peer-venv"
TOOLS_VENV = BENCH / ".tools-venv"

# The peer is pinned so that runs stay comparable; bump it deliberately.
PEER_PACKAGE = "mcp-atlassian==0.23.1"
PY_SPY_PACKAGE = "py-spy==0.4.3"

ISSUE_KEY = "DEMO-1"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class BenchUser:
    name: str
    token: str


# Eight users: the concurrency-32 runs spread their clients over them (4 clients per user); the latency and
# connection-reuse runs use the first one only ("one user's sequential calls").
USERS = tuple(BenchUser(f"bench{i}", f"bench-token-{i:02d}-5d1c0f7a") for i in range(8))


def free_port() -> int:
    """An ephemeral loopback port that was free a moment ago (the servers are then started on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat, in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        raw = f.read()
    fields = raw[raw.rindex(b")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5), counted from after "(comm)"
    return ticks / os.sysconf("SC_CLK_TCK")


def proc_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def eprint(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)
