"""The shim's environment, read once: where passthrough is, which transport, which credential headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "http://127.0.0.1:8000"

# environment variable -> header passthrough reads it from
HEADER_ENV: tuple[tuple[str, str], ...] = (
    ("JIRA_PERSONAL_TOKEN", "X-Jira-Token"),
    ("CONFLUENCE_PERSONAL_TOKEN", "X-Confluence-Token"),
    ("OPENPROJECT_API_KEY", "X-OpenProject-Key"),
    ("CLICKUP_API_TOKEN", "X-ClickUp-Token"),
    ("JIRA_EMAIL", "X-Jira-Email"),
    ("CONFLUENCE_EMAIL", "X-Confluence-Email"),
    ("MCP_API_KEY", "X-MCP-API-Key"),
)

Transport = Literal["streamable", "sse"]


class ConfigError(ValueError):
    """SSE_SERVER_URL cannot be used; the message names the variable, never a credential."""


@dataclass(frozen=True)
class Config:
    url: str
    """The endpoint the transport talks to: `<base>/mcp` or `<base>/sse`."""
    transport: Transport
    headers: Mapping[str, str] = field(repr=False)
    """Credential headers for every HTTP request; values are secrets."""
    log_level: str = "INFO"
    unfilled: tuple[str, ...] = ()
    """Variables still holding a `<...>` placeholder from a pasted config: not sent (see `is_placeholder`)."""

    @property
    def label(self) -> str:
        """How messages name the server."""
        parts = urlsplit(self.url)
        netloc = parts.netloc.rpartition("@")[2]  # never show userinfo
        return f"passthrough at {urlunsplit(parts._replace(netloc=netloc))}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(v for v in self.headers.values() if v)


def load_config(env: Mapping[str, str]) -> Config:
    url, transport = _endpoint(env.get("SSE_SERVER_URL", "").strip() or DEFAULT_URL)
    values = {name: env.get(name, "").strip() for name, _ in HEADER_ENV}
    unfilled = tuple(name for name, value in values.items() if is_placeholder(value))
    headers = {header: values[name] for name, header in HEADER_ENV if values[name] and name not in unfilled}
    level = env.get("PASSTHROUGH_LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        level = "INFO"
    return Config(url=url, transport=transport, headers=headers, log_level=level, unfilled=unfilled)


def is_placeholder(value: str) -> bool:
    """`<your Jira personal access token>` as `passthrough client-config` prints it: no credential is like that."""
    return len(value) > 2 and value.startswith("<") and value.endswith(">")


def _endpoint(raw: str) -> tuple[str, Transport]:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("SSE_SERVER_URL must be an http:// or https:// URL, e.g. http://127.0.0.1:8000")
    path = parts.path.rstrip("/")
    if path.endswith("/sse"):
        return urlunsplit(parts._replace(path=path, fragment="")), "sse"
    if not path.endswith("/mcp"):
        path += "/mcp"
    return urlunsplit(parts._replace(path=path, fragment="")), "streamable"
