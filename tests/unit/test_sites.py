"""Sites a request names, and the Cloud OAuth gateway: allowlist matching, resolution, bounded pools."""

from __future__ import annotations

import asyncio

import pytest
from multidict import CIMultiDict

from passthrough.credentials import RequestCredentials, extract, resolve
from passthrough.errors import BadHeader, ConfigError
from passthrough.providers import Upstream
from passthrough.providers._upstream import MAX_SITE_POOLS
from passthrough.settings import Limits, load_settings, upstream_allowed


@pytest.mark.parametrize(
    ("url", "allowed", "ok"),
    [
        ("https://jira.corp.example", ("https://jira.corp.example",), True),
        ("https://jira.corp.example:8443", ("https://jira.corp.example",), True),
        ("https://jira.corp.example:8443", ("https://jira.corp.example:443",), False),
        ("http://jira.corp.example", ("https://jira.corp.example",), False),
        ("https://a.corp.example", ("https://*.corp.example",), True),
        ("https://corp.example", ("https://*.corp.example",), False),
        ("https://evilcorp.example", ("https://*.corp.example",), False),
        ("https://corp.example.evil", ("https://*.corp.example",), False),
        ("https://jira.corp.example", (), False),
    ],
)
def test_allowlist(url: str, allowed: tuple[str, ...], ok: bool) -> None:
    assert upstream_allowed(url, allowed) is ok


def test_allowlist_entries_are_checked_at_start_up() -> None:
    with pytest.raises(ConfigError, match="PASSTHROUGH_ALLOWED_UPSTREAMS"):
        load_settings({"PASSTHROUGH_ALLOWED_UPSTREAMS": "jira.corp.example/path"})
    with pytest.raises(ConfigError, match="ATLASSIAN_OAUTH_CLOUD_ID"):
        load_settings({"ATLASSIAN_OAUTH_CLOUD_ID": "not a/cloud id"})


SETTINGS = load_settings(
    {
        "JIRA_URL": "https://jira.corp.example",
        "JIRA_PERSONAL_TOKEN": "shared-pat",
        "CONFLUENCE_URL": "https://wiki.corp.example",
        "PASSTHROUGH_FALLBACK": "open",
        "PASSTHROUGH_ALLOWED_UPSTREAMS": "https://*.corp.example",
    }
)


def resolved(**headers: str) -> RequestCredentials:
    return resolve(extract(CIMultiDict(headers)), SETTINGS)


def test_a_named_site_goes_with_the_requests_own_credential_and_its_own_deployment() -> None:
    creds = resolved(**{"Authorization": "Bearer pat-1", "X-Atlassian-Jira-Url": "https://jira2.corp.example/"})
    assert creds.jira is not None and creds.jira.site == "https://jira2.corp.example"
    assert creds.jira.deployment == "server" and creds.jira.source == "authorization"
    assert creds.confluence is not None and creds.confluence.site is None, "only the named product moves"


def test_a_named_site_without_a_credential_gets_none_not_the_shared_one() -> None:
    creds = resolved(**{"X-Atlassian-Jira-Url": "https://jira2.corp.example"})
    assert creds.jira is None and "X-Atlassian-Jira-Url" in creds.refusal("jira")
    assert resolved().jira is not None, "without the header the shared credential applies as before"


def test_a_site_outside_the_allowlist_is_a_bad_header() -> None:
    with pytest.raises(BadHeader, match="PASSTHROUGH_ALLOWED_UPSTREAMS"):
        resolved(**{"Authorization": "Bearer pat-1", "X-Atlassian-Jira-Url": "https://jira.elsewhere.example"})
    with pytest.raises(BadHeader, match="X-Atlassian-Jira-Url"):
        resolved(**{"Authorization": "Bearer pat-1", "X-Atlassian-Jira-Url": "https://u:p@jira.corp.example"})


def test_oauth_bearer_with_a_cloud_id_goes_to_the_gateway_for_both_atlassian_products() -> None:
    creds = resolved(**{"Authorization": "Bearer at-1", "X-Atlassian-Cloud-Id": "abc-123"})
    assert creds.jira is not None and creds.jira.site == "https://api.atlassian.com/ex/jira/abc-123"
    assert (
        creds.confluence is not None and creds.confluence.site == "https://api.atlassian.com/ex/confluence/abc-123/wiki"
    )
    assert creds.jira.deployment == "cloud"
    token = resolved(**{"X-Jira-Token": "pat-2", "X-Atlassian-Cloud-Id": "abc-123"})
    assert token.jira is not None and token.jira.site is None, "a product token is not an OAuth access token"
    with pytest.raises(BadHeader, match="X-Atlassian-Cloud-Id"):
        resolved(**{"Authorization": "Bearer at-1", "X-Atlassian-Cloud-Id": "../../x"})


async def test_site_pools_stay_bounded_and_evicted_ones_close() -> None:
    jira = SETTINGS.provider("jira")
    assert jira is not None
    up = Upstream(jira, Limits())
    first = up.site("https://s0.corp.example", "server")
    for n in range(100):
        assert up.site(f"https://s{n}.corp.example", "server").config.url == f"https://s{n}.corp.example"
    assert len(up.sites) == MAX_SITE_POOLS
    assert first._retired and first.config.fallback is None
    again = up.site("https://s99.corp.example", "server")
    assert again is up.sites[("https://s99.corp.example", "server")], "a pool in use is reused, not rebuilt"
    await asyncio.sleep(0)
    await up.aclose()
    assert not up.sites
