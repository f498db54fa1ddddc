"""`passthrough serve --workers N`: N server processes sharing one port, any of them serving any session.

The supervisor starts N copies of `passthrough serve` bound to the same port with SO_REUSEPORT (the kernel
spreads connections among them) and waits. Each worker is a node (passthrough/cluster): without Redis the
workers find each other through their socket files in a directory only this user may enter; with
`PASSTHROUGH_REDIS_URL` through Redis, like replicas on other hosts. A worker that dies is started again
(as a new node: the sessions it held answer 404, and clients initialize again); SIGTERM or SIGINT stops all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from types import FrameType

log = logging.getLogger("passthrough.cluster")

RESTARTS_A_MINUTE = 10  # past this, a worker that keeps dying is left down (and said so)
STOP_SECONDS = 10.0


def free_port(host: str) -> int:
    """A port free on `host` now, for `--port 0` with workers (each worker must bind the same one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def supervise(workers: int, host: str, port: int, argv: Sequence[str], redis: bool) -> int:
    """Run `workers` workers of `passthrough serve` (argv: its options but --workers/--host/--port) until told
    to stop; the exit status: 0 when stopped, 1 when every worker stayed down."""
    if port == 0:
        port = free_port(host)
    sockets = None if redis else tempfile.mkdtemp(prefix="passthrough-workers-")
    if sockets is not None:
        os.chmod(sockets, 0o700)
    env = {
        **os.environ,
        "PASSTHROUGH_WORKERS": "1",
        "PASSTHROUGH_REUSE_PORT": "true",
        "PASSTHROUGH_HOST": host,
        "PASSTHROUGH_PORT": str(port),
    }
    if sockets is not None:
        env["PASSTHROUGH_WORKER_SOCKETS"] = sockets
    command = [sys.executable, "-m", "passthrough", "serve", *argv]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    running: dict[int, subprocess.Popen[bytes]] = {}
    started: dict[int, list[float]] = {i: [] for i in range(workers)}

    def start(index: int) -> None:
        now = time.monotonic()
        started[index] = [t for t in started[index] if now - t < 60] + [now]
        running[index] = subprocess.Popen(command, env=env)  # noqa: S603 (this interpreter, our own arguments)

    how = "Redis" if redis else f"their sockets in {sockets}"
    log.info("starting %d workers on http://%s:%d; sessions are routed among them through %s", workers, host, port, how)
    try:
        for index in range(workers):
            start(index)
        while not stopping and running:
            time.sleep(0.2)
            for index, process in list(running.items()):
                code = process.poll()
                if code is None or stopping:
                    continue
                del running[index]
                if len(started[index]) >= RESTARTS_A_MINUTE:
                    log.error(
                        "worker %d exited (%d) %d times within a minute; leaving it down",
                        index,
                        code,
                        len(started[index]),
                    )
                    continue
                log.warning("worker %d exited (%d); starting it again (its sessions answer 404)", index, code)
                start(index)
    finally:
        for process in running.values():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in running.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if sockets is not None:
            shutil.rmtree(sockets, ignore_errors=True)
    return 0 if stopping else 1
