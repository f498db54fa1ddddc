"""What an upstream says back cannot leak the caller's secret, and cannot break passthrough."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from passthrough.credentials import Credential
from passthrough.errors import RateLimited, UpstreamError
from passthrough.providers import Answer
from passthrough.providers._errors import Redactor, location_shown, upstream_messages
from tests.unit.test_upstream import answers, loopback, upstream_for

SECRET = "Tok+en/with=Odd&Chars~9zQ"  # each encoding of it differs from the others
BEARER = Credential(scheme="bearer", source="header", secret=SECRET)
BASIC = Credential(scheme="basic", source="header", secret=SECRET, username="carol@example.com")
BASIC_VALUE = base64.b64encode(f"carol@example.com:{SECRET}".encode()).decode()


def forms(secret: str) -> dict[str, str]:
    return {
        "raw": secret,
        "quote": quote(secret, safe=""),
        "quote-slash": quote(secret),
        "quote_plus": quote_plus(secret),
        "lower": secret.lower(),
        "upper": secret.upper(),
        "quote-lower": quote(secret, safe="").lower(),
    }


ECHOES = {
    **{f"token-{name}": form for name, form in forms(SECRET).items()},
    **{f"basic-{name}": form for name, form in forms(BASIC_VALUE).items()},
    "authorization-bearer": f"Bearer {SECRET}",
    "authorization-basic": f"Basic {BASIC_VALUE}",
}


def leaks(text: str) -> list[str]:
    found = []
    for secret in (SECRET, BASIC_VALUE):
        for name, form in forms(secret).items():
            if form.lower() in text.lower():
                found.append(name)
    return found


@pytest.mark.parametrize("name", list(ECHOES))
@pytest.mark.parametrize("credential", [BEARER, BASIC], ids=["bearer", "basic"])
async def test_an_echoed_secret_is_redacted_in_every_form(name: str, credential: Credential) -> None:
    if credential is BEARER and "basic" in name:
        pytest.skip("a Bearer caller sent no Basic value")
    echo = ECHOES[name]
    fault = web.json_response({"errorMessages": [f"bad token {echo} here"], "errors": {"f": echo}}, status=400)
    async with loopback(answers(lambda: fault)) as fake, upstream_for(fake) as up:
        with pytest.raises(UpstreamError) as info:
            await up.call("GET", "/x", credential=credential)
    message = info.value.message
    assert "[redacted]" in message and "bad token" in message
    assert not leaks(message), message


async def test_the_basic_value_is_redacted_for_basic_callers() -> None:
    text = f"got Basic {BASIC_VALUE} and {quote_plus(BASIC_VALUE)} and {BASIC_VALUE.swapcase()}"
    fault = web.Response(status=403, text=text)
    async with loopback(answers(lambda: fault)) as fake, upstream_for(fake) as up:
        with pytest.raises(UpstreamError) as info:
            await up.call("GET", "/x", credential=BASIC)
    assert BASIC_VALUE.lower() not in info.value.message.lower()
    assert quote_plus(BASIC_VALUE).lower() not in info.value.message.lower()
    assert info.value.message.count("[redacted]") == 3


async def test_rate_limit_messages_are_redacted_too() -> None:
    fault = web.Response(status=429, text=f"slow down, {SECRET.upper()}", headers={"Retry-After": "3600"})
    async with loopback(answers(lambda: fault)) as fake, upstream_for(fake) as up:
        with pytest.raises(RateLimited) as info:
            await up.call("GET", "/x", credential=BEARER)
    assert "slow down, [redacted]" in info.value.message and not leaks(info.value.message)


def test_a_secret_across_the_clip_is_redacted_before_clipping() -> None:
    for cut in range(1, len(SECRET)):
        text = "x" * (499 - cut) + " " + SECRET + " tail"  # the 500-character clip would fall inside the secret
        found = upstream_messages("text/plain", text.encode(), Redactor([SECRET]))
        assert len(found) == 1
        assert SECRET[: len(SECRET) // 2] not in found[0], cut
        assert SECRET[:4] not in found[0]


def test_a_secret_in_a_long_repeated_echo_leaves_no_prefix() -> None:
    body = (f"token {SECRET} " * 200).encode()
    found = upstream_messages("text/plain", body, Redactor([SECRET]))
    assert found and not any(SECRET[:3] in m for m in found)


def test_an_empty_secret_redacts_nothing() -> None:
    assert Redactor(["", ""])("nothing to hide") == "nothing to hide"


async def test_a_redirect_is_shown_without_its_query_or_user_info_and_redacted() -> None:
    location = f"https://user:pw@sso.example.com/login/{quote(SECRET, safe='')}/x?token={SECRET}#frag"
    fault = web.Response(status=302, headers={"Location": location})
    async with loopback(answers(lambda: fault)) as fake, upstream_for(fake) as up:
        with pytest.raises(UpstreamError) as info:
            await up.call("GET", "/x", credential=BEARER)
    message = info.value.message
    assert "redirected to https://sso.example.com/login/[redacted]/x;" in message
    assert "token=" not in message and "pw@" not in message and "frag" not in message
    assert not leaks(message)


async def test_a_content_type_echoing_the_secret_is_redacted_and_clipped() -> None:
    odd = web.Response(status=200, body=b"x", headers={"Content-Type": f"text/x-{SECRET.lower()}; " + "p=1; " * 100})
    async with loopback(answers(lambda: odd)) as fake, upstream_for(fake) as up:
        with pytest.raises(UpstreamError) as info:
            await up.call("GET", "/x", credential=BEARER)
    message = info.value.message
    assert message.startswith("Jira answered with text/x-[redacted]; p=1;") and "instead of JSON" in message
    assert not leaks(message) and len(message) < 400


def test_a_location_that_is_not_a_url_is_still_shown_safely() -> None:
    assert location_shown(f"/relative/{SECRET}?q=1", Redactor([SECRET])) == "/relative/[redacted]"
    assert len(location_shown("https://h/" + "a" * 5000)) <= 300


# Hostile bodies: the call ends in an UpstreamError worded for a person, never in a crash inside passthrough.


def answer(body: bytes, content_type: str = "application/json") -> Answer:
    return Answer(200, CIMultiDictProxy(CIMultiDict({"Content-Type": content_type})), body, "jira", "Jira")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        (b'{"a": "\xff\xfe broken"}', "not UTF-8 (byte 7)"),
        (b"<html>not json</html>", "Expecting value at line 1 column 1"),
        (b'{"a": 1', "Expecting ',' delimiter at line 1 column 8"),
    ],
    ids=["nested-200k-deep", "invalid-utf8", "html-as-json", "truncated"],
)
def test_unreadable_json_is_an_upstream_error(body: bytes, why: str) -> None:
    with pytest.raises(UpstreamError) as info:
        answer(body).json()
    assert info.value.message == f"Jira answered with JSON passthrough cannot read: {why}"
    assert info.value.provider == "jira" and info.value.status == 200


@pytest.mark.parametrize(
    "body",
    [b"[" * 200_000 + b"]" * 200_000, b'{"a": "\xff broken"}', b"this is not json"],
    ids=["nested-200k-deep", "invalid-utf8", "not-json"],
)
async def test_hostile_bodies_through_a_call(body: bytes) -> None:
    ok = web.Response(status=200, body=body, content_type="application/json")
    async with loopback(answers(lambda: ok)) as fake, upstream_for(fake) as up:
        with pytest.raises(UpstreamError) as info:
            (await up.call("GET", "/x", credential=BEARER)).json()
    assert info.value.message.startswith("Jira answered with JSON passthrough cannot read: ")


@pytest.mark.parametrize(
    "body",
    [b'{"errorMessages": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", b'{"errorMessages": ["\xff bad"]}', b"{nope"],
    ids=["nested-200k-deep", "invalid-utf8", "not-json"],
)
async def test_hostile_error_bodies_still_give_the_status(body: bytes) -> None:
    fault = web.Response(status=400, body=body, content_type="application/json")
    async with loopback(answers(lambda: fault)) as fake, upstream_for(fake) as up:
        with pytest.raises(UpstreamError) as info:
            await up.call("GET", "/x", credential=BEARER)
    assert info.value.message.startswith("Jira answered 400 Bad Request")
    assert info.value.status == 400


def test_a_utf8_bom_and_empty_body_are_fine() -> None:
    assert answer(b"\xef\xbb\xbf" + json.dumps({"a": 1}).encode()).json() == {"a": 1}
    assert answer(b"").json() is None
