"""The peer, mcp-atlassian: installed by the benchmark into its own venv and run in streamable-http mode.

How it is run (read from the installed package, mcp_atlassian 0.23.1):

* ``mcp-atlassian --transport streamable-http --host 127.0.0.1 --port N`` serves MCP on ``/mcp`` and a
  readiness probe on ``GET /healthz``.
* Multi-user: each request's ``Authorization: Token <PAT>`` (Server/DC personal access token) is read by its
  ``UserTokenMiddleware``; the tool then builds a Jira client for that user from the global config, so the
  global config must exist: ``JIRA_URL`` plus a global credential (``JIRA_PERSONAL_TOKEN``). We give it a
  token the fake Jira does not know, so a call that fell back to it would fail visibly instead of passing.
* The tool is ``jira_get_issue`` with ``issue_key``; it answers over Streamable HTTP as an SSE event after an
  ``initialize`` handshake that issues an ``Mcp-Session-Id``.
* FastMCP's PyPI update check and banner are switched off (the servers must not reach out while measured).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

from _common import PEER_PACKAGE, PEER_VENV, TOOLS_VENV, eprint

GLOBAL_TOKEN_NOT_ACCEPTED = "peer-global-token-unknown-to-the-fake"


def _pip_install(env_dir: Path, package: str) -> None:
    python = env_dir / "bin" / "python"
    if not python.exists():
        eprint(f"creating {env_dir} …")
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    eprint(f"installing {package} into {env_dir} (once) …")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", package],
        check=True,
        timeout=900,
    )


def installed_version(env_dir: Path, distribution: str) -> str | None:
    python = env_dir / "bin" / "python"
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_peer() -> str:
    """Install the pinned mcp-atlassian into bench/.peer-venv if it is not there; its version."""
    wanted = PEER_PACKAGE.split("==", 1)[1]
    if installed_version(PEER_VENV, "mcp-atlassian") != wanted:
        _pip_install(PEER_VENV, PEER_PACKAGE)
    version = installed_version(PEER_VENV, "mcp-atlassian")
    if version != wanted:
        raise RuntimeError(f"could not install {PEER_PACKAGE} into {PEER_VENV}")
    return version


def ensure_py_spy(package: str) -> Path | None:
    """py-spy in bench/.tools-venv (a binary wheel from PyPI); None if it cannot be installed."""
    binary = TOOLS_VENV / "bin" / "py-spy"
    if not binary.exists():
        try:
            _pip_install(TOOLS_VENV, package)
        except (subprocess.SubprocessError, OSError) as exc:
            eprint(f"py-spy could not be installed ({exc}); falling back to cProfile")
            return None
    return binary if binary.exists() else None


def command(port: int) -> list[str]:
    return [
        str(PEER_VENV / "bin" / "mcp-atlassian"),
        "--transport",
        "streamable-http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def environment(jira_url: str) -> dict[str, str]:
    return {
        **base_environment(),
        "JIRA_URL": jira_url,
        "JIRA_PERSONAL_TOKEN": GLOBAL_TOKEN_NOT_ACCEPTED,
        "TOOLSETS": "all",
        "FASTMCP_CHECK_FOR_UPDATES": "off",
        "FASTMCP_SHOW_SERVER_BANNER": "false",
        "PYTHONWARNINGS": "ignore",
    }


def base_environment() -> dict[str, str]:
    """A clean environment for the servers: nothing of the caller's (no stray JIRA_*, proxies, tokens)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def authorization(token: str) -> str:
    """The per-request header value the peer takes for a Server/DC personal access token."""
    return f"Token {token}"


if __name__ == "__main__":  # `python bench/_peer.py` installs the peer and prints its version
    print(ensure_peer())
    sys.exit(0)
