"""`passthrough client-config CLIENT`: a ready-to-paste MCP client config for this installation.

The JSON goes to stdout (pipe it to a file, or paste it); a hint saying where it goes goes to stderr.
Credentials are always placeholders (``<your Jira personal access token>``, or VS Code's ``${input:…}``
prompts): the command reads the environment only to learn which products are configured and where the
server listens, and never prints a value it finds there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from passthrough.settings import detect_deployment
from passthrough.sse_client._config import HEADER_ENV

CLIENTS = ("claude", "cursor", "vscode", "inspector")
PRODUCTS = ("jira", "confluence", "openproject", "clickup")
SERVER_NAME = "passthrough"

Deployment = Literal["cloud", "server", "unknown"]


class ClientConfigError(ValueError):
    """The options or the environment cannot make a config; the message says which."""


@dataclass(frozen=True)
class Credential:
    """One credential the client may send: the relay's environment variable, the header, its placeholder."""

    env: str
    header: str
    placeholder: str
    prompt: str
    """What VS Code's input box asks for."""
    input_id: str
    secret: bool = True
    maybe: bool = False
    """Needed only on some deployments (an email where this environment does not say Cloud or Server)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("client", choices=CLIENTS, help="the MCP client to configure")
    parser.add_argument(
        "--url",
        help="passthrough's base URL (default: from PASSTHROUGH_HOST/PASSTHROUGH_PORT, else http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--products",
        help="comma list of jira, confluence, openproject, clickup (or all, none) to add credential placeholders for "
        "(default: the products configured here by JIRA_URL, CONFLUENCE_URL, OPENPROJECT_URL, CLICKUP_URL, "
        "else all); "
        "none: send no credential, use the server's shared one (as in the sandbox)",
    )
    parser.add_argument(
        "--api-key",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add an X-MCP-API-Key placeholder (default: when PASSTHROUGH_API_KEY_HASHES is set)",
    )


def run(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        config, hint = build(args.client, env, url=args.url, products=args.products, api_key=args.api_key)
    except ClientConfigError as exc:
        print(f"passthrough client-config: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(config, indent=2))
    for line in hint:
        print(line, file=sys.stderr)
    return 0


def build(
    client: str,
    env: Mapping[str, str],
    *,
    url: str | None = None,
    products: str | None = None,
    api_key: bool | None = None,
    interpreter: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The config for `client` and the hint lines that say where to paste it."""
    if client not in CLIENTS:
        raise ClientConfigError(f"unknown client {client!r}; choose one of {', '.join(CLIENTS)}")
    base = base_url(url if url is not None else default_url(env))
    chosen = choose_products(products, env)
    with_key = api_key if api_key is not None else bool(env.get("PASSTHROUGH_API_KEY_HASHES", "").strip())
    credentials = credentials_for(chosen, env, with_key)
    fill = _fill_hint(credentials)
    if client == "claude":
        python = interpreter or python_path()
        server_url = (url or "").strip().rstrip("/")
        entry = {
            "command": python,
            "args": ["-m", "passthrough.sse_client"],
            "env": {
                "SSE_SERVER_URL": server_url if server_url.endswith(("/mcp", "/sse")) else base,
                **{c.env: c.placeholder for c in credentials},
            },
        }
        return {"mcpServers": {SERVER_NAME: entry}}, [
            f"Paste this into Claude Desktop's config file ({claude_config_path()}; "
            'Settings > Developer > Edit Config opens it), merging it into an existing "mcpServers", '
            "then restart Claude Desktop.",
            *fill,
            f"It runs the relay with this installation's interpreter ({python}), so it works outside the venv.",
        ]
    headers = {c.header: c.placeholder for c in credentials}
    if client == "cursor":
        return {"mcpServers": {SERVER_NAME: {"url": base + "/mcp", "headers": headers}}}, [
            "Paste this into Cursor's ~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project), "
            'merging it into an existing "mcpServers".',
            *fill,
        ]
    if client == "vscode":
        # a prompt left empty would send an empty header (refused): ask for an email only where one is needed
        credentials = [c for c in credentials if not c.maybe]
        inputs = [
            {"type": "promptString", "id": c.input_id, "description": c.prompt, "password": c.secret}
            for c in credentials
        ]
        vs_headers = {c.header: "${input:" + c.input_id + "}" for c in credentials}
        config: dict[str, Any] = {
            "inputs": inputs,
            "servers": {SERVER_NAME: {"type": "http", "url": base + "/mcp", "headers": vs_headers}},
        }
        return config, [
            "Save this as .vscode/mcp.json in your workspace (or run 'MCP: Open User Configuration' for every "
            'workspace), merging it into existing "servers" and "inputs"; VS Code asks for each value once '
            "and keeps it in its secret storage.",
            *(
                [
                    "For an Atlassian Cloud site add X-Jira-Email / X-Confluence-Email (your account email) "
                    "to the headers."
                ]
                if any(c.maybe for c in credentials_for(chosen, env, with_key))
                else []
            ),
        ]
    header_args = " ".join(f"--header '{c.header}: {c.placeholder}'" for c in credentials)
    return {"mcpServers": {SERVER_NAME: {"type": "streamable-http", "url": base + "/mcp", "headers": headers}}}, [
        "Save this as passthrough-inspector.json and run "
        f"`npx @modelcontextprotocol/inspector --config passthrough-inspector.json --server {SERVER_NAME}` "
        "(add `--cli --method tools/list` for the command line).",
        *fill,
        "Or without a file: "
        f"npx @modelcontextprotocol/inspector --cli {base}/mcp {header_args + ' ' if header_args else ''}"
        "--method tools/list",
    ]


def python_path() -> str:
    """This interpreter, absolute, as started (a venv's python must not be resolved to the base one)."""
    if not sys.executable:
        raise ClientConfigError("cannot tell which Python runs passthrough (sys.executable is empty)")
    return os.path.abspath(sys.executable)


def claude_config_path(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform == "darwin":
        return "~/Library/Application Support/Claude/claude_desktop_config.json"
    if platform.startswith("win"):
        return r"%APPDATA%\Claude\claude_desktop_config.json"
    return "~/.config/Claude/claude_desktop_config.json"


def default_url(env: Mapping[str, str]) -> str:
    """Where `passthrough serve` listens with this environment; a wildcard bind is reached on loopback."""
    host = env.get("PASSTHROUGH_HOST", "").strip() or "127.0.0.1"
    port = env.get("PASSTHROUGH_PORT", "").strip() or "8000"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ClientConfigError(f"PASSTHROUGH_PORT must be a port number (1-65535), not {port!r}")
    if host == "0.0.0.0":  # noqa: S104 - the wildcard bind is reached on loopback
        host = "127.0.0.1"
    elif host in ("::", "[::]"):
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{int(port)}"


def base_url(raw: str) -> str:
    """The server's base URL: an http(s) URL with a host, without a trailing /mcp or /sse."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClientConfigError(f"--url must be an http:// or https:// URL, e.g. http://127.0.0.1:8000, not {raw!r}")
    if parts.username or parts.password:
        raise ClientConfigError("--url must not carry credentials; they go in the headers")
    path = parts.path.rstrip("/")
    for suffix in ("/mcp", "/sse"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def choose_products(raw: str | None, env: Mapping[str, str]) -> tuple[str, ...]:
    if raw is None:
        configured = tuple(p for p in PRODUCTS if env.get(f"{p.upper()}_URL", "").strip())
        return configured or PRODUCTS
    names = [n.strip().lower() for n in raw.split(",") if n.strip()]
    if names == ["all"]:
        return PRODUCTS
    if names == ["none"]:
        return ()
    unknown = [n for n in names if n not in PRODUCTS]
    if unknown or not names:
        raise ClientConfigError(f"--products takes a comma list of {', '.join(PRODUCTS)}, or all, or none; not {raw!r}")
    return tuple(p for p in PRODUCTS if p in names)


def deployment(product: str, env: Mapping[str, str]) -> Deployment:
    """cloud or server as the server would decide it here; unknown when this environment does not say."""
    if product == "openproject":
        return "server"
    if product == "clickup":
        return "cloud"
    prefix = product.upper()
    raw = env.get(f"{prefix}_DEPLOYMENT", "").strip().lower()
    if raw == "cloud":
        return "cloud"
    if raw in ("server", "datacenter", "data-center", "dc"):
        return "server"
    url = env.get(f"{prefix}_URL", "").strip()
    if not url:
        return "unknown"
    return detect_deployment(url)


def credentials_for(products: Sequence[str], env: Mapping[str, str], api_key: bool) -> list[Credential]:
    header = dict(HEADER_ENV)
    out: list[Credential] = []
    for product in products:
        if product == "openproject":
            out.append(
                Credential(
                    "OPENPROJECT_API_KEY",
                    header["OPENPROJECT_API_KEY"],
                    "<your OpenProject API key>",
                    "OpenProject API key (My account > Access tokens)",
                    "openproject-key",
                )
            )
            continue
        if product == "clickup":
            out.append(
                Credential(
                    "CLICKUP_API_TOKEN",
                    header["CLICKUP_API_TOKEN"],
                    "<your ClickUp personal API token (pk_...) or OAuth access token>",
                    "ClickUp API token (Settings > Apps > API Token)",
                    "clickup-token",
                )
            )
            continue
        name = product.capitalize()
        kind = deployment(product, env)
        token = {
            "cloud": f"<your {name} API token>",
            "server": f"<your {name} personal access token>",
            "unknown": f"<your {name} personal access token, or Cloud API token>",
        }[kind]
        var = f"{product.upper()}_PERSONAL_TOKEN"
        out.append(Credential(var, header[var], token, f"{name} token", f"{product}-token"))
        if kind != "server":
            email = "<your Atlassian account email>"
            if kind == "unknown":
                email = "<your Atlassian account email (Cloud only; delete this line for Server/Data Center)>"
            var = f"{product.upper()}_EMAIL"
            out.append(
                Credential(
                    var,
                    header[var],
                    email,
                    f"{name} account email (Cloud only)",
                    f"{product}-email",
                    secret=False,
                    maybe=kind == "unknown",
                )
            )
    if api_key:
        out.append(
            Credential(
                "MCP_API_KEY",
                header["MCP_API_KEY"],
                "<your passthrough API key (mcp_...) from passthrough keygen>",
                "passthrough API key (X-MCP-API-Key)",
                "mcp-api-key",
            )
        )
    return out


def _fill_hint(credentials: Sequence[Credential]) -> list[str]:
    if not credentials:
        return ["It sends no credential: every request uses the server's shared one, if its fallback policy allows."]
    return [
        "Replace each <...> placeholder with your own value; leave out any you do not need (a product without "
        "one uses the server's shared credential if its fallback policy allows; in the sandbox, Dana Demo)."
    ]
