"""Functions the conversion pool runs in its worker processes (so importable by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def pid(text: str) -> int:
    return os.getpid()


def hold(text: str) -> str:
    """Say it started, then wait (at most 10 s) until told to go; the folder is the first line."""
    folder = Path(text.split("\n", 1)[0])
    (folder / f"started-{os.getpid()}-{time.monotonic_ns()}").touch()
    deadline = time.monotonic() + 10
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return "held"


def die(text: str) -> str:
    os._exit(3)
