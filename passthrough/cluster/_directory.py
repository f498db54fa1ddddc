"""Where each process of a cluster can be reached by its peers: a node id → a peer address.

Only addresses are shared, never anything a client sent: a node id is eight random hex characters chosen at
start-up, and an address is where the node's peer listener is (`http://host:port`, or `unix:/path` for the
workers of one host). A session id starts with its owner's node id (`_sessions._new_id`), so finding a
session's owner needs no per-session record anywhere.

- `SocketDirectory`: the workers of `passthrough serve --workers N` without Redis. Each listens on
  `<dir>/<node>.sock` in a directory only the server's user may enter; the socket is its whole record.
- `RedisDirectory`: replicas on any number of hosts. Each keeps `passthrough:node:<node>` → its address with
  a short expiry, renewed while it runs and deleted when it stops. Lookups are cached for a few seconds;
  with Redis unreachable, the addresses already known are used and the rest are unknown (logged once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import OrderedDict
from typing import Any, Protocol

log = logging.getLogger("passthrough.cluster")

KEY_PREFIX = "passthrough:node:"
RECORD_SECONDS = 10  # a node's Redis record outlives its last renewal by this long
RENEW_SECONDS = 3.0
CACHE_SECONDS = 5.0  # a lookup is asked of Redis again after this long
REDIS_TIMEOUT_SECONDS = 1.0
DOWN_SECONDS = 2.0  # after a failure, Redis is not asked again for this long (lookups answer at once)
KNOWN_NODES = 4096  # addresses remembered for when Redis is unreachable


class Directory(Protocol):
    """What a node needs of the directory: to be listed while it runs, and to find the others."""

    kind: str  # "workers" or "redis", for /healthz and the start-up line

    async def start(self, node: str, address: str) -> None: ...

    async def stop(self) -> None: ...

    async def address(self, node: str) -> str | None: ...

    def forget(self, node: str) -> None: ...

    def health(self) -> dict[str, Any]: ...


class SocketDirectory:
    """The workers of one host: a node's address is its socket file in a private directory."""

    kind = "workers"

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def path(self, node: str) -> str:
        return os.path.join(self.directory, f"{node}.sock")

    async def start(self, node: str, address: str) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def address(self, node: str) -> str | None:
        # no look at the file: connecting tells (nothing there, or nothing listening: the node is gone)
        return f"unix:{self.path(node)}"

    def forget(self, node: str) -> None:
        return None

    def health(self) -> dict[str, Any]:
        return {"mode": self.kind}


class RedisDirectory:
    """Replicas anywhere: node records in Redis, renewed while the node runs."""

    kind = "redis"

    def __init__(self, url: str, shown: str) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError:
            from passthrough.errors import ConfigError

            raise ConfigError(
                "PASSTHROUGH_REDIS_URL needs the redis package: pip install 'passthrough[redis]'"
            ) from None

        self._shown = shown  # the URL without any password, for log lines
        self._redis: Any = aioredis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            decode_responses=True,
        )
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()  # node -> (asked at, address)
        self._down_until = 0.0
        self.reachable: bool | None = None  # None until first asked
        self._node: str | None = None
        self._record = ""
        self._renewing: asyncio.Task[None] | None = None

    def _remember(self, node: str, address: str) -> None:
        self._cache[node] = (time.monotonic(), address)
        self._cache.move_to_end(node)
        while len(self._cache) > KNOWN_NODES:
            self._cache.popitem(last=False)

    def _failed(self, exc: BaseException) -> None:
        self._down_until = time.monotonic() + DOWN_SECONDS
        if self.reachable is not False:
            log.warning(
                "Redis at %s is unreachable (%s): sessions of other replicas can be reached only at the addresses "
                "already known; this replica's own sessions and stateless requests go on",
                self._shown,
                type(exc).__name__,
            )
        self.reachable = False

    def _succeeded(self) -> None:
        if self.reachable is False:
            log.warning("Redis at %s is reachable again: sessions are routed among all replicas", self._shown)
        self.reachable = True

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            raise ConnectionError("Redis was unreachable a moment ago")
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS * 2):
                found = await getattr(self._redis, method)(*args, **kwargs)
        except Exception as exc:  # redis raises its own ConnectionError/TimeoutError; any failure degrades alike
            self._failed(exc)
            raise ConnectionError("Redis unreachable") from None
        self._succeeded()
        return found

    async def start(self, node: str, address: str) -> None:
        self._node, self._record = node, address
        with contextlib.suppress(ConnectionError):
            await self._call("set", KEY_PREFIX + node, address, ex=RECORD_SECONDS)
        self._renewing = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        assert self._node is not None
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            self._down_until = 0.0  # the renewal is also the probe that notices Redis is back
            with contextlib.suppress(ConnectionError):
                await self._call("set", KEY_PREFIX + self._node, self._record, ex=RECORD_SECONDS)

    async def stop(self) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
        if self._node is not None:
            self._down_until = 0.0
            with contextlib.suppress(ConnectionError):
                await self._call("delete", KEY_PREFIX + self._node)
        with contextlib.suppress(Exception):
            await self._redis.aclose()

    async def address(self, node: str) -> str | None:
        known = self._cache.get(node)
        if known is not None and time.monotonic() - known[0] < CACHE_SECONDS:
            return known[1]
        try:
            found = await self._call("get", KEY_PREFIX + node)
        except ConnectionError:
            return known[1] if known is not None else None
        if not isinstance(found, str) or not found:
            self._cache.pop(node, None)
            return None
        self._remember(node, found)
        return found

    def forget(self, node: str) -> None:
        self._cache.pop(node, None)

    def health(self) -> dict[str, Any]:
        return {"mode": self.kind, "redis": {None: "unknown", True: "ok", False: "unreachable"}[self.reachable]}
