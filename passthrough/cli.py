"""The `passthrough` command: `serve` (the default) and `keygen`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from passthrough import __version__
from passthrough.credentials import new_api_key
from passthrough.errors import ConfigError
from passthrough.log import configure
from passthrough.providers._reach import proxy_for
from passthrough.settings import ProviderSettings, Settings, is_loopback, load_settings
from passthrough.toolsets import DEFAULT_TOOLS, TOOLSETS

log = logging.getLogger("passthrough")


def describe(settings: Settings) -> list[str]:
    """What an operator needs to know at start-up; never a secret."""
    lines = [f"passthrough {__version__} on http://{settings.host}:{settings.port}"]
    if not settings.providers:
        lines.append(
            "No provider configured (set JIRA_URL, CONFLUENCE_URL, OPENPROJECT_URL or CLICKUP_URL): "
            "no tools are listed."
        )
    for p in settings.providers:
        shared = "a shared fallback credential" if p.fallback else "no shared credential"
        lines.append(f"{p.name}: {p.url} ({p.deployment}), {shared}")
        lines += [f"  {line}" for line in _reach_lines(p)]
    why = "set by PASSTHROUGH_FALLBACK" if settings.fallback_explicit else "default"
    meaning = {
        "apikey": "shared credentials only for requests with a valid X-MCP-API-Key",
        "open": "shared credentials for any request without its own",
        "off": "shared credentials never used",
    }[settings.fallback]
    lines.append(f"Fallback policy: {settings.fallback} ({why}): {meaning}")
    lines.append(f"API keys configured: {len(settings.api_key_digests)}")
    lines.append(toolsets_on(settings).replace("On this server (", "Toolsets (").replace(": ", ": ", 1))
    if settings.read_only:
        lines.append("Read-only: write tools are neither listed nor callable")
    lines.append(f"Logs: {settings.log_level} and up, as {settings.log_format} (PASSTHROUGH_LOG_FORMAT)")
    metrics = {"loopback": "served to this machine only", "on": "served to any client", "off": "off"}
    lines.append(f"Metrics at /metrics: {metrics[settings.metrics]} (PASSTHROUGH_METRICS={settings.metrics})")
    lines.append(_processes_line(settings))
    return lines


def _processes_line(settings: Settings) -> str:
    from passthrough.cluster import shown_redis_url

    workers = f"{settings.workers} worker{'s' if settings.workers != 1 else ''} (PASSTHROUGH_WORKERS)"
    if settings.redis_url is not None:
        return (
            f"Processes: {workers}; sessions routed among all replicas through Redis at "
            f"{shown_redis_url(settings.redis_url)} (PASSTHROUGH_REDIS_URL; only node addresses are kept there)"
        )
    if settings.workers > 1:
        return f"Processes: {workers}; sessions routed among them through socket files (no Redis: one host only)"
    return f"Processes: {workers}; no session routing (PASSTHROUGH_REDIS_URL unset)"


def _reach_lines(p: ProviderSettings) -> list[str]:
    """How a provider is reached, when it is anything but the default; proxy credentials and header values hidden."""
    reach, product, lines = p.reach, p.name.upper(), []
    if not reach.verify:
        lines.append(f"TLS verification OFF ({product}_SSL_VERIFY=false)")
    for label, value in (
        ("extra CA bundle", reach.ca_bundle),
        ("trust store (SSL_CERT_FILE)", reach.cert_file),
        ("trust store (SSL_CERT_DIR)", reach.cert_dir),
        ("client certificate", reach.client_cert),
    ):
        if value:
            lines.append(f"{label}: {value}")
    proxy = reach.https_proxy if p.url.startswith("https:") else reach.http_proxy
    if proxy is not None:
        parts = urlsplit(proxy.get_secret_value())
        exempt = " (but not: this host is in NO_PROXY)" if proxy_for(p) is None else ""
        lines.append(f"proxy: {parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{exempt}")
    if reach.headers:
        lines.append(f"extra headers ({product}_CUSTOM_HEADERS): {', '.join(name for name, _ in reach.headers)}")
    return lines


def tools_markdown() -> str:
    """Every tool, grouped by toolset (in the order toolsets are catalogued), as the README shows them."""
    from passthrough.tools import all_tools

    order = {name: i for i, name in enumerate(TOOLSETS)}
    tools = sorted(all_tools(), key=lambda t: order[t.toolset])  # stable: declaration order within a toolset
    lines = [
        "| toolset | tool | arguments (* required) | read-only | default | what it does |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for tool in tools:
        schema = tool.input_schema
        required = set(schema.get("required", []))
        args = ", ".join(f"{name}{'*' if name in required else ''}" for name in schema.get("properties", {}))
        also = f" (also `{'`, `'.join(tool.aliases)}`)" if tool.aliases else ""
        lines.append(
            f"| {tool.toolset} | `{tool.name}`{also} | {args or '—'} | {'yes' if tool.read_only else 'no'} "
            f"| {'yes' if tool.name in DEFAULT_TOOLS else ''} | {tool.description} |"
        )
    return "\n".join(lines)


def toolsets_on(settings: Settings) -> str:
    """Which toolsets this server offers (PASSTHROUGH_TOOLSETS), and how many tools that makes."""
    from passthrough.tools import build_registry

    count = len(build_registry(settings))
    chosen = ", ".join(sorted(settings.toolsets))
    return f"On this server (PASSTHROUGH_TOOLSETS={chosen}): {count} tools for the configured providers."


def warnings(settings: Settings) -> list[str]:
    out = []
    has_shared = any(p.fallback for p in settings.providers)
    if has_shared and settings.fallback == "open" and not is_loopback(settings.host):
        out.append(
            "Shared credentials are open to every client on a non-loopback address: anyone who can reach "
            "this server acts as that account. Set PASSTHROUGH_API_KEY_HASHES or PASSTHROUGH_FALLBACK=apikey."
        )
    for p in settings.providers:
        if p.url.startswith("https:") and not p.reach.verify:
            out.append(
                f"{p.name.upper()}_SSL_VERIFY=false: {p.url}'s certificate is not checked, so anyone on the path can "
                f"read and change the traffic, credentials included. Prefer {p.name.upper()}_CA_BUNDLE."
            )
    if any(p.url.startswith("http://") and not is_loopback(_host(p.url)) for p in settings.providers):
        out.append("An upstream URL uses plain http: credentials would cross the network unencrypted.")
    return out


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def _announce(settings: Settings) -> None:
    for line in describe(settings):
        log.info("%s", line)
    for line in warnings(settings):
        log.warning("%s", line)


_PROVIDER_VARIABLES = ("JIRA_", "CONFLUENCE_", "OPENPROJECT_", "CLICKUP_", "PASSTHROUGH_FALLBACK")


async def _run(settings: Settings, sandbox: bool) -> None:
    if not sandbox:
        _announce(settings)
        await _serve(settings)
        return
    from passthrough.sandbox import sandbox_environment, sandbox_guide

    async with sandbox_environment() as env:
        # the products are the sandbox's; the policy stays the operator's when set (then the guide says what it means)
        own = {k: v for k, v in os.environ.items() if not k.startswith(_PROVIDER_VARIABLES)}
        if os.environ.get("PASSTHROUGH_FALLBACK", "").strip():
            env.pop("PASSTHROUGH_FALLBACK", None)
            own["PASSTHROUGH_FALLBACK"] = os.environ["PASSTHROUGH_FALLBACK"]
        # the sandbox shows every tool working, unless the operator chose toolsets
        settings = load_settings({"PASSTHROUGH_TOOLSETS": "all", **own, **env}).with_bind(settings.host, settings.port)
        _announce(settings)
        policy = settings.fallback
        await _serve(settings, lambda base_url: sandbox_guide(base_url, policy))


async def _serve(settings: Settings, guide: Callable[[str], list[str]] | None = None) -> None:
    from passthrough.http import build_app, listen

    app = build_app(settings)
    listening = await listen(
        app, settings, settings.host, settings.port, shutdown_timeout=5.0, reuse_port=settings.reuse_port
    )
    port = listening.port
    kind = "uvloop" if type(asyncio.get_running_loop()).__module__.startswith("uvloop") else "asyncio"
    log.info("listening on http://%s:%d (%s event loop)", settings.host, port, kind)
    if guide is not None:
        # Printed, not logged: the demo tokens are public values, and the log scrubber would hide them.
        print("\n".join(guide(f"http://{settings.host}:{port}")), flush=True)
    elif not settings.providers:
        log.info(
            "Try `passthrough serve --sandbox` for simulated Jira, Confluence, OpenProject and ClickUp to explore with."
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await listening.stop()


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop to serve on: uvloop where it is installed (``auto``, the default), or asyncio's own.

    uvloop is optional (``pip install passthrough[fast]``); measured in bench/README.md. Set
    PASSTHROUGH_EVENT_LOOP=asyncio to run without it, ``uvloop`` to insist on it.
    """
    choice = choice.strip().lower() or "auto"
    if choice not in ("auto", "asyncio", "uvloop"):
        raise SystemExit(f"passthrough: PASSTHROUGH_EVENT_LOOP must be auto, asyncio or uvloop, not {choice!r}")
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise SystemExit("passthrough: PASSTHROUGH_EVENT_LOOP=uvloop, but uvloop is not installed") from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0 to 65535; 0 picks a free one)")
    return port


def _check_bindable(host: str, port: int) -> None:
    """Bind and release the address before the slow part of start-up, so that a port in use is reported at once.

    The same options as the server's own socket (SO_REUSEADDR, as asyncio sets it), so this refuses
    exactly what the server would."""
    if port == 0:
        return
    for family, kind, proto, _, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(address)


def _supervise(args: argparse.Namespace, settings: Settings, workers: int) -> int:
    """`serve --workers N`: N processes on one port (passthrough/cluster/_workers.py)."""
    from passthrough.cluster._workers import supervise

    if not 1 <= workers <= 64:
        print(f"passthrough: --workers must be 1 to 64, not {workers}", file=sys.stderr)
        return 2
    if getattr(args, "sandbox", False):
        print(
            "passthrough: --sandbox runs in one process (its simulated products keep their state in it); "
            "leave out --workers",
            file=sys.stderr,
        )
        return 2
    try:
        _check_bindable(settings.host, settings.port)
    except OSError as exc:
        print(f"passthrough: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    passed = ["--log-level", args.log_level] if getattr(args, "log_level", None) else []
    return supervise(workers, settings.host, settings.port, passed, redis=settings.redis_url is not None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="passthrough", description="MCP server for Jira, Confluence, OpenProject and ClickUp"
    )
    parser.add_argument("--version", action="version", version=f"passthrough {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the server (the default)")
    serve.add_argument("--host", help="address to bind (PASSTHROUGH_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port (PASSTHROUGH_PORT, default 8000)")
    serve.add_argument("--log-level", help="DEBUG, INFO, WARNING … (PASSTHROUGH_LOG_LEVEL)")
    serve.add_argument(
        "--workers",
        type=int,
        help="server processes sharing the port, any serving any session (PASSTHROUGH_WORKERS, default 1)",
    )
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="also run simulated Jira, Confluence, OpenProject and ClickUp and use them",
    )
    sub.add_parser("keygen", help="print a new X-MCP-API-Key and the digest to configure")
    sub.add_parser("tools", help="print every tool as a Markdown table (the README's list is generated from it)")
    from passthrough import _client_config

    client_config = sub.add_parser(
        "client-config",
        help="print a ready-to-paste MCP client config for this installation (claude, cursor, vscode, inspector)",
    )
    _client_config.add_arguments(client_config)
    config = sub.add_parser("config", help="report the configuration and warnings (never a secret), then exit")
    config.add_argument("--host")
    config.add_argument("--port", type=_port)
    args = parser.parse_args(argv)

    if args.command == "keygen":
        key, digest = new_api_key()
        print(f"API key (give to the client as X-MCP-API-Key): {key}")
        print(f"Digest (add to PASSTHROUGH_API_KEY_HASHES):     {digest}")
        return 0

    if args.command == "tools":
        print(tools_markdown())
        with contextlib.suppress(ConfigError):
            print("\n" + toolsets_on(load_settings(os.environ)))
        return 0

    if args.command == "client-config":
        return _client_config.run(args)

    try:
        settings = load_settings(os.environ).with_bind(getattr(args, "host", None), getattr(args, "port", None))
    except ConfigError as exc:
        print(f"passthrough: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "config":
        for line in describe(settings):
            print(line)
        for line in warnings(settings):
            print(f"WARNING: {line}")
        return 0
    configure((getattr(args, "log_level", None) or settings.log_level).upper(), settings.log_format)
    workers = getattr(args, "workers", None) or settings.workers
    if workers != 1:
        return _supervise(args, settings, workers)
    try:
        _check_bindable(settings.host, settings.port)
    except OSError as exc:
        print(f"passthrough: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        with asyncio.Runner(loop_factory=loop_factory(os.environ.get("PASSTHROUGH_EVENT_LOOP", "auto"))) as runner:
            runner.run(_run(settings, bool(getattr(args, "sandbox", False))))
    except OSError as exc:
        print(f"passthrough: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
