"""Several processes, on one host or many, serving every session whichever receives a request.

A process is a *node* with a random id; the sessions it opens carry that id as their first eight characters.
A request for another node's session (a legacy `POST /messages?session_id=…`, or an `Mcp-Session-Id` on
`/mcp`) is carried to the owner over its peer listener (`_forward.py`), found through a directory
(`_directory.py`): socket files for the workers of one host, Redis for replicas anywhere. The owner holds
the session and the credential headers it was opened with, in its own memory only; nothing a client sent
is ever written to Redis. See README.md, "Several processes and several machines".
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web

from passthrough.cluster._directory import Directory, RedisDirectory, SocketDirectory
from passthrough.cluster._forward import GONE, HOP, Forwarder
from passthrough.errors import SessionNotFound

log = logging.getLogger("passthrough.cluster")

NODE_CHARS = 8
_HEX = frozenset("0123456789abcdefABCDEF")
SESSION_CHARS = NODE_CHARS + 32

__all__ = ["HOP", "Cluster", "owner_of", "shown_redis_url"]


def new_node() -> str:
    return secrets.token_hex(NODE_CHARS // 2)


def owner_of(session_id: str) -> str | None:
    """The node a session id names as its owner, or None for an id no node of ours issued."""
    if len(session_id) != SESSION_CHARS or not all(c in _HEX for c in session_id):
        return None
    return session_id[:NODE_CHARS].lower()


def shown_redis_url(url: str) -> str:
    """A Redis URL fit for a log line: any user name or password left out."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Cluster:
    """This node, and how it reaches the others (none when it runs alone)."""

    def __init__(self, node: str, directory: Directory | None, forwarder: Forwarder | None) -> None:
        self.node = node
        self.directory = directory
        self.forwarder = forwarder
        self.address: str | None = None  # this node's peer address once listening

    @property
    def routes(self) -> bool:
        return self.directory is not None

    @classmethod
    def alone(cls) -> Cluster:
        return cls(new_node(), None, None)

    @classmethod
    def of(cls, redis_url: str | None, worker_sockets: str | None, limits: Any) -> Cluster:
        if redis_url is not None:
            directory: Directory | None = RedisDirectory(redis_url, shown_redis_url(redis_url))
        elif worker_sockets is not None:
            directory = SocketDirectory(worker_sockets)
        else:
            return cls.alone()
        # connections to the others reused for half their idle timeout (PASSTHROUGH_IDLE_TIMEOUT_SECONDS, which
        # replicas share), never up to the moment they close them
        keepalive = max(1.0, limits.idle_timeout_seconds / 2)
        forwarder = Forwarder(limits.max_inflight, limits.max_reply_bytes, keepalive)
        return cls(new_node(), directory, forwarder)

    async def start(self, address: str) -> None:
        self.address = address
        if self.directory is not None:
            await self.directory.start(self.node, address)

    async def stop(self) -> None:
        """Leave the directory first, so the others answer this node's sessions 404 at once."""
        if self.directory is not None:
            await self.directory.stop()
        if self.forwarder is not None:
            await self.forwarder.aclose()

    def health(self) -> dict[str, Any]:
        found: dict[str, Any] = {"node": self.node}
        found |= self.directory.health() if self.directory is not None else {"mode": "single"}
        return found

    async def carry(
        self, request: web.Request, session_id: str, read: Callable[[], Awaitable[bytes]]
    ) -> web.StreamResponse | None:
        """The owner's answer when another node owns `session_id` (the body as `read()` gives it, bounded);
        None when it is this node's to answer."""
        owner = owner_of(session_id)
        if owner is None or owner == self.node or self.directory is None or self.forwarder is None:
            return None
        if HOP in request.headers:
            raise SessionNotFound(GONE)  # routed here already: never carried twice
        address = await self.directory.address(owner)
        if address is None:
            raise SessionNotFound(GONE)
        try:
            return await self.forwarder.forward(request, read, address, self.node)
        except SessionNotFound:
            self.directory.forget(owner)
            raise
