"""`passthrough client-config`: valid JSON of each client's shape, this interpreter, placeholders, never a secret."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from passthrough._client_config import CLIENTS, build, default_url
from passthrough.cli import main
from passthrough.sse_client._config import HEADER_ENV, load_config

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "JIRA_PERSONAL_TOKEN": "secret-xyz",
    "CONFLUENCE_PERSONAL_TOKEN": "secret-conf-1",
    "OPENPROJECT_API_KEY": "secret-op-2",
    "JIRA_API_TOKEN": "secret-jira-api-3",
    "CONFLUENCE_API_TOKEN": "secret-conf-api-4",
    "MCP_API_KEY": "mcp_" + "ab" * 32,
    "JIRA_EMAIL": "someone-secret@example.com",
}
PLACEHOLDER = re.compile(r"^(<[^<>]+>|\$\{input:[a-z-]+\})$")


def run(client: str, *args: str, **env: str) -> tuple[dict[str, Any], str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JIRA_", "CONFLUENCE_", "OPENPROJECT_", "PASSTHROUGH_"))
    }
    proc = subprocess.run(
        [sys.executable, "-m", "passthrough", "client-config", client, *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def values(config: object) -> list[str]:
    if isinstance(config, dict):
        return [v for item in config.values() for v in values(item)]
    if isinstance(config, list):
        return [v for item in config for v in values(item)]
    return [config] if isinstance(config, str) else []


@pytest.mark.parametrize("client", CLIENTS)
def test_no_secret_from_the_environment_is_printed(client: str) -> None:
    config, hint = run(client, "--api-key", JIRA_URL="https://acme.atlassian.net", **SECRETS)
    for secret in SECRETS.values():
        assert secret not in json.dumps(config) and secret not in hint


def test_claude_runs_the_relay_with_this_absolute_interpreter() -> None:
    config, hint = run("claude", "--url", "http://127.0.0.1:9123")
    entry = config["mcpServers"]["passthrough"]
    assert Path(entry["command"]).is_absolute() and Path(entry["command"]).exists()
    assert entry["command"] == os.path.abspath(sys.executable)
    assert entry["args"] == ["-m", "passthrough.sse_client"]
    env = entry["env"]
    assert env["SSE_SERVER_URL"] == "http://127.0.0.1:9123"
    assert set(env) - {"SSE_SERVER_URL"} <= {name for name, _ in HEADER_ENV}
    assert {"JIRA_PERSONAL_TOKEN", "CONFLUENCE_PERSONAL_TOKEN", "OPENPROJECT_API_KEY"} <= set(env)
    assert all(PLACEHOLDER.match(v) for k, v in env.items() if k != "SSE_SERVER_URL")
    assert "claude_desktop_config.json" in hint
    # the relay ignores what was not filled in, so a pasted config never sends a placeholder as a token
    assert load_config(env).headers == {}


def test_cursor_and_inspector_shapes() -> None:
    cursor, hint = run("cursor", "--url", "http://localhost:8123/")
    entry = cursor["mcpServers"]["passthrough"]
    assert entry["url"] == "http://localhost:8123/mcp" and "X-Jira-Token" in entry["headers"]
    assert all(PLACEHOLDER.match(v) for v in entry["headers"].values()) and "mcp.json" in hint
    inspector, hint = run("inspector", "--products", "openproject")
    entry = inspector["mcpServers"]["passthrough"]
    assert entry == {
        "type": "streamable-http",
        "url": "http://127.0.0.1:8000/mcp",
        "headers": {"X-OpenProject-Key": "<your OpenProject API key>"},
    }
    assert "npx @modelcontextprotocol/inspector" in hint


def test_vscode_prompts_for_every_header() -> None:
    config, hint = run("vscode", JIRA_URL="https://acme.atlassian.net", CONFLUENCE_URL="https://wiki.example.com")
    server = config["servers"]["passthrough"]
    assert server["type"] == "http" and server["url"] == "http://127.0.0.1:8000/mcp"
    ids = {i["id"] for i in config["inputs"]}
    assert set(server["headers"]) == {"X-Jira-Token", "X-Jira-Email", "X-Confluence-Token"}  # Cloud Jira: email
    for header, value in server["headers"].items():
        assert value.startswith("${input:") and value[8:-1] in ids, header
    assert all(i["type"] == "promptString" for i in config["inputs"])
    assert {i["id"]: i["password"] for i in config["inputs"]}["jira-token"] is True
    assert ".vscode/mcp.json" in hint


def test_products_default_to_the_configured_ones_else_all() -> None:
    only_op = build("cursor", {"OPENPROJECT_URL": "https://op.example.com"})[0]
    assert set(only_op["mcpServers"]["passthrough"]["headers"]) == {"X-OpenProject-Key"}
    every = build("cursor", {})[0]["mcpServers"]["passthrough"]["headers"]
    assert {"X-Jira-Token", "X-Confluence-Token", "X-OpenProject-Key"} <= set(every)
    none = build("claude", {}, products="none", interpreter="/x/python")[0]["mcpServers"]["passthrough"]["env"]
    assert none == {"SSE_SERVER_URL": "http://127.0.0.1:8000"}
    server = build("cursor", {"JIRA_URL": "https://jira.example.com"})[0]["mcpServers"]["passthrough"]["headers"]
    assert server == {"X-Jira-Token": "<your Jira personal access token>"}  # Server/DC: no email
    keyed = build("cursor", {"PASSTHROUGH_API_KEY_HASHES": "ab" * 32}, products="jira")[0]
    assert "X-MCP-API-Key" in keyed["mcpServers"]["passthrough"]["headers"]


def test_the_url_follows_the_bind_settings() -> None:
    assert default_url({}) == "http://127.0.0.1:8000"
    assert default_url({"PASSTHROUGH_HOST": "0.0.0.0", "PASSTHROUGH_PORT": "9000"}) == "http://127.0.0.1:9000"
    assert default_url({"PASSTHROUGH_HOST": "::1"}) == "http://[::1]:8000"
    config, _ = run("claude", PASSTHROUGH_PORT="8765")
    assert config["mcpServers"]["passthrough"]["env"]["SSE_SERVER_URL"] == "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    "args", [["cursor", "--url", "ftp://x"], ["cursor", "--products", "jira,nope"], ["claude", "--url", "http://u:p@h"]]
)
def test_bad_options_exit_2_with_a_message(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["client-config", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "passthrough client-config:" in captured.err


def test_the_examples_are_what_the_command_prints() -> None:
    """examples/cursor-mcp.json and vscode-mcp.json stay in step with `passthrough client-config`."""
    for client in ("cursor", "vscode"):
        shipped = json.loads((ROOT / "examples" / f"{client}-mcp.json").read_text())
        assert shipped == build(client, {})[0], (
            f"regenerate: passthrough client-config {client} > examples/{client}-mcp.json"
        )
