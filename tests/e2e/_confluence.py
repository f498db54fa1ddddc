"""What the Confluence end-to-end tests share: two users, their headers, and a server environment for a fake."""

from __future__ import annotations

from tests.fakes import ConfluenceUser, FakeConfluence

CARA = ConfluenceUser(
    name="cara",
    display_name="Cara Writer",
    email="cara@example.com",
    account_id="acc-cara",
    token="cara-token-" + "c" * 20,
)
DAN = ConfluenceUser(
    name="dan", display_name="Dan Reader", email="dan@example.com", account_id="acc-dan", token="dan-token-" + "d" * 20
)


def headers_for(user: ConfluenceUser, deployment: str) -> dict[str, str]:
    """A user's own credential headers: a PAT on Server/Data Center, email and API token on Cloud."""
    if deployment == "cloud":
        return {"X-Confluence-Token": user.token, "X-Confluence-Email": user.email}
    return {"X-Confluence-Token": user.token}


def env_for(conf: FakeConfluence, **extra: str) -> dict[str, str]:
    """passthrough's environment for `conf` (on Cloud with the fake's media service for downloads)."""
    env = {"CONFLUENCE_URL": conf.base_url, "CONFLUENCE_DEPLOYMENT": conf.deployment, **extra}
    return {"ATLASSIAN_MEDIA_URL": conf.media_url, **env} if conf.cloud else env
