import base64

import pytest
from multidict import CIMultiDict

from passthrough.credentials import RequestCredentials, digest, extract, new_api_key, resolve
from passthrough.errors import BadHeader, InvalidApiKey
from passthrough.settings import Settings, load_settings

KEY, KEY_DIGEST = new_api_key()
BASE_ENV = {
    "JIRA_URL": "https://jira.example.com",
    "CONFLUENCE_URL": "https://acme.atlassian.net/wiki",
    "OPENPROJECT_URL": "https://op.example.com",
}
SHARED = {
    "JIRA_PERSONAL_TOKEN": "shared-jira-pat",
    "CONFLUENCE_USERNAME": "bot@acme.com",
    "CONFLUENCE_API_TOKEN": "shared-conf-token",
    "OPENPROJECT_API_KEY": "shared-op-key",
}


def settings(**extra: str) -> Settings:
    return load_settings({**BASE_ENV, **extra})


def creds(headers: dict[str, str], **env: str) -> RequestCredentials:
    return resolve(extract(CIMultiDict(headers)), settings(**env))


def test_product_header_beats_authorization() -> None:
    c = creds({"X-Jira-Token": "jira-own", "Authorization": "Bearer general"})
    assert c.jira is not None and c.jira.authorization() == "Bearer jira-own"
    assert c.confluence is not None and c.confluence.authorization() == "Bearer general"
    assert c.openproject is None, "Authorization must never go to OpenProject"


def test_email_makes_basic_for_that_product_only() -> None:
    c = creds({"X-Jira-Token": "tok", "X-Jira-Email": "a@b.com", "X-Confluence-Token": "ctok"})
    assert c.jira is not None
    assert c.jira.authorization() == "Basic " + base64.b64encode(b"a@b.com:tok").decode()
    assert c.confluence is not None and c.confluence.authorization() == "Bearer ctok"


def test_openproject_key_goes_as_apikey_basic() -> None:
    c = creds({"X-OpenProject-Key": "k123"})
    assert c.openproject is not None
    assert c.openproject.authorization() == "Basic " + base64.b64encode(b"apikey:k123").decode()


@pytest.mark.parametrize(
    ("policy", "api_key", "expect_shared"),
    [
        ("open", None, True),
        ("off", None, False),
        ("apikey", None, False),
        ("apikey", KEY, True),
    ],
)
def test_fallback_policy(policy: str, api_key: str | None, expect_shared: bool) -> None:
    headers = {"X-MCP-API-Key": api_key} if api_key else {}
    c = creds(headers, PASSTHROUGH_FALLBACK=policy, PASSTHROUGH_API_KEY_HASHES=KEY_DIGEST, **SHARED)
    if expect_shared:
        assert c.jira is not None and c.jira.source == "global"
        assert c.confluence is not None and c.confluence.scheme == "basic"
        assert c.openproject is not None and c.openproject.source == "global"
    else:
        assert c.jira is None and c.confluence is None and c.openproject is None


def test_own_header_wins_over_shared_even_when_open() -> None:
    c = creds({"X-Jira-Token": "mine"}, PASSTHROUGH_FALLBACK="open", **SHARED)
    assert c.jira is not None and c.jira.source == "header" and c.jira.secret == "mine"


def test_default_policy_depends_on_digests_and_bind_address() -> None:
    assert load_settings(BASE_ENV).fallback == "open"
    assert load_settings({**BASE_ENV, "PASSTHROUGH_HOST": "0.0.0.0"}).fallback == "off"
    assert load_settings({**BASE_ENV, "PASSTHROUGH_API_KEY_HASHES": KEY_DIGEST}).fallback == "apikey"
    assert load_settings(BASE_ENV).with_bind("0.0.0.0", None).fallback == "off"


def test_unknown_api_key_is_refused() -> None:
    other, _ = new_api_key()
    with pytest.raises(InvalidApiKey):
        creds({"X-MCP-API-Key": other}, PASSTHROUGH_API_KEY_HASHES=KEY_DIGEST)
    with pytest.raises(InvalidApiKey):
        extract(CIMultiDict({"X-MCP-API-Key": "not-a-key"}))


def test_digest_is_sha256_of_key() -> None:
    import hashlib

    assert digest(KEY) == hashlib.sha256(KEY.encode()).hexdigest() == KEY_DIGEST


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Jira-Token": "abc\x01def"},
        {"X-Jira-Token": "has space"},
        {"X-Jira-Token": "x" * 5000},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"X-Jira-Email": "no-at-sign"},
        {"X-Jira-Email": "a:b@c.d"},
    ],
    ids=["control", "space", "huge", "basic-auth", "empty-bearer", "bad-email", "colon-email"],
)
def test_hostile_header_values_are_refused_without_echo(headers: dict[str, str]) -> None:
    with pytest.raises(BadHeader) as info:
        extract(CIMultiDict(headers))
    secret = next(iter(headers.values())).removeprefix("Bearer ").removeprefix("Basic ").strip()
    if len(secret) >= 3:
        assert secret not in info.value.message


def test_duplicate_header_is_refused() -> None:
    h: CIMultiDict[str] = CIMultiDict()
    h.add("X-Jira-Token", "a")
    h.add("X-Jira-Token", "b")
    with pytest.raises(BadHeader):
        extract(h)


def test_secrets_stay_out_of_repr() -> None:
    c = creds({"X-Jira-Token": "supersecret-1", "X-Jira-Email": "me@x.io", "X-OpenProject-Key": "opsecret-2"})
    p = extract(CIMultiDict({"X-Jira-Token": "supersecret-1", "Authorization": "Bearer bearersecret-3"}))
    for text in (repr(c), str(c.jira), repr(p), repr(c.jira)):
        assert "supersecret-1" not in text and "opsecret-2" not in text and "bearersecret-3" not in text


def test_overlay_takes_nothing_or_exactly_the_sessions_credentials() -> None:
    base = extract(CIMultiDict({"X-Jira-Token": "alice", "X-Confluence-Token": "alice-conf"}))
    assert extract(CIMultiDict({})).over(base) == base
    same = extract(CIMultiDict({"X-Confluence-Token": "alice-conf", "X-Jira-Token": "alice"}))
    assert same.over(base) == base
    for other in (
        {"X-Jira-Token": "mallory"},
        {"X-Jira-Token": "alice"},  # a subset is not the session's set
        {"X-Jira-Token": "alice", "X-Confluence-Token": "alice-conf", "X-OpenProject-Key": "extra"},
        {"X-Jira-Token": "alice", "X-Confluence-Token": "alice-conf", "Authorization": "Bearer b"},
    ):
        assert extract(CIMultiDict(other)).over(base) is None, other


def test_email_without_a_token_is_refused_not_sent_to_the_shared_credential() -> None:
    for header in ("X-Jira-Email", "X-Confluence-Email"):
        with pytest.raises(BadHeader, match="without a token"):
            extract(CIMultiDict({header: "me@example.com"}))
    assert extract(CIMultiDict({"X-Jira-Email": "me@example.com", "Authorization": "Bearer t"})).jira_email


def test_undecodable_header_bytes_are_a_bad_header() -> None:
    # aiohttp hands undecodable bytes on as surrogates; they must be refused, not crash an encode later
    for header in ("X-Jira-Email", "X-Jira-Token", "X-OpenProject-Key"):
        with pytest.raises(BadHeader):
            extract(
                CIMultiDict(
                    {header: "me\udcff@example.com", "X-Jira-Token": "t"} if "Email" in header else {header: "t\udcff"}
                )
            )


def test_proxied_requests_do_not_get_the_default_open_fallback() -> None:
    env = {"JIRA_URL": "http://127.0.0.1:9", "JIRA_PERSONAL_TOKEN": "shared"}
    settings = load_settings(env)
    assert settings.fallback == "open" and not settings.fallback_explicit
    local = resolve(extract(CIMultiDict({})), settings)
    assert local.jira is not None and local.jira.source == "global"
    proxied = resolve(extract(CIMultiDict({"X-Forwarded-For": "203.0.113.9"})), settings)
    assert proxied.jira is None and "reverse proxy" in proxied.refusal("jira")
    explicit = load_settings({**env, "PASSTHROUGH_FALLBACK": "open"})
    assert resolve(extract(CIMultiDict({"X-Forwarded-For": "203.0.113.9"})), explicit).jira is not None


def test_binding_is_keyed_and_distinguishes_credentials() -> None:
    a = extract(CIMultiDict({"X-Jira-Token": "alice"}))
    b = extract(CIMultiDict({"X-Jira-Token": "bob"}))
    assert a.binding(b"k1") == extract(CIMultiDict({"X-Jira-Token": "alice"})).binding(b"k1")
    assert a.binding(b"k1") != b.binding(b"k1")
    assert a.binding(b"k1") != a.binding(b"k2")
    assert "alice" not in a.binding(b"k1")
