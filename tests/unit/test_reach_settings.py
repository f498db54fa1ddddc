"""Reach settings: what each P_* variable means, and what start-up refuses, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from passthrough.errors import ConfigError
from passthrough.providers._reach import bypassed, extra_headers, proxy_for, ssl_context
from passthrough.settings import ProviderSettings, load_settings


def jira(**env: str) -> ProviderSettings:
    settings = load_settings({"JIRA_URL": "https://jira.corp.example", **env})
    found = settings.provider("jira")
    assert found is not None
    return found


def test_defaults_verify_with_no_proxy_and_no_extra_headers() -> None:
    p = jira()
    assert p.reach.verify and proxy_for(p) is None and extra_headers(p) == {}
    assert ssl_context(p) not in (True, False)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"JIRA_CUSTOM_HEADERS": "Authorization=Basic eA=="}, "JIRA_CUSTOM_HEADERS may not set Authorization"),
        ({"JIRA_CUSTOM_HEADERS": "mcp-session-id=1"}, "may not set mcp-session-id"),
        ({"JIRA_CUSTOM_HEADERS": "X-MCP-API-Key=1"}, "may not set X-MCP-API-Key"),
        ({"JIRA_CUSTOM_HEADERS": "no value"}, "Name=value pairs"),
        ({"JIRA_CA_BUNDLE": "/nonexistent/ca.pem"}, "JIRA_CA_BUNDLE names /nonexistent/ca.pem"),
        ({"JIRA_SSL_VERIFY": "maybe"}, "JIRA_SSL_VERIFY must be true or false"),
        ({"JIRA_HTTPS_PROXY": "ftp://proxy"}, "JIRA_HTTPS_PROXY must be an http(s) proxy URL"),
        ({"SSL_CERT_DIR": "/nonexistent"}, "SSL_CERT_DIR names /nonexistent"),
    ],
)
def test_refused_values_name_their_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("(", r"\(").replace(")", r"\)")):
        jira(**env)


def test_client_key_needs_a_certificate(tmp_path: Path) -> None:
    key = tmp_path / "client.key"
    key.write_text("x")
    with pytest.raises(ConfigError, match="JIRA_CLIENT_KEY needs JIRA_CLIENT_CERT"):
        jira(JIRA_CLIENT_KEY=str(key))


def test_the_product_proxy_wins_and_no_proxy_exempts() -> None:
    assert proxy_for(jira(HTTPS_PROXY="http://std:1", JIRA_HTTPS_PROXY="http://mine:2")) == "http://mine:2"
    assert proxy_for(jira(https_proxy="proxy.corp:3128")) == "http://proxy.corp:3128"
    assert proxy_for(jira(HTTPS_PROXY="http://std:1", NO_PROXY=".corp.example")) is None
    assert proxy_for(jira(HTTPS_PROXY="http://std:1", NO_PROXY="other.example")) == "http://std:1"
    assert proxy_for(jira(HTTP_PROXY="http://plain:1")) is None, "an https upstream uses HTTPS_PROXY only"


def test_extra_headers_and_verification_off() -> None:
    p = jira(JIRA_CUSTOM_HEADERS="X-Team=blue, X-Trace = on", JIRA_SSL_VERIFY="false")
    assert extra_headers(p) == {"X-Team": "blue", "X-Trace": "on"}
    assert ssl_context(p) is False
    assert "blue" not in repr(p), "header values may be secrets; settings never show them"


@pytest.mark.parametrize(
    ("host", "port", "rule", "exempt"),
    [
        ("jira.corp", 443, "corp", True),
        ("jira.corp", 443, "*.corp", True),
        ("notcorp", 443, "corp", False),
        ("jira.corp", 443, "jira.corp:8443", False),
        ("jira.corp", 8443, "jira.corp:8443", True),
        ("10.1.2.3", 443, "10.0.0.0/8", True),
        ("11.1.2.3", 443, "10.0.0.0/8", False),
        ("anything", None, "*", True),
        ("::1", None, "::1", True),
    ],
)
def test_no_proxy_rules(host: str, port: int | None, rule: str, exempt: bool) -> None:
    assert bypassed(host, port, rule) is exempt
