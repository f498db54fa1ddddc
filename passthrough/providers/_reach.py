"""How an upstream is reached: the TLS context, the proxy, and the operator's extra headers.

Built once per upstream from its `Reach` settings. Nothing is taken from the process
environment at request time: the proxy and trust variables were read with the rest of
the settings, and aiohttp's own `trust_env` stays off (so no .netrc either).
"""

from __future__ import annotations

import contextlib
import ipaddress
import ssl
from urllib.parse import urlsplit

from passthrough.settings import ProviderSettings


def ssl_context(config: ProviderSettings) -> ssl.SSLContext | bool:
    """What aiohttp's `ssl=` gets for this upstream: a context, or False when verification is off."""
    reach = config.reach
    if not config.url.startswith("https:"):
        return True  # plain http: no TLS at all; the start-up warning says so
    if not reach.verify:
        return False
    context = ssl.create_default_context()
    if reach.cert_file or reach.cert_dir:
        context.load_verify_locations(cafile=reach.cert_file, capath=reach.cert_dir)
    else:  # slim images may ship no system CAs; certifi's where it is installed
        with contextlib.suppress(ImportError, OSError, ssl.SSLError):
            import certifi

            context.load_verify_locations(certifi.where())
    if reach.ca_bundle:
        context.load_verify_locations(cafile=reach.ca_bundle)
    if reach.client_cert:
        context.load_cert_chain(reach.client_cert, reach.client_key)
    return context


def proxy_for(config: ProviderSettings) -> str | None:
    """The proxy this upstream's requests go through, or None (no proxy, or its host is in NO_PROXY)."""
    reach = config.reach
    chosen = reach.https_proxy if config.url.startswith("https:") else reach.http_proxy
    if chosen is None:
        return None
    parts = urlsplit(config.url)
    if bypassed(parts.hostname or "", parts.port, reach.no_proxy):
        return None
    return chosen.get_secret_value()


def bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether NO_PROXY exempts `host`: `*`; a domain and its subdomains (`corp.example`, `.corp.example`,
    `*.corp.example`), optionally with `:port`; an IP address or network (`10.0.0.0/8`)."""
    host = host.lower().strip("[]")
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, wanted_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if wanted_port and (not wanted_port.isdigit() or int(wanted_port) != port):
            continue
        name = name.removeprefix("*").removeprefix(".").strip("[]")
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(name, strict=False):
                return True
            continue
        except ValueError:
            pass
        if host == name or host.endswith("." + name):
            return True
    return False


def extra_headers(config: ProviderSettings) -> dict[str, str]:
    """The operator's `P_CUSTOM_HEADERS`, which settings already kept away from the credential's header."""
    return {name: value.get_secret_value() for name, value in config.reach.headers}
