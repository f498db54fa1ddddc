"""The base of every provider client: one request's view of one upstream.

A client holds two references, the shared pooled `Upstream` and this caller's
`Credential`, so building one per tool call costs nothing and nothing of one
user's outlives their call. Subclasses add one small method per REST call;
the JSON plumbing, the shape checks and the per-user lookup cache live here.
Clients speak the upstream's own formats (ADF, wiki markup, storage XHTML):
Markdown is the tool layer's business (`passthrough.tools._markdown`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from passthrough.credentials import Credential
from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._upstream import LABELS, Upstream
from passthrough.settings import Provider

T = TypeVar("T")


class ProviderClient:
    """What every provider's client shares. Subclasses set `provider` and, if their API has one, `api`."""

    provider: ClassVar[Provider]
    bodiless_headers: ClassVar[dict[str, str] | None] = None  # sent with a call that has no body (_no_answer)

    def __init__(self, upstream: Upstream, credential: Credential) -> None:
        self._up = upstream
        self._cred = credential

    @property
    def api(self) -> str:
        """The path prefix of the REST API every `path` below is relative to."""
        return ""

    @property
    def base_url(self) -> str:
        return self._up.base_url

    @property
    def cloud(self) -> bool:
        return self._up.config.deployment == "cloud"

    @property
    def credential_source(self) -> str:
        """Where this call's credential came from (`header`, `global`, …); never the credential itself."""
        return self._cred.source

    async def ready(self) -> None:
        """Checks a tool's client must pass before the tool runs; none unless a provider needs one."""

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        api: str | None = None,
    ) -> Any:
        """One call; `path` is under `api` (this client's REST API unless another, e.g. "/rest/agile/1.0")."""
        prefix = self.api if api is None else api
        answer = await self._up.call(method, prefix + path, credential=self._cred, params=params, body=body)
        return answer.json()

    async def _object(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        api: str | None = None,
    ) -> dict[str, Any]:
        """A call whose answer must be a JSON object; any other shape is the upstream's error, said so."""
        value = await self._json(method, path, params=params, body=body, api=api)
        if not isinstance(value, dict):
            raise self._unexpected(method, path, "an object")
        return value

    async def _array(self, path: str, params: dict[str, Any] | None = None, *, api: str | None = None) -> list[Any]:
        """A GET whose answer must be a JSON array."""
        value = await self._json("GET", path, params=params, api=api)
        if not isinstance(value, list):
            raise self._unexpected("GET", path, "a list")
        return value

    async def _get(self, path: str, params: dict[str, Any] | None = None, *, api: str | None = None) -> dict[str, Any]:
        return await self._object("GET", path, params=params, api=api)

    async def _send(self, method: str, path: str, body: Any = None, *, api: str | None = None) -> dict[str, Any]:
        return await self._object(method, path, body=body, api=api)

    def _unexpected(self, method: str, path: str, shape: str) -> UpstreamError:
        return UpstreamError(
            self.provider,
            200,
            f"{LABELS[self.provider]} answered {method} {path} with JSON that is not {shape}; "
            "is the configured URL the product's base URL?",
        )

    async def _no_answer(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        api: str | None = None,
    ) -> int:
        """A call whose answer carries nothing we read (often 204, sometimes an empty body); its status."""
        prefix = self.api if api is None else api
        headers = self.bodiless_headers if body is None else None
        answer = await self._up.call(
            method, prefix + path, credential=self._cred, params=params, body=body, headers=headers, expect_json=False
        )
        return answer.status

    async def _cached(self, name: str, load: Callable[[], Awaitable[T]]) -> T:
        """`load()` once per user, upstream and `name` for a while: reference data, never secrets."""
        value: T = await self._up.cached(self._cred, name, load)
        return value


def offset_token(token: str | None, name: str) -> int:
    """The offset a page token this server handed out stands for (0 for none).

    ASCII digits only, and few of them: `str.isdigit()` admits '²', and `int()` refuses 5,000 digits."""
    if not token:
        return 0
    if not token.isascii() or not token.isdigit() or len(token) > 9:
        raise InvalidArguments(f"{name} is not one this server handed out; start again without it")
    return int(token)


def next_offset(start: int, count: int, more: bool) -> str | None:
    """The token for the page after `count` items from `start`, or None on the last page."""
    return str(start + count) if more and count else None
