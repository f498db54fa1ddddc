"""`passthrough serve --sandbox` as a user starts it (`./run serve` with no provider URL), in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

DEMO_1_SUMMARY = "Set up the CI pipeline for the web client"
"""The sandbox Jira's DEMO-1, which the README and examples/ ask for."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_environment() -> dict[str, str]:
    """This environment without provider, credential or passthrough settings: what a newcomer's shell has."""
    drop = ("JIRA_", "CONFLUENCE_", "OPENPROJECT_", "CLICKUP_", "PASSTHROUGH_", "SSE_SERVER_URL", "MCP_API_KEY")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@dataclass
class Sandbox:
    url: str
    output: list[str] = field(default_factory=list)


@contextmanager
def sandbox(seconds: float = 30.0) -> Iterator[Sandbox]:
    """The sandbox on 127.0.0.1:<free port>; its output is drained (a full pipe would stall it) and kept."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "passthrough", "serve", "--sandbox", "--host", "127.0.0.1", "--port", str(port)],
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    box = Sandbox(f"http://127.0.0.1:{port}")
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: box.output.extend(iter(stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                reader.join(5)
                raise AssertionError("the sandbox exited early:\n" + "".join(box.output))
            try:
                if httpx.get(box.url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the sandbox did not answer /healthz:\n" + "".join(box.output))
            time.sleep(0.1)
        yield box
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        reader.join(5)
