"""One pooled HTTP client per upstream, shared by every user; the credential travels with each call.

Nothing per-user survives a call: the cookie jar keeps no cookie, the environment
(proxies, .netrc) is ignored, and redirects are not followed (a redirect to another
host must never carry a user's Authorization header).

Nothing one call does can hold up the others for long: each call has a deadline
(queueing, retries and their sleeps included), each user may hold only a share of
the pool at once, and a call that is cancelled gives back its place in the queue and
its connection at once (aiohttp closes a connection whose answer was not read to the
end rather than returning it to the pool).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import hmac
import http
import json
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from cachetools import TTLCache
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from passthrough import __version__, _json
from passthrough.credentials import Credential
from passthrough.errors import RateLimited, UpstreamError, UpstreamUnavailable
from passthrough.observe import Metrics, upstream_done
from passthrough.providers._errors import Redactor, location_shown, upstream_messages
from passthrough.providers._reach import extra_headers, proxy_for, ssl_context
from passthrough.settings import Deployment, Limits, ProviderSettings

log = logging.getLogger("passthrough.upstream")

LABELS = {"jira": "Jira", "confluence": "Confluence", "openproject": "OpenProject", "clickup": "ClickUp"}
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_RESPONSE_BYTES = 32 << 20
_CHUNK = 64 << 10
_KEEPALIVE_SECONDS = 30.0
_DNS_CACHE_SECONDS = 60
# Pools for sites a request names (X-Atlassian-Jira-Url …) or the OAuth gateway, per product: the least
# recently used beyond this many are closed once their calls are done.
MAX_SITE_POOLS = 16
_MAX_SHOWN = 100  # characters of an upstream header value an error shows
_CREDENTIAL_SOURCES = {
    "header": "the product header",
    "authorization": "the Authorization header",
    "global": "the server's shared credential",
}


def segment(value: str) -> str:
    """One path segment, percent-encoded so that no value can add or climb path levels."""
    if value in (".", ".."):  # would be read as "this level" or "one up"
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _query(params: Mapping[str, Any]) -> str:
    """Query parameters as httpx wrote them: booleans as true/false, None as empty, a sequence repeated."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, bool):
                text = "true" if item else "false"
            else:
                text = "" if item is None else str(item)
            pairs.append((str(name), text))
    return urlencode(pairs, quote_via=quote, safe="")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    provider: str = field(default="", compare=False)
    label: str = field(default="The upstream", compare=False)

    def _unreadable(self, why: str) -> UpstreamError:
        return UpstreamError(
            self.provider, self.status, f"{self.label} answered with JSON passthrough cannot read: {why}"
        )

    def json(self) -> Any:
        """The body as JSON; an UpstreamError, never a decoding or recursion error, if it is not readable JSON."""
        if not self.body:
            return None
        try:
            return _json.loads_fast(self.body)
        except _json.JSONDecodeError:
            pass  # read again by the standard library, for its rules and its messages
        try:
            text = self.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self._unreadable(f"not UTF-8 (byte {exc.start})") from None
        try:
            return json.loads(text)
        except RecursionError:
            raise self._unreadable("nested too deeply") from None
        except ValueError as exc:
            where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "not JSON"
            raise self._unreadable(f"{why}{where}") from None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return _rate_limit_reset(headers)
    raw = raw.strip()
    if raw.isascii() and raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _rate_limit_reset(headers: Mapping[str, str]) -> float | None:
    """Seconds until `X-RateLimit-Reset` (ClickUp's, without a Retry-After): a Unix time in seconds (or
    milliseconds), else a number of seconds to wait; None when absent or not a number."""
    raw = (headers.get("x-ratelimit-reset") or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 16:
        return None
    value = float(raw)
    if value >= 1e12:  # milliseconds since the epoch
        value /= 1000
    return max(0.0, value - time.time()) if value >= 1e9 else value


def _secret_forms(credential: Credential) -> list[str]:
    """What of the caller's credential an upstream could echo back; a Redactor adds the encoded forms."""
    sent = credential.authorization()
    forms = [sent, credential.secret, sent.partition(" ")[2]]
    return [form for form in forms if form]


@dataclass(frozen=True, slots=True)
class _Outgoing:
    """One request as it goes upstream (each retry sends the same one)."""

    method: str
    path: str
    url: URL
    data: bytes | None
    headers: CIMultiDict[str]
    credential: Credential
    retryable: bool
    max_bytes: int = _MAX_RESPONSE_BYTES


class _Share:
    """One user's calls in flight to one upstream, and the line of those waiting for a turn."""

    __slots__ = ("running", "waiting")

    def __init__(self) -> None:
        self.running = 0
        self.waiting: deque[asyncio.Future[None]] = deque()


class _FairShare:
    """At most `per_user` calls in flight per user, first come first served beyond that.

    An entry exists only while its user has a call running or waiting, so the table is
    bounded by the calls in flight. A turn is handed straight from a finishing call to
    the next waiter; a waiter cancelled after being handed one passes it on.
    """

    def __init__(self, per_user: int) -> None:
        self.per_user = max(1, per_user)
        self._shares: dict[str, _Share] = {}

    def __len__(self) -> int:
        return len(self._shares)

    @contextlib.asynccontextmanager
    async def turn(self, user: str) -> AsyncIterator[None]:
        share = self._shares.get(user)
        if share is None:
            share = self._shares[user] = _Share()
        if share.running < self.per_user and not share.waiting:
            share.running += 1
        else:
            ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            share.waiting.append(ticket)
            try:
                await ticket
            except BaseException:
                if ticket.done() and not ticket.cancelled():
                    self._pass_on(user, share)  # handed a turn, then cancelled before taking it
                else:
                    with contextlib.suppress(ValueError):  # a finishing call may have dropped it already
                        share.waiting.remove(ticket)
                    self._forget_if_idle(user, share)
                raise
        try:
            yield
        finally:
            self._pass_on(user, share)

    def _pass_on(self, user: str, share: _Share) -> None:
        while share.waiting:
            ticket = share.waiting.popleft()
            if not ticket.done():
                ticket.set_result(None)  # the turn moves on; `running` stays as it is
                return
        share.running -= 1
        self._forget_if_idle(user, share)

    def _forget_if_idle(self, user: str, share: _Share) -> None:
        if not share.running and not share.waiting and self._shares.get(user) is share:
            del self._shares[user]


SessionFactory = Callable[[ProviderSettings, Limits], aiohttp.ClientSession]


class Upstream:
    def __init__(
        self,
        config: ProviderSettings,
        limits: Limits,
        *,
        session_factory: SessionFactory | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.name = config.name
        self.label = LABELS[config.name]
        self.config = config
        self._limits = limits
        self._sleep = sleep
        self._given_factory = session_factory
        self._session_factory = session_factory or self.default_session
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self._scope_key = secrets.token_bytes(32)
        self._extra_headers = extra_headers(config)
        pool = max(1, limits.upstream_max_connections)
        per_user = limits.upstream_per_user_connections
        self.fair_share = _FairShare(per_user if per_user else max(2, pool // 4))
        # Non-secret lookups (space ids, statuses …) per user: bounded, expiring, keyed by a keyed digest.
        self.lookups: TTLCache[tuple[str, str], Any] = TTLCache(maxsize=4096, ttl=600)
        # Where each request's status and time are counted (the app's metrics); None: counted nowhere.
        self.metrics: Metrics | None = None
        # Other sites of this product that requests named, least recently used first; calls in flight here,
        # and whether an evicted pool should close when they are done.
        self.sites: OrderedDict[tuple[str, str], Upstream] = OrderedDict()
        self._active = 0
        self._retired = False
        self._closing: set[asyncio.Task[None]] = set()

    def site(self, url: str, deployment: Deployment) -> Upstream:
        """The pool for another site of this product (same reach and limits, no shared credential)."""
        key = (url, deployment)
        found = self.sites.get(key)
        if found is not None:
            self.sites.move_to_end(key)
            return found
        config = self.config.model_copy(update={"url": url, "deployment": deployment, "fallback": None})
        found = Upstream(config, self._limits, session_factory=self._given_factory, sleep=self._sleep)
        found.metrics = self.metrics
        self.sites[key] = found
        while len(self.sites) > MAX_SITE_POOLS:
            _, evicted = self.sites.popitem(last=False)
            evicted._retire()
        return found

    def _retire(self) -> None:
        self._retired = True
        if not self._active and not self._closing:
            task = asyncio.get_running_loop().create_task(self.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    @staticmethod
    def default_session(config: ProviderSettings, limits: Limits) -> aiohttp.ClientSession:
        """The pool for one upstream origin: no cookies, no environment, keep-alive, cached DNS."""
        pool = max(1, limits.upstream_max_connections)
        connector = aiohttp.TCPConnector(
            limit=pool,
            limit_per_host=pool,
            keepalive_timeout=_KEEPALIVE_SECONDS,
            use_dns_cache=True,
            ttl_dns_cache=_DNS_CACHE_SECONDS,
            ssl=ssl_context(config),
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            proxy=proxy_for(config),
            # `connect` would count the wait for a pooled connection too; the call's deadline bounds that.
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=None,
                sock_connect=limits.upstream_connect_timeout_seconds,
                sock_read=limits.upstream_timeout_seconds,
            ),
            headers={"User-Agent": f"passthrough/{__version__}", "Accept": "application/json"},
            raise_for_status=False,
        )

    def _client(self) -> aiohttp.ClientSession:
        """The shared session, made on first use inside the running loop (the app is built before it runs)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = self._session_factory(self.config, self._limits)
            self._session_loop = loop
        return self._session

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

    async def shared(self, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        """`load()` once per name until it expires, for every user alike: public facts about the site itself
        (e.g. its cloud id), never anything a credential unlocked."""
        key = ("", name)  # a user's scope is 64 hex digits, never empty
        if key in self.lookups:
            return self.lookups[key]
        value = await load()
        self.lookups[key] = value
        return value

    @property
    def base_url(self) -> str:
        return self.config.url

    @property
    def limits(self) -> Limits:
        return self._limits

    async def aclose(self) -> None:
        sites = list(self.sites.values())
        self.sites.clear()
        for site in sites:
            await site.aclose()
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

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
        raw: bytes | None = None,
        max_bytes: int | None = None,
        anonymous: bool = False,
        redirect: bool = False,
    ) -> Answer:
        """Send one request; a 2xx comes back as an Answer, anything else raises a ToolError subclass.

        `raw` is a body sent as it is (its Content-Type in `headers`, e.g. a multipart upload) instead of
        `body` as JSON; `max_bytes` lowers the bound on the answer's size (never above passthrough's own);
        `anonymous` sends no Authorization at all (a public endpoint; `credential` then only names whose
        turn in the pool it is); `redirect` returns a 3xx as an Answer for the caller to judge (it is never
        followed here)."""
        self._active += 1
        limit = _MAX_RESPONSE_BYTES if max_bytes is None else max(0, min(max_bytes, _MAX_RESPONSE_BYTES))
        try:
            return await self._call(
                method,
                path,
                credential,
                params,
                body,
                headers,
                idempotent,
                expect_json,
                raw,
                limit,
                anonymous,
                redirect,
            )
        finally:
            self._active -= 1
            if self._retired and not self._active:
                self._retire()

    async def _call(
        self,
        method: str,
        path: str,
        credential: Credential,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        idempotent: bool | None,
        expect_json: bool,
        raw: bytes | None = None,
        max_bytes: int = _MAX_RESPONSE_BYTES,
        anonymous: bool = False,
        redirect: bool = False,
    ) -> Answer:
        method = method.upper()
        retryable = method in _IDEMPOTENT if idempotent is None else idempotent
        deadline = self._limits.upstream_deadline_seconds
        try:
            async with asyncio.timeout(deadline if deadline > 0 else None):
                answer = await self._attempts(
                    method, path, params, body, headers, credential, retryable, raw, max_bytes, anonymous
                )
        except TimeoutError:
            raise UpstreamUnavailable(
                self.name,
                None,
                f"{self.label} did not answer within the {deadline:g} s deadline for one call "
                f"({method} {_shown(path)}; set by PASSTHROUGH_UPSTREAM_DEADLINE_SECONDS)"
                f"{self._advice(method, retryable)}",
            ) from None
        if 200 <= answer.status < 300:
            if expect_json and answer.body and "json" not in answer.headers.get("content-type", ""):
                raise UpstreamError(
                    self.name,
                    answer.status,
                    f"{self.label} answered with {self._content_type(answer, credential)} "
                    f"instead of JSON; is the configured URL ({self.base_url}) the product's base URL, "
                    "with no login proxy in front?",
                )
            return answer
        if redirect and 300 <= answer.status < 400 and answer.headers.get("location"):
            return answer
        raise self._failure(answer, credential)

    async def _attempts(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        credential: Credential,
        retryable: bool,
        raw: bytes | None = None,
        max_bytes: int = _MAX_RESPONSE_BYTES,
        anonymous: bool = False,
    ) -> Answer:
        url = self.config.url + path
        if params:
            url += ("&" if "?" in path else "?") + _query(params)
        sent_headers = CIMultiDict(self._extra_headers)
        sent_headers.update(headers or {})
        if anonymous:
            sent_headers.popall("Authorization", None)
        else:
            sent_headers["Authorization"] = credential.authorization()
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            sent_headers.setdefault("Content-Type", "application/json")
        elif raw is not None:
            data = raw
        user = self.scope(credential)
        request = _Outgoing(method, path, URL(url, encoded=True), data, sent_headers, credential, retryable, max_bytes)
        attempts = max(1, self._limits.retry_attempts)
        for attempt in range(1, attempts + 1):
            async with self.fair_share.turn(user):
                answer = await self._send(request)
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
        return answer

    @staticmethod
    def _advice(method: str, retryable: bool) -> str:
        """What a caller may do after a call that may have reached the upstream got no answer."""
        if method in _READS:
            return "; try again later"
        if retryable:
            return "; the change may or may not have been applied, and repeating it is safe"
        return (
            "; the change may or may not have been applied — read the item back (its get tool, or a search) "
            "to see whether it was before retrying"
        )

    async def _send(self, request: _Outgoing) -> Answer:
        """One request, counted in the metrics and on the tool call it serves (status None: no answer)."""
        started = time.perf_counter()
        status: int | None = None
        try:
            answer = await self._exchange(request)
            status = answer.status
            return answer
        except UpstreamError as exc:
            status = exc.status
            raise
        finally:  # cancelled or cut at the deadline: counted as no answer
            upstream_done(self.metrics, self.name, status, time.perf_counter() - started)

    async def _exchange(self, request: _Outgoing) -> Answer:
        method, path, url, credential, retryable = (
            request.method,
            request.path,
            request.url,
            request.credential,
            request.retryable,
        )
        started = time.perf_counter()
        try:
            async with self._client().request(
                method, url, data=request.data, headers=request.headers, allow_redirects=False
            ) as response:
                declared = response.content_length
                if declared is not None and declared > request.max_bytes:
                    response.close()
                    raise self._too_large(response.status, request.max_bytes)
                chunks: list[bytes] = []
                if declared is not None and response.headers.get("Content-Encoding", "identity") == "identity":
                    # framed by its Content-Length, within the bound, and not decompressed into more: read whole
                    chunks.append(await response.read())
                else:
                    size = 0
                    async for chunk in response.content.iter_chunked(_CHUNK):
                        size += len(chunk)
                        if size > request.max_bytes:
                            response.close()  # the rest is never read; the connection is not reused
                            raise self._too_large(response.status, request.max_bytes)
                        chunks.append(chunk)
                status, answer_headers = response.status, response.headers
        except aiohttp.ClientConnectorCertificateError as exc:
            raise UpstreamUnavailable(self.name, None, self._untrusted(exc)) from None
        except aiohttp.ClientConnectorSSLError as exc:
            raise UpstreamUnavailable(self.name, None, self._handshake_failed(exc)) from None
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            why = "no connection in time" if isinstance(exc, aiohttp.ConnectionTimeoutError) else type(exc).__name__
            raise UpstreamUnavailable(
                self.name, None, f"Could not reach {self.label} at {self.base_url}: {why}"
            ) from None
        except TimeoutError:
            raise UpstreamUnavailable(
                self.name,
                None,
                f"{self.label} did not answer in time ({method} {_shown(path)}){self._advice(method, retryable)}",
            ) from None
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(
                self.name,
                None,
                f"{self.label} broke off the exchange ({method} {_shown(path)}: {type(exc).__name__})"
                f"{self._advice(method, retryable)}{self._client_certificate_hint(exc)}",
            ) from None
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s %s -> %d in %.1f ms (credential %s)",
                self.label,
                method,
                url.path,  # never the query: JQL, CQL and search words are the user's text
                status,
                (time.perf_counter() - started) * 1000,
                credential.fingerprint,
            )
        return Answer(status, answer_headers, b"".join(chunks), self.name, self.label)

    def _untrusted(self, exc: aiohttp.ClientConnectorCertificateError) -> str:
        p = self.name.upper()
        reason = getattr(exc.certificate_error, "verify_message", None) or type(exc.certificate_error).__name__
        return (
            f"Could not reach {self.label} at {self.base_url}: its TLS certificate is not trusted here ({reason}). "
            f"If your organisation signs it with its own certificate authority, set {p}_CA_BUNDLE to that CA's "
            f"PEM file (or SSL_CERT_FILE); {p}_SSL_VERIFY=false turns the check off, which is unsafe."
        )

    def _handshake_failed(self, exc: aiohttp.ClientConnectorSSLError) -> str:
        reason = getattr(exc.os_error, "reason", None) or type(exc.os_error).__name__
        failed = f"Could not reach {self.label} at {self.base_url}: the TLS handshake failed ({reason})"
        return failed + self._cert_advice() + "."

    def _client_certificate_hint(self, exc: aiohttp.ClientError) -> str:
        """TLS 1.3 servers refuse a missing client certificate after the handshake, as a bare disconnect."""
        if not self.config.url.startswith("https:") or self.config.reach.client_cert:
            return ""
        if not isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
            return ""
        return self._cert_advice()

    def _cert_advice(self) -> str:
        p = self.name.upper()
        return f". If {self.label} requires a client certificate, set {p}_CLIENT_CERT and {p}_CLIENT_KEY"

    def _too_large(self, status: int, limit: int = _MAX_RESPONSE_BYTES) -> UpstreamError:
        if limit == _MAX_RESPONSE_BYTES:
            return UpstreamError(
                self.name,
                status,
                f"{self.label}'s answer is larger than {_MAX_RESPONSE_BYTES >> 20} MiB, passthrough's limit",
            )
        return UpstreamError(
            self.name, status, f"{self.label}'s answer is larger than {limit} bytes, this call's limit"
        )

    def _content_type(self, answer: Answer, credential: Credential) -> str:
        """The upstream's content type as an error may show it: redacted, then clipped."""
        raw = answer.headers.get("content-type")
        if not raw:
            return "no content type"
        shown = " ".join(self._redactor(credential)(raw).split())
        return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 1] + "…"

    @staticmethod
    def _redactor(credential: Credential) -> Redactor:
        return Redactor(_secret_forms(credential))

    def _messages(self, answer: Answer, redact: Redactor) -> list[str]:
        """The upstream's error messages, minus the caller's secret in any form should a server echo it back."""
        return upstream_messages(answer.headers.get("content-type", ""), answer.body, redact)

    def _rate_limited(self, answer: Answer, wait: float, retryable: bool, credential: Credential) -> RateLimited:
        detail = "; ".join(self._messages(answer, self._redactor(credential)))
        why = f"{self.label} is limiting requests ({answer.status})"
        if detail:
            why += f": {detail}"
        advice = f" Retry after about {wait:.0f} s." if wait >= 1 else " Retry shortly."
        if not retryable:
            advice += " The request was not repeated because it might not be safe to send twice."
        return RateLimited(self.name, answer.status, wait, why + "." + advice)

    def _failure(self, answer: Answer, credential: Credential) -> UpstreamError:
        status = answer.status
        redact = self._redactor(credential)
        messages = self._messages(answer, redact)
        text = f"{self.label} answered {status} {_reason(status)}"
        if messages:
            text += ": " + "; ".join(messages)
        source = _CREDENTIAL_SOURCES[credential.source]
        if status == 401:
            text += f". {self.label} did not accept the credential from {source}; check that it is valid and unexpired"
            if credential.scheme == "bearer" and self.config.deployment == "cloud" and self.name != "clickup":
                text += " (Atlassian Cloud API tokens also need the account email header)"
        elif status == 403:
            text += f". The account behind the credential from {source} lacks permission for this"
        elif 300 <= status < 400:
            location = answer.headers.get("location")
            where = location_shown(location, redact) if location else "elsewhere"
            text += f". It redirected to {where}; set the server's {self.name.upper()}_URL to the final address"
        return UpstreamError(self.name, status, text.rstrip(".") + ".")


def _shown(path: str) -> str:
    """A request's path as messages show it: never its query (JQL/CQL may be sensitive)."""
    return path.partition("?")[0]


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "error"
