"""From request headers (and settings) to the credentials a request may use upstream.

Precedence per provider: its product header, then `Authorization: Bearer`
(Jira and Confluence only; never OpenProject or ClickUp), then the server's global credential when the
fallback policy allows, else nothing (the tool then names the headers to send).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from multidict import MultiMapping

from passthrough import toolsets
from passthrough.credentials._apikeys import accepted, well_formed
from passthrough.credentials._values import Credential, Presented, RequestCredentials, Source
from passthrough.errors import BadHeader, InvalidApiKey
from passthrough.settings import (
    GlobalCredential,
    Provider,
    Settings,
    detect_deployment,
    upstream_allowed,
    valid_cloud_id,
)

JIRA_TOKEN = "X-Jira-Token"  # noqa: S105 (a header name)
JIRA_EMAIL = "X-Jira-Email"
CONFLUENCE_TOKEN = "X-Confluence-Token"  # noqa: S105 (a header name)
CONFLUENCE_EMAIL = "X-Confluence-Email"
OPENPROJECT_KEY = "X-OpenProject-Key"
CLICKUP_TOKEN = "X-ClickUp-Token"  # noqa: S105 (a header name)
AUTHORIZATION = "Authorization"
API_KEY = "X-MCP-API-Key"
JIRA_URL = "X-Atlassian-Jira-Url"
CONFLUENCE_URL = "X-Atlassian-Confluence-Url"
OPENPROJECT_URL = "X-OpenProject-Url"
CLOUD_ID = "X-Atlassian-Cloud-Id"
TOOLSETS = "X-MCP-Toolsets"
SITE_HEADERS: Mapping[Provider, str] = {"jira": JIRA_URL, "confluence": CONFLUENCE_URL, "openproject": OPENPROJECT_URL}

CREDENTIAL_HEADERS = (
    JIRA_TOKEN,
    JIRA_EMAIL,
    CONFLUENCE_TOKEN,
    CONFLUENCE_EMAIL,
    OPENPROJECT_KEY,
    CLICKUP_TOKEN,
    AUTHORIZATION,
    API_KEY,
    JIRA_URL,
    CONFLUENCE_URL,
    OPENPROJECT_URL,
    CLOUD_ID,
    TOOLSETS,
)

HEADERS_TO_SEND: Mapping[Provider, tuple[str, ...]] = {
    "jira": (f"{JIRA_TOKEN}: <token>", f"{AUTHORIZATION}: Bearer <token>"),
    "confluence": (f"{CONFLUENCE_TOKEN}: <token>", f"{AUTHORIZATION}: Bearer <token>"),
    "openproject": (f"{OPENPROJECT_KEY}: <api key>",),
    "clickup": (f"{CLICKUP_TOKEN}: <personal token (pk_…) or OAuth access token>",),
}

_MAX_VALUE = 4096
_TOKEN = re.compile(r"^[\x21-\x7e]+$")
_EMAIL = re.compile(r"^[\x21-\x39\x3b-\x7e]+@[\x21-\x39\x3b-\x7e]+$")  # visible ASCII, no ':'
# Headers a reverse proxy adds: a request carrying one did not come from this machine, whatever its socket says.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host")
_BEARER = re.compile(r"^bearer ", re.IGNORECASE)


def _single(headers: MultiMapping[str], name: str) -> str | None:
    values = headers.getall(name, [])
    if not values:
        return None
    if len(values) > 1:
        raise BadHeader(f"{name} was sent more than once; send it once")
    value = values[0]
    if len(value) > _MAX_VALUE:
        raise BadHeader(f"{name} is longer than {_MAX_VALUE} characters")
    value = value.strip(" \t")
    if not value:
        raise BadHeader(f"{name} is empty; send a value or leave the header out")
    return value


def _token(headers: MultiMapping[str], name: str) -> str | None:
    value = _single(headers, name)
    if value is not None and not _TOKEN.match(value):
        raise BadHeader(f"{name} holds characters a token cannot have (spaces or control characters)")
    return value


def _email(headers: MultiMapping[str], name: str) -> str | None:
    value = _single(headers, name)
    if value is not None and not _EMAIL.match(value):
        raise BadHeader(f"{name} must be an email address (visible ASCII characters, no ':')")
    return value


def _site(headers: MultiMapping[str], name: str) -> str | None:
    value = _single(headers, name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise BadHeader(f"{name} must be the site's http(s) base URL, without credentials")
    if parts.query or parts.fragment:
        raise BadHeader(f"{name} must not have a query or fragment")
    return value.rstrip("/")


def extract(headers: MultiMapping[str]) -> Presented:
    """Validate the credential headers a request carries; raises BadHeader naming the header, never its value."""
    bearer: str | None = None
    raw_auth = _single(headers, AUTHORIZATION)
    if raw_auth is not None:
        if not _BEARER.match(raw_auth):
            raise BadHeader(f"{AUTHORIZATION} must be 'Bearer <token>'")
        bearer = raw_auth[7:].strip()
        if not _TOKEN.match(bearer):
            raise BadHeader(f"{AUTHORIZATION} must be 'Bearer <token>' with a token of visible characters")
    api_key = _token(headers, API_KEY)
    if api_key is not None and not well_formed(api_key):
        raise InvalidApiKey(f"{API_KEY} must look like mcp_<64 hex characters>; `passthrough keygen` makes one")
    jira_token, jira_email = _token(headers, JIRA_TOKEN), _email(headers, JIRA_EMAIL)
    confluence_token, confluence_email = _token(headers, CONFLUENCE_TOKEN), _email(headers, CONFLUENCE_EMAIL)
    for email_header, email, token_header, token in (
        (JIRA_EMAIL, jira_email, JIRA_TOKEN, jira_token),
        (CONFLUENCE_EMAIL, confluence_email, CONFLUENCE_TOKEN, confluence_token),
    ):
        if email is not None and token is None and bearer is None:
            # An email alone names an account without proving it; it must never fall through to a shared credential.
            raise BadHeader(
                f"{email_header} was sent without a token; send {token_header} or {AUTHORIZATION}: Bearer with it"
            )
    return Presented(
        jira_token=jira_token,
        jira_email=jira_email,
        confluence_token=confluence_token,
        confluence_email=confluence_email,
        openproject_key=_token(headers, OPENPROJECT_KEY),
        clickup_token=_token(headers, CLICKUP_TOKEN),
        bearer=bearer,
        api_key=api_key,
        jira_url=_site(headers, JIRA_URL),
        confluence_url=_site(headers, CONFLUENCE_URL),
        openproject_url=_site(headers, OPENPROJECT_URL),
        cloud_id=_cloud_id(headers),
        toolsets=_toolsets(headers),
        forwarded=any(name in headers for name in FORWARDING_HEADERS),
    )


def _cloud_id(headers: MultiMapping[str]) -> str | None:
    value = _single(headers, CLOUD_ID)
    if value is not None and not valid_cloud_id(value):
        raise BadHeader(f"{CLOUD_ID} must be an Atlassian cloud id (letters, digits and dashes)")
    return value


def _toolsets(headers: MultiMapping[str]) -> str | None:
    value = _single(headers, TOOLSETS)
    if value is None:
        return None
    try:
        return ",".join(sorted(toolsets.parse(value, TOOLSETS)))
    except ValueError as exc:
        raise BadHeader(str(exc)) from None


def clickup_credential(secret: str, source: Source) -> Credential:
    """ClickUp's two token forms: a personal token (`pk_…`) is the bare Authorization value, an OAuth access
    token goes as Bearer."""
    return Credential(scheme="token" if secret.startswith("pk_") else "bearer", source=source, secret=secret)


def _global(cred: GlobalCredential, provider: Provider) -> Credential:
    secret = cred.secret.get_secret_value()
    if provider == "clickup":
        return clickup_credential(secret, "global")
    if cred.username is not None:
        return Credential(scheme="basic", source="global", secret=secret, username=cred.username)
    return Credential(scheme="bearer", source="global", secret=secret)


def _atlassian(token: str | None, email: str | None, bearer: str | None) -> Credential | None:
    if token is not None:
        if email is not None:
            return Credential(scheme="basic", source="header", secret=token, username=email)
        return Credential(scheme="bearer", source="header", secret=token)
    if bearer is not None:
        if email is not None:
            return Credential(scheme="basic", source="authorization", secret=bearer, username=email)
        return Credential(scheme="bearer", source="authorization", secret=bearer)
    return None


_PRODUCT_HEADERS: Mapping[Provider, str] = {
    "jira": JIRA_TOKEN,
    "confluence": CONFLUENCE_TOKEN,
    "openproject": OPENPROJECT_KEY,
    "clickup": CLICKUP_TOKEN,
}
SHARED = "shared"
NO_CREDENTIAL = "none"


def credential_source(provider: Provider, credential: Credential | None) -> str:
    """Which source served `provider`: its product header's name, `Authorization`, `shared` or `none`.

    Never the secret, never a fingerprint: what a client may be told about its own request.
    """
    if credential is None:
        return NO_CREDENTIAL
    if credential.source == "header":
        return _PRODUCT_HEADERS[provider]
    if credential.source == "authorization":
        return AUTHORIZATION
    return SHARED


_ATLASSIAN: frozenset[Provider] = frozenset({"jira", "confluence"})

_PROXIED = (
    "This request came through a reverse proxy, and the server's shared credential is open by default only to "
    "clients on this machine. The operator can set PASSTHROUGH_FALLBACK=open (anyone who reaches the proxy) "
    "or PASSTHROUGH_API_KEY_HASHES (clients with a key)."
)


def _oauth_site(provider: Provider, cred: Credential | None, presented: Presented, settings: Settings) -> str | None:
    """The Atlassian Cloud gateway URL for an OAuth 2.0 access token (`Authorization: Bearer` with a cloud id)."""
    if provider not in _ATLASSIAN or cred is None or cred.source != "authorization" or cred.scheme != "bearer":
        return None
    cloud_id = presented.cloud_id or settings.atlassian_oauth_cloud_id
    if cloud_id is None:
        return None
    # Confluence Cloud's REST lives under /wiki, at the site and through the gateway alike.
    return f"{settings.atlassian_api_url}/ex/{provider}/{cloud_id}" + ("/wiki" if provider == "confluence" else "")


def _with_cloud_id(
    provider: Provider, cred: Credential | None, presented: Presented, settings: Settings
) -> Credential | None:
    """The credential with the cloud id of the site it goes to, where one is known.

    The request's own credential takes its X-Atlassian-Cloud-Id, else the operator's ATLASSIAN_OAUTH_CLOUD_ID
    when it goes to the configured site; the server's shared credential only ever the operator's, so that a
    request cannot point it at another Cloud site through the gateway."""
    if cred is None or provider not in _ATLASSIAN:
        return cred
    named = getattr(presented, f"{provider}_url", None) is not None
    configured = None if named else settings.atlassian_oauth_cloud_id
    cloud_id = configured if cred.source == "global" else presented.cloud_id or configured
    return replace(cred, cloud_id=cloud_id) if cloud_id else cred


def resolve(presented: Presented, settings: Settings) -> RequestCredentials:
    """Apply precedence and the fallback policy; raises InvalidApiKey for a key the server does not hold."""
    api_key_ok = False
    if presented.api_key is not None:
        if not settings.api_key_digests or not accepted(presented.api_key, settings.api_key_digests):
            raise InvalidApiKey(f"{API_KEY} is not one this server accepts")
        api_key_ok = True

    own: dict[Provider, Credential | None] = {
        "jira": _atlassian(presented.jira_token, presented.jira_email, presented.bearer),
        "confluence": _atlassian(presented.confluence_token, presented.confluence_email, presented.bearer),
        "openproject": (
            Credential(scheme="basic", source="header", secret=presented.openproject_key, username="apikey")
            if presented.openproject_key is not None
            else None
        ),
        "clickup": (
            clickup_credential(presented.clickup_token, "header") if presented.clickup_token is not None else None
        ),
    }
    chosen: dict[Provider, Credential | None] = {}
    refusals: list[tuple[str, str]] = []
    for provider, cred in own.items():
        config = settings.provider(provider)
        named = getattr(presented, f"{provider}_url", None)  # ClickUp is one service: no site header
        if named is not None:
            # A site the request names: allowlisted, and only ever with the request's own credential.
            if not upstream_allowed(named, settings.allowed_upstreams):
                raise BadHeader(
                    f"{SITE_HEADERS[provider]} names a site outside PASSTHROUGH_ALLOWED_UPSTREAMS; "
                    "the operator lists the sites this server may reach"
                )
            chosen[provider] = replace(cred, site=named, deployment=detect_deployment(named)) if cred else None
            if cred is None:
                refusals.append((provider, f"A request that names its site ({SITE_HEADERS[provider]}) brings its own."))
            continue
        gateway = _oauth_site(provider, cred, presented, settings)
        if gateway is not None and cred is not None:
            chosen[provider] = replace(cred, site=gateway, deployment="cloud")
            continue
        if cred is not None or config is None or config.fallback is None:
            chosen[provider] = cred
            continue
        if settings.fallback == "open" and presented.forwarded and not settings.fallback_explicit:
            chosen[provider] = None
            refusals.append((provider, _PROXIED))
        elif settings.fallback == "open" or (settings.fallback == "apikey" and api_key_ok):
            chosen[provider] = _global(config.fallback, provider)
        else:
            chosen[provider] = None
            refusals.append(
                (
                    provider,
                    f"The server's shared credential needs a valid {API_KEY}." if settings.fallback == "apikey" else "",
                )
            )
    for provider, cred in chosen.items():
        chosen[provider] = _with_cloud_id(provider, cred, presented, settings)
    return RequestCredentials(
        jira=chosen["jira"],
        confluence=chosen["confluence"],
        openproject=chosen["openproject"],
        clickup=chosen["clickup"],
        api_key_ok=api_key_ok,
        refusals=tuple(refusals),
        toolsets=frozenset(presented.toolsets.split(",")) if presented.toolsets else None,
    )
