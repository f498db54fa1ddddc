"""Reaching enterprise deployments, with a real server process: private CAs, mutual TLS, proxies, extra headers.

Nothing of the TLS or proxy layer is mocked: the fake Jira is served over HTTPS with a
certificate from a CA made for the test, and the proxy is a real CONNECT proxy on loopback.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, environment_without_providers, jira_headers, start_server_process
from tests.e2e._clients import tool_caller
from tests.e2e._reach import Pki, connect_proxy, make_pki
from tests.fakes import FakeJira


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
async def tls_jira(pki: Pki) -> AsyncIterator[FakeJira]:
    fake = FakeJira("server", [ALICE])
    async with fake.serve(pki.server_context()):
        yield fake


@pytest.fixture
async def mtls_jira(pki: Pki) -> AsyncIterator[FakeJira]:
    fake = FakeJira("server", [ALICE])
    async with fake.serve(pki.server_context(client_certificates=True)):
        yield fake


async def whoami(jira: FakeJira, **env: str) -> dict[str, Any]:
    """`jira_get_myself` through `python -m passthrough serve` started with `env`; the tool's result."""
    full = {
        **environment_without_providers(),
        "JIRA_URL": jira.url,
        "JIRA_DEPLOYMENT": "server",
        "PASSTHROUGH_PORT": "0",
        **env,
    }
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        if name not in env:
            full.pop(name, None)
    proc, url, _ = await start_server_process("serve", env=full)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            return await tool_caller(http, jira_headers(ALICE, "server"))("jira_get_myself", {})
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), 20)


async def test_a_private_ca_is_refused_with_advice_then_trusted_by_bundle_or_standard_variable(
    tls_jira: FakeJira, pki: Pki
) -> None:
    refused = await whoami(tls_jira)
    assert refused["isError"]
    assert "certificate" in refused["text"] and "JIRA_CA_BUNDLE" in refused["text"], refused["text"]
    assert not tls_jira.requests, "no request may complete over an untrusted connection"

    trusted = await whoami(tls_jira, JIRA_CA_BUNDLE=str(pki.ca))
    assert not trusted["isError"], trusted["text"]
    assert "Alice Example" in trusted["text"]
    assert tls_jira.requests[-1].identity == ALICE.name, "the caller's own token went upstream"

    standard = await whoami(tls_jira, SSL_CERT_FILE=str(pki.ca))
    assert not standard["isError"], standard["text"]


async def test_verification_off_reaches_the_upstream(tls_jira: FakeJira) -> None:
    unchecked = await whoami(tls_jira, JIRA_SSL_VERIFY="false")
    assert not unchecked["isError"], unchecked["text"]


async def test_mutual_tls_needs_the_client_certificate(mtls_jira: FakeJira, pki: Pki) -> None:
    without = await whoami(mtls_jira, JIRA_CA_BUNDLE=str(pki.ca))
    assert without["isError"] and "JIRA_CLIENT_CERT" in without["text"], without["text"]
    with_cert = await whoami(
        mtls_jira,
        JIRA_CA_BUNDLE=str(pki.ca),
        JIRA_CLIENT_CERT=str(pki.client_cert),
        JIRA_CLIENT_KEY=str(pki.client_key),
    )
    assert not with_cert["isError"], with_cert["text"]
    assert "Alice Example" in with_cert["text"]


async def test_the_proxy_carries_the_traffic_unless_the_host_is_exempt(tls_jira: FakeJira, pki: Pki) -> None:
    port = tls_jira.url.rsplit(":", 1)[1]
    async with connect_proxy() as proxy:
        through = await whoami(tls_jira, JIRA_CA_BUNDLE=str(pki.ca), HTTPS_PROXY=proxy.url)
        assert not through["isError"], through["text"]
        assert proxy.seen and all(line == f"CONNECT 127.0.0.1:{port} HTTP/1.1" for line in proxy.seen), proxy.seen

        proxy.seen.clear()
        product_wins = await whoami(
            tls_jira, JIRA_CA_BUNDLE=str(pki.ca), HTTPS_PROXY="http://127.0.0.1:9", JIRA_HTTPS_PROXY=proxy.url
        )
        assert not product_wins["isError"], product_wins["text"]
        assert proxy.seen, "JIRA_HTTPS_PROXY should win over HTTPS_PROXY"

        proxy.seen.clear()
        exempt = await whoami(
            tls_jira, JIRA_CA_BUNDLE=str(pki.ca), HTTPS_PROXY=proxy.url, NO_PROXY="localhost,127.0.0.1"
        )
        assert not exempt["isError"], exempt["text"]
        assert proxy.seen == []


async def test_custom_headers_go_upstream_and_never_replace_the_credential(tls_jira: FakeJira, pki: Pki) -> None:
    r = await whoami(tls_jira, JIRA_CA_BUNDLE=str(pki.ca), JIRA_CUSTOM_HEADERS="X-Gateway-Team=blue, X-Trace=on")
    assert not r["isError"], r["text"]
    sent = tls_jira.requests[-1].headers
    assert sent["x-gateway-team"] == "blue" and sent["x-trace"] == "on"
    assert sent["authorization"] == f"Bearer {ALICE.token}" and tls_jira.requests[-1].identity == ALICE.name
