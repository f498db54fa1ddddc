"""Server configuration, read once from a mapping (the environment, or a dict in tests)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from passthrough import toolsets
from passthrough.errors import ConfigError

Provider = Literal["jira", "confluence", "openproject", "clickup"]
Deployment = Literal["cloud", "server"]
FallbackPolicy = Literal["apikey", "open", "off"]
LogFormat = Literal["text", "json"]
MetricsPolicy = Literal["loopback", "on", "off"]

PROVIDERS: tuple[Provider, ...] = ("jira", "confluence", "openproject", "clickup")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GlobalCredential(_Frozen):
    """A server-side fallback credential; `username` set means Basic, else Bearer."""

    username: str | None = None
    secret: SecretStr


class Reach(_Frozen):
    """How one product's upstream is reached: whom to trust, who we are, through which proxy, what else to send.

    Read from `P_*` variables (and the standard SSL_CERT_*, *_PROXY ones); nothing else
    from the environment (no .netrc). Proxy URLs and header values may carry secrets."""

    verify: bool = True
    ca_bundle: str | None = None
    cert_file: str | None = None  # SSL_CERT_FILE
    cert_dir: str | None = None  # SSL_CERT_DIR
    client_cert: str | None = None
    client_key: str | None = None
    https_proxy: SecretStr | None = None
    http_proxy: SecretStr | None = None
    no_proxy: str = ""
    headers: tuple[tuple[str, SecretStr], ...] = ()


class ProviderSettings(_Frozen):
    name: Provider
    url: str
    deployment: Deployment
    fallback: GlobalCredential | None = None
    reach: Reach = Reach()
    # Atlassian Cloud's API gateway (ATLASSIAN_API_URL): where OAuth tokens and the Jira forms API go
    gateway: str = "https://api.atlassian.com"
    # Atlassian Cloud's media service (ATLASSIAN_MEDIA_URL): where a Cloud download redirects, to a signed
    # URL that is fetched without any credential; no other redirect is ever followed
    media: str = "https://api.media.atlassian.com"


class Limits(_Frozen):
    max_body_bytes: int = 1 << 20
    max_header_bytes: int = 8192
    max_sessions: int = 10_000
    max_inflight_per_session: int = 32
    session_idle_seconds: float = 3600.0
    sse_keepalive_seconds: float = 15.0
    # Shared-server bounds: what one client may hold at once, and how long a connection may dawdle.
    max_sessions_per_client: int = 64
    max_inflight: int = 256
    max_inflight_per_client: int = 32
    max_batch: int = 32
    max_reply_bytes: int = 16 << 20
    sse_buffer_bytes: int = 32 << 20
    sse_write_timeout_seconds: float = 30.0
    idle_timeout_seconds: float = 15.0
    body_timeout_seconds: float = 30.0
    max_connections: int = 4096
    max_connections_per_address: int = 1024
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 10.0
    # one aiohttp pool per upstream, shared by every user; each user may hold at most a share of it at once
    # (None: a quarter of the pool, at least 2), queued beyond that
    upstream_max_connections: int = 64
    upstream_per_user_connections: int | None = None
    # one upstream call, its queueing, retries and their sleeps included
    upstream_deadline_seconds: float = 60.0
    retry_attempts: int = 3
    retry_after_floor_seconds: float = 0.25
    retry_after_cap_seconds: float = 10.0
    # one downloaded attachment (CONTRACT.md section 9): larger ones are named with their size, never fetched
    max_attachment_bytes: int = 10 << 20


class Settings(_Frozen):
    host: str = "127.0.0.1"
    port: int = 8000
    providers: tuple[ProviderSettings, ...] = ()
    api_key_digests: tuple[str, ...] = ()
    fallback: FallbackPolicy = "off"
    fallback_explicit: bool = False
    read_only: bool = False
    allowed_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    # Sites a request may name by header (X-Atlassian-Jira-Url …): `scheme://host[:port]` or `scheme://*.domain`
    allowed_upstreams: tuple[str, ...] = ()
    # Atlassian Cloud OAuth 2.0: the site's cloud id for Bearer access tokens, and the gateway they go through
    atlassian_oauth_cloud_id: str | None = None
    atlassian_api_url: str = "https://api.atlassian.com"
    # What the server offers (passthrough/toolsets.py): toolset names, "default", "all"
    toolsets: frozenset[str] = frozenset({"default"})
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    metrics: MetricsPolicy = "loopback"
    limits: Limits = Limits()
    # Several processes (passthrough/cluster): workers on this host, Redis for replicas on any number of hosts
    workers: int = 1
    redis_url: str | None = None
    advertise_host: str | None = None  # where the other replicas reach this one's peer listener
    peer_port: int = 0
    worker_sockets: str | None = None  # set by `serve --workers N` for its workers: their socket directory
    reuse_port: bool = False  # set by `serve --workers N` for its workers: they share one port

    def provider(self, name: Provider) -> ProviderSettings | None:
        for p in self.providers:
            if p.name == name:
                return p
        return None

    def with_bind(self, host: str | None, port: int | None) -> Settings:
        """The same settings bound elsewhere; the default fallback follows the new address."""
        update: dict[str, object] = {}
        if host is not None:
            update["host"] = host
        if port is not None:
            update["port"] = port
        changed = self.model_copy(update=update)
        if not changed.fallback_explicit:
            changed = changed.model_copy(update={"fallback": _default_fallback(changed.api_key_digests, changed.host)})
        return changed


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:  # the usual ones (checked on every request) without parsing an address
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _default_fallback(digests: tuple[str, ...], host: str) -> FallbackPolicy:
    if digests:
        return "apikey"
    return "open" if is_loopback(host) else "off"


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ConfigError(f"{name} must not carry credentials; use the credential variables")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must not have a query or fragment")
    return raw.rstrip("/")


def _deployment(env: Mapping[str, str], name: str, url: str) -> Deployment:
    raw = env.get(name, "").strip().lower()
    if raw in ("cloud", "server"):
        return raw  # type: ignore[return-value]
    if raw in ("datacenter", "data-center", "dc"):
        return "server"
    if raw:
        raise ConfigError(f"{name} must be cloud or server, not {raw!r}")
    return detect_deployment(url)


def detect_deployment(url: str) -> Deployment:
    """Atlassian Cloud lives under `*.atlassian.net`; anything else is Server or Data Center."""
    return "cloud" if (urlsplit(url).hostname or "").endswith(".atlassian.net") else "server"


def _atlassian_fallback(env: Mapping[str, str], prefix: str) -> GlobalCredential | None:
    pat = env.get(f"{prefix}_PERSONAL_TOKEN", "").strip()
    user = env.get(f"{prefix}_USERNAME", "").strip()
    token = env.get(f"{prefix}_API_TOKEN", "").strip()
    if user and token:
        return GlobalCredential(username=user, secret=SecretStr(token))
    if bool(user) != bool(token):
        raise ConfigError(f"{prefix}_USERNAME and {prefix}_API_TOKEN go together")
    if pat:
        return GlobalCredential(secret=SecretStr(pat))
    return None


# Headers a product variable may never set: the credential, what the transport owns, and MCP's own.
_RESERVED_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "mcp-session-id",
        "mcp-protocol-version",
        "last-event-id",
    }
)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _custom_headers(env: Mapping[str, str], name: str) -> tuple[tuple[str, SecretStr], ...]:
    """`Name=value,Name2=value2` as header pairs; never the credential's or the protocol's headers."""
    pairs: list[tuple[str, SecretStr]] = []
    for item in env.get(name, "").split(","):
        if not item.strip():
            continue
        header, sep, value = item.partition("=")
        header, value = header.strip(), value.strip()
        if not sep or not _HEADER_NAME.match(header):
            raise ConfigError(f"{name} must be Name=value pairs separated by commas; {header!r} is not one")
        if header.lower() in _RESERVED_HEADERS or header.lower().startswith("x-mcp-"):
            raise ConfigError(f"{name} may not set {header}: passthrough sends that header itself")
        if any(c in value for c in "\r\n\0"):
            raise ConfigError(f"{name}: the value of {header} has a line break or NUL")
        pairs.append((header, SecretStr(value)))
    return tuple(pairs)


def _file(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if raw and not os.path.isfile(raw):
        raise ConfigError(f"{name} names {raw}, which is not a readable file")
    return raw or None


def _proxy(env: Mapping[str, str], product: str, kind: str) -> SecretStr | None:
    """The product's proxy variable, else the standard one (either case); an http(s) URL."""
    for name in (f"{product}_{kind}_PROXY", f"{kind}_PROXY", f"{kind.lower()}_proxy"):
        raw = env.get(name, "").strip()
        if raw:
            parts = urlsplit(raw if "://" in raw else f"http://{raw}")
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(f"{name} must be an http(s) proxy URL with a host")
            return SecretStr(parts.geturl())
    return None


def _reach(env: Mapping[str, str], product: str) -> Reach:
    verify = env.get(f"{product}_SSL_VERIFY", "").strip() == "" or _flag(env, f"{product}_SSL_VERIFY")
    cert, key = _file(env, f"{product}_CLIENT_CERT"), _file(env, f"{product}_CLIENT_KEY")
    if key and not cert:
        raise ConfigError(f"{product}_CLIENT_KEY needs {product}_CLIENT_CERT")
    cert_dir = env.get("SSL_CERT_DIR", "").strip() or None
    if cert_dir and not os.path.isdir(cert_dir):
        raise ConfigError(f"SSL_CERT_DIR names {cert_dir}, which is not a directory")
    no_proxy = next((env[n] for n in (f"{product}_NO_PROXY", "NO_PROXY", "no_proxy") if env.get(n, "").strip()), "")
    return Reach(
        verify=verify,
        ca_bundle=_file(env, f"{product}_CA_BUNDLE"),
        cert_file=_file(env, "SSL_CERT_FILE"),
        cert_dir=cert_dir,
        client_cert=cert,
        client_key=key,
        https_proxy=_proxy(env, product, "HTTPS"),
        http_proxy=_proxy(env, product, "HTTP"),
        no_proxy=no_proxy.strip(),
        headers=_custom_headers(env, f"{product}_CUSTOM_HEADERS"),
    )


_CLOUD_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def valid_cloud_id(value: str) -> bool:
    return bool(_CLOUD_ID.match(value))


def _allowed_upstreams(env: Mapping[str, str]) -> tuple[str, ...]:
    entries = []
    for raw in env.get("PASSTHROUGH_ALLOWED_UPSTREAMS", "").split(","):
        entry = raw.strip().lower().rstrip("/")
        if not entry:
            continue
        parts = urlsplit(entry.replace("*.", "wildcard.", 1))
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            raise ConfigError(
                f"PASSTHROUGH_ALLOWED_UPSTREAMS entries are https://host or https://*.domain, not {raw.strip()!r}"
            )
        entries.append(entry)
    return tuple(entries)


def upstream_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """Whether `url`'s scheme and host (and port, where an entry names one) match an allowlist entry."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for entry in allowed:
        scheme, _, rest = entry.partition("://")
        name, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
        if scheme != parts.scheme or (port and str(parts.port or "") != port):
            continue
        if name.startswith("*.") and host.endswith(name[1:]) and len(host) > len(name) - 1:
            return True
        if host == name:
            return True
    return False


def _toolsets(env: Mapping[str, str]) -> frozenset[str]:
    try:
        return toolsets.parse(env.get("PASSTHROUGH_TOOLSETS", ""), "PASSTHROUGH_TOOLSETS")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first is the default when unset), case-insensitive; else a ConfigError naming them."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be {', '.join(choices[:-1])} or {choices[-1]}, not {raw!r}")
    return raw


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number") from None
    if not 0 <= value < 65536 and name.endswith("PORT"):
        raise ConfigError(f"{name} must be a TCP port (0 to 65535; 0 picks a free one), not {value}")
    return value


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build settings from `env`; raises ConfigError with a message naming the variable."""
    providers: list[ProviderSettings] = []
    gateway = _url(env, "ATLASSIAN_API_URL") or "https://api.atlassian.com"
    media = _url(env, "ATLASSIAN_MEDIA_URL") or "https://api.media.atlassian.com"
    for name, prefix in (("jira", "JIRA"), ("confluence", "CONFLUENCE")):
        url = _url(env, f"{prefix}_URL")
        if url is None:
            continue
        providers.append(
            ProviderSettings(
                name=name,  # type: ignore[arg-type]
                url=url,
                deployment=_deployment(env, f"{prefix}_DEPLOYMENT", url),
                fallback=_atlassian_fallback(env, prefix),
                reach=_reach(env, prefix),
                gateway=gateway,
                media=media,
            )
        )
    op_url = _url(env, "OPENPROJECT_URL")
    if op_url is not None:
        key = env.get("OPENPROJECT_API_KEY", "").strip()
        providers.append(
            ProviderSettings(
                name="openproject",
                url=op_url,
                deployment="server",
                fallback=GlobalCredential(username="apikey", secret=SecretStr(key)) if key else None,
                reach=_reach(env, "OPENPROJECT"),
            )
        )
    clickup_url = _url(env, "CLICKUP_URL")
    if clickup_url is not None:
        # ClickUp is one cloud service (https://api.clickup.com, API v2 under /api/v2); the token's form
        # (personal `pk_…` or OAuth) decides how it goes upstream, see credentials/_resolve.py
        token = env.get("CLICKUP_API_TOKEN", "").strip()
        providers.append(
            ProviderSettings(
                name="clickup",
                url=clickup_url,
                deployment="cloud",
                fallback=GlobalCredential(secret=SecretStr(token)) if token else None,
                reach=_reach(env, "CLICKUP"),
            )
        )

    digests = tuple(d.strip().lower() for d in env.get("PASSTHROUGH_API_KEY_HASHES", "").split(",") if d.strip())
    for d in digests:
        if not _DIGEST.match(d):
            raise ConfigError("PASSTHROUGH_API_KEY_HASHES must hold SHA-256 hex digests (64 hex characters)")

    host = env.get("PASSTHROUGH_HOST", "").strip() or "127.0.0.1"
    port = _int(env, "PASSTHROUGH_PORT", 8000)
    raw_policy = env.get("PASSTHROUGH_FALLBACK", "").strip().lower()
    if raw_policy and raw_policy not in ("apikey", "open", "off"):
        raise ConfigError(f"PASSTHROUGH_FALLBACK must be apikey, open or off, not {raw_policy!r}")
    if raw_policy == "apikey" and not digests:
        raise ConfigError("PASSTHROUGH_FALLBACK=apikey needs PASSTHROUGH_API_KEY_HASHES")
    policy: FallbackPolicy = raw_policy or _default_fallback(digests, host)  # type: ignore[assignment]

    origins = tuple(o.strip().rstrip("/") for o in env.get("PASSTHROUGH_ALLOWED_ORIGINS", "").split(",") if o.strip())
    hosts = tuple(h.strip().lower().strip("[]") for h in env.get("PASSTHROUGH_ALLOWED_HOSTS", "").split(",") if h)
    limits = Limits(
        max_body_bytes=_int(env, "PASSTHROUGH_MAX_BODY_BYTES", Limits().max_body_bytes),
        max_sessions=_int(env, "PASSTHROUGH_MAX_SESSIONS", Limits().max_sessions),
        max_sessions_per_client=_int(env, "PASSTHROUGH_MAX_SESSIONS_PER_CLIENT", Limits().max_sessions_per_client),
        max_inflight=_int(env, "PASSTHROUGH_MAX_INFLIGHT", Limits().max_inflight),
        max_inflight_per_client=_int(env, "PASSTHROUGH_MAX_INFLIGHT_PER_CLIENT", Limits().max_inflight_per_client),
        max_batch=_int(env, "PASSTHROUGH_MAX_BATCH", Limits().max_batch),
        max_reply_bytes=_int(env, "PASSTHROUGH_MAX_REPLY_BYTES", Limits().max_reply_bytes),
        idle_timeout_seconds=_int(env, "PASSTHROUGH_IDLE_TIMEOUT_SECONDS", int(Limits().idle_timeout_seconds)),
        body_timeout_seconds=_int(env, "PASSTHROUGH_BODY_TIMEOUT_SECONDS", int(Limits().body_timeout_seconds)),
        max_connections=_int(env, "PASSTHROUGH_MAX_CONNECTIONS", Limits().max_connections),
        max_connections_per_address=_int(
            env, "PASSTHROUGH_MAX_CONNECTIONS_PER_ADDRESS", Limits().max_connections_per_address
        ),
        upstream_max_connections=_int(env, "PASSTHROUGH_UPSTREAM_CONNECTIONS", Limits().upstream_max_connections),
        upstream_per_user_connections=_int(env, "PASSTHROUGH_UPSTREAM_CONNECTIONS_PER_USER", 0) or None,
        upstream_deadline_seconds=_int(
            env, "PASSTHROUGH_UPSTREAM_DEADLINE_SECONDS", int(Limits().upstream_deadline_seconds)
        ),
        max_attachment_bytes=_int(env, "PASSTHROUGH_MAX_ATTACHMENT_BYTES", Limits().max_attachment_bytes),
    )
    workers = _int(env, "PASSTHROUGH_WORKERS", 1)
    if not 1 <= workers <= 64:
        raise ConfigError(f"PASSTHROUGH_WORKERS must be 1 to 64, not {workers}")
    redis_url = env.get("PASSTHROUGH_REDIS_URL", "").strip() or None
    if redis_url is not None and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("PASSTHROUGH_REDIS_URL must be a redis://, rediss:// or unix:// URL")
    cloud_id = env.get("ATLASSIAN_OAUTH_CLOUD_ID", "").strip() or None
    if cloud_id is not None and not valid_cloud_id(cloud_id):
        raise ConfigError("ATLASSIAN_OAUTH_CLOUD_ID must be a cloud id (letters, digits and dashes)")
    return Settings(
        host=host,
        port=port,
        providers=tuple(providers),
        api_key_digests=digests,
        fallback=policy,
        fallback_explicit=bool(raw_policy),
        read_only=_flag(env, "PASSTHROUGH_READ_ONLY"),
        allowed_origins=origins,
        allowed_hosts=hosts,
        allowed_upstreams=_allowed_upstreams(env),
        atlassian_oauth_cloud_id=cloud_id,
        atlassian_api_url=gateway,
        toolsets=_toolsets(env),
        log_level=(env.get("PASSTHROUGH_LOG_LEVEL", "").strip() or "INFO").upper(),
        log_format=_choice(env, "PASSTHROUGH_LOG_FORMAT", ("text", "json")),  # type: ignore[arg-type]
        metrics=_choice(env, "PASSTHROUGH_METRICS", ("loopback", "on", "off")),  # type: ignore[arg-type]
        limits=limits,
        workers=workers,
        redis_url=redis_url,
        advertise_host=env.get("PASSTHROUGH_ADVERTISE_HOST", "").strip() or None,
        peer_port=_int(env, "PASSTHROUGH_PEER_PORT", 0),
        worker_sockets=env.get("PASSTHROUGH_WORKER_SOCKETS", "").strip() or None,
        reuse_port=_flag(env, "PASSTHROUGH_REUSE_PORT"),
    )
