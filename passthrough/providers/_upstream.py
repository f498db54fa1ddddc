"""One pooled HTTP client per upstream, shared by every user; the credential travels with each call.

Nothing per-user survives a call: the cookie jar refuses every cookie, the
environment (proxies, .netrc) is ignored, and redirects are not followed (a
redirect to another host must never carry a user's Authorization header).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import hmac
import http.cookiejar
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from urllib.request import Request as _UrlRequest

import httpx
from cachetools import TTLCache

from passthrough import __version__
from passthrough.credentials import Credential
from passthrough.errors import RateLimited, UpstreamError, UpstreamUnavailable
from passthrough.providers._errors import upstream_messages
from passthrough.settings import Limits, ProviderSettings

log = logging.getLogger("passthrough.upstream")

LABELS = {"jira": "Jira", "confluence": "Confluence", "openproject": "OpenProject"}
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_MAX_RESPONSE_BYTES = 32 << 20
_SHARD = 8
_CREDENTIAL_SOURCES = {
    "header": "the product header",
    "authorization": "the Authorization header",
    "global": "the server's shared credential",
}


def segment(value: str) -> str:
    """One path segment, percent-encoded so that no value can add or climb path levels."""
    return quote(value, safe="")


class _RefuseAll(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: _UrlRequest) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: _UrlRequest) -> bool:
        return False


def _cookieless() -> http.cookiejar.CookieJar:
    # A bare CookieJar: httpx keeps it as is, while an httpx.Cookies would be copied into a default jar.
    return http.cookiejar.CookieJar(policy=_RefuseAll())


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _retry_after(headers: httpx.Headers) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Upstream:
    def __init__(
        self,
        config: ProviderSettings,
        limits: Limits,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.name = config.name
        self.label = LABELS[config.name]
        self.config = config
        self._limits = limits
        self._sleep = sleep
        self._scope_key = secrets.token_bytes(32)
        # Non-secret lookups (space ids, statuses …) per user: bounded, expiring, keyed by a keyed digest.
        self.lookups: TTLCache[tuple[str, str], Any] = TTLCache(maxsize=4096, ttl=600)
        # httpcore's pool does work quadratic in its connection count on every request, so the pool is
        # split into shards of at most _SHARD connections; each request takes the least busy shard.
        total = max(1, limits.upstream_max_connections)
        sizes = [min(_SHARD, total - start) for start in range(0, total, _SHARD)]
        self._shards = [self._make_client(config, limits, size, transport) for size in sizes]
        self._busy = [0] * len(self._shards)

    @staticmethod
    def _make_client(
        config: ProviderSettings, limits: Limits, size: int, transport: httpx.AsyncBaseTransport | None
    ) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=config.url,
            transport=transport,
            timeout=httpx.Timeout(limits.upstream_timeout_seconds, connect=limits.upstream_connect_timeout_seconds),
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=30.0),
            cookies=_cookieless(),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": f"passthrough/{__version__}", "Accept": "application/json"},
        )

    def scope(self, credential: Credential) -> str:
        """A per-process keyed digest naming the user behind `credential`, for cache keys; never the secret."""
        return hmac.new(self._scope_key, credential.authorization().encode(), hashlib.sha256).hexdigest()

    async def cached(self, credential: Credential, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        """`load()` once per user and name until it expires; concurrent misses may load twice, harmlessly."""
        key = (self.scope(credential), name)
        if key in self.lookups:
            return self.lookups[key]
        value = await load()
        self.lookups[key] = value
        return value

    @property
    def base_url(self) -> str:
        return self.config.url

    async def aclose(self) -> None:
        for client in self._shards:
            await client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        credential: Credential,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expect_json: bool = True,
    ) -> Answer:
        """Send one request; a 2xx comes back as an Answer, anything else raises a ToolError subclass."""
        method = method.upper()
        retryable = method in _IDEMPOTENT if idempotent is None else idempotent
        sent_headers = {"Authorization": credential.authorization(), **(headers or {})}
        attempts = max(1, self._limits.retry_attempts)
        for attempt in range(1, attempts + 1):
            answer = await self._send(method, path, params, body, sent_headers, credential)
            if answer.status not in (429, 503):
                break
            wait = _retry_after(answer.headers)
            if wait is None and answer.status == 503:
                break
            wait = max(wait if wait is not None else 2.0 ** (attempt - 1), self._limits.retry_after_floor_seconds)
            if not retryable or attempt == attempts or wait > self._limits.retry_after_cap_seconds:
                raise self._rate_limited(answer, wait, retryable, credential)
            log.info("%s answered %s; retrying in %.2fs (attempt %d)", self.label, answer.status, wait, attempt)
            await self._sleep(wait)
        if 200 <= answer.status < 300:
            if expect_json and answer.body and "json" not in answer.headers.get("content-type", ""):
                raise UpstreamError(
                    self.name,
                    answer.status,
                    f"{self.label} answered with {answer.headers.get('content-type', 'no content type')} "
                    f"instead of JSON; is the configured URL ({self.base_url}) the product's base URL, "
                    "with no login proxy in front?",
                )
            return answer
        raise self._failure(answer, credential)

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str],
        credential: Credential,
    ) -> Answer:
        started = time.perf_counter()
        shard = min(range(len(self._shards)), key=self._busy.__getitem__)
        client = self._shards[shard]
        self._busy[shard] += 1
        try:
            request = client.build_request(method, path, params=params, json=body, headers=headers)
            response = await client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > _MAX_RESPONSE_BYTES:
                        raise UpstreamError(
                            self.name, response.status_code, f"{self.label}'s answer is larger than 32 MiB"
                        )
                    chunks.append(chunk)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise UpstreamUnavailable(
                self.name, None, f"{self.label} did not answer in time ({method} {path}); try again later"
            ) from None
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                self.name, None, f"Could not reach {self.label} at {self.base_url}: {type(exc).__name__}"
            ) from None
        finally:
            self._busy[shard] -= 1
        raw = b"".join(chunks)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s %s -> %d in %.1f ms (credential %s)",
                self.label,
                method,
                request.url.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                credential.fingerprint,
            )
        return Answer(response.status_code, response.headers, raw)

    @staticmethod
    def _messages(answer: Answer, credential: Credential) -> list[str]:
        """The upstream's error messages, minus the caller's secret should a server echo it back."""
        found = upstream_messages(answer.headers.get("content-type", ""), answer.body)
        secrets_sent = [credential.authorization(), credential.secret]
        if credential.scheme == "basic":
            secrets_sent.append(credential.authorization().removeprefix("Basic "))
        for secret in secrets_sent:
            found = [m.replace(secret, "[redacted]") for m in found]
        return found

    def _rate_limited(self, answer: Answer, wait: float, retryable: bool, credential: Credential) -> RateLimited:
        detail = "; ".join(self._messages(answer, credential))
        why = f"{self.label} is limiting requests ({answer.status})"
        if detail:
            why += f": {detail}"
        advice = f" Retry after about {wait:.0f} s." if wait >= 1 else " Retry shortly."
        if not retryable:
            advice += " The request was not repeated because it might not be safe to send twice."
        return RateLimited(self.name, answer.status, wait, why + "." + advice)

    def _failure(self, answer: Answer, credential: Credential) -> UpstreamError:
        status = answer.status
        reason = httpx.codes.get_reason_phrase(status) or "error"
        messages = self._messages(answer, credential)
        text = f"{self.label} answered {status} {reason}"
        if messages:
            text += ": " + "; ".join(messages)
        source = _CREDENTIAL_SOURCES[credential.source]
        if status == 401:
            text += f". {self.label} did not accept the credential from {source}; check that it is valid and unexpired"
            if credential.scheme == "bearer" and self.config.deployment == "cloud":
                text += " (Atlassian Cloud API tokens also need the account email header)"
        elif status == 403:
            text += f". The account behind the credential from {source} lacks permission for this"
        elif 300 <= status < 400:
            where = answer.headers.get("location", "elsewhere")
            text += f". It redirected to {where}; set the server's {self.name.upper()}_URL to the final address"
        return UpstreamError(self.name, status, text.rstrip(".") + ".")
