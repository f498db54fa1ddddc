"""Real parts for the cluster tests: redis-server, passthrough replicas as processes, HAProxy in front of them.

Everything listens on 127.0.0.1 on ports picked now, is started by the test that needs it and stopped when
the `cluster()` block ends, whatever happened inside it. What the processes print is read all along (a full
pipe would stall them) and kept, so a test can wait for a line or read the access and balancer logs after.

HAProxy balances round-robin with no stickiness, one request at a time (`option http-server-close`), retries
a connection that failed (and only that: a request that reached a replica is never sent again), and logs
each request with the server it chose and the session it named, which is how the tests see that sessions
really were served across replicas.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import LISTENING
from tests.fakes import FakeJira, JiraUser

START_SECONDS = 30.0  # a process that has not said it is ready by then failed to start
STOP_SECONDS = 10.0  # after SIGTERM, then SIGKILL
REQUIRE_TOOLS = "PASSTHROUGH_REQUIRE_CLUSTER_TOOLS"
NODE_LINE = r"node ([0-9a-f]{8}): the other processes reach this one's sessions at (\S+)"


def _tool(name: str, *places: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    return next((p for p in places if os.access(p, os.X_OK)), None)


REDIS_SERVER = _tool("redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server")
HAPROXY = _tool("haproxy", "/usr/sbin/haproxy", "/usr/local/sbin/haproxy")


def require_tools(*needed: str) -> None:
    """At a test module's import: skip it when a tool it needs is missing, or fail when the run must have them
    (PASSTHROUGH_REQUIRE_CLUSTER_TOOLS=1, as .ci/run sets it) so that CI never passes by skipping."""
    have = {
        "redis-server": REDIS_SERVER is not None,
        "haproxy": HAPROXY is not None,
        "redis (Python package)": importlib.util.find_spec("redis") is not None,
    }
    missing = [name for name in needed if not have[name]]
    if not missing:
        return
    why = (
        f"needs {', '.join(missing)}: apt-get install redis-server haproxy, pip install -e '.[dev]' "
        "(.ci/run installs them)"
    )
    if os.environ.get(REQUIRE_TOOLS) == "1":
        pytest.fail(f"{why}; {REQUIRE_TOOLS}=1 says this run must have them", pytrace=False)
    pytest.skip(why, allow_module_level=True)


async def eventually(check: Callable[[], bool | Awaitable[bool]], within: float, every: float = 0.02) -> None:
    """Until `check()` is true, looked at every `every` s; TimeoutError after `within` s."""
    async with asyncio.timeout(within):
        while True:
            done = check()
            if done if isinstance(done, bool) else await done:
                return
            await asyncio.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Output:
    """Every line a process prints, read as it comes."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self.ended = False
        self._changed = asyncio.Event()
        self._reading = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        try:
            while line := await stream.readline():
                self.lines.append(line.decode(errors="replace").rstrip("\n"))
                self._changed.set()
        finally:
            self.ended = True
            self._changed.set()

    async def wait_for(self, pattern: str, within: float, since: int = 0) -> re.Match[str]:
        """The first line from `since` on that matches `pattern`; fails after `within` s or when the process
        has ended without printing it."""
        regex = re.compile(pattern)
        seen = since
        try:
            async with asyncio.timeout(within):
                while True:
                    self._changed.clear()
                    for line in self.lines[seen:]:
                        if found := regex.search(line):
                            return found
                    seen = len(self.lines)
                    if self.ended:
                        raise AssertionError(f"ended without a line matching {pattern!r}:\n{self.tail()}")
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"no line matching {pattern!r} within {within} s:\n{self.tail()}") from None

    def matching(self, pattern: str) -> list[str]:
        regex = re.compile(pattern)
        return [line for line in self.lines if regex.search(line)]

    def tail(self, count: int = 40) -> str:
        return "\n".join(self.lines[-count:])

    async def finish(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._reading), 2)
        self._reading.cancel()


@dataclass
class Service:
    """One process this harness started, the leader of a process group of its own (a replica's markup workers
    are in it too: a replica killed with SIGKILL leaves them behind, and they are ended with the group)."""

    name: str
    process: asyncio.subprocess.Process
    output: Output

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def send(self, sig: int) -> None:
        """`sig` to the process itself (not its group)."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(sig)

    async def exited(self, within: float = STOP_SECONDS) -> int:
        """Its exit status, once it has exited (whatever still holds its output open: `process.wait()` waits
        for that too)."""
        await eventually(lambda: self.process.returncode is not None, within)
        code = self.process.returncode
        assert code is not None
        return code

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the process, wait for it (SIGKILL after STOP_SECONDS), end what is left of its group; its exit
        status."""
        if self.running:
            self.send(sig)
            try:
                await self.exited()
            except TimeoutError:
                self.send(signal.SIGKILL)
                await self.exited()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
        await self.output.finish()
        code = self.process.returncode
        assert code is not None
        return code


async def start_service(
    name: str, argv: Sequence[str], env: Mapping[str, str], started: list[Service], ready: str | None = None
) -> tuple[Service, re.Match[str] | None]:
    """Start `argv`; it joins `started` at once (so it is stopped even if it never gets ready); returns once
    its output matched `ready`, when given."""
    process = await asyncio.create_subprocess_exec(
        *argv, env=dict(env), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True
    )
    assert process.stdout is not None
    service = Service(name, process, Output(process.stdout))
    started.append(service)
    found = None if ready is None else await service.output.wait_for(ready, START_SECONDS)
    return service, found


async def wait_listening(port: int, service: Service) -> None:
    """Until something accepts connections on `port` (bounded), failing early if `service` ended."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        if not service.running:
            raise AssertionError(f"{service.name} exited ({service.process.returncode}):\n{service.output.tail()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"{service.name} not listening on {port}:\n{service.output.tail()}") from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


# ---------------------------------------------------------------- Redis


def _resp(*args: str) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


async def _read_reply(reader: asyncio.StreamReader) -> object:
    line = (await reader.readline()).rstrip(b"\r\n")
    kind, rest = line[:1], line[1:]
    if kind in (b"+", b"-"):
        return rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        return (await reader.readexactly(size + 2))[:-2].decode()
    if kind == b"*":
        return [await _read_reply(reader) for _ in range(int(rest))]
    raise AssertionError(f"not a Redis reply: {line!r}")


class Monitor:
    """A raw connection in MONITOR mode: every command Redis runs, as it printed it, kept."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.data = bytearray()
        self._writer = writer
        self._reading = asyncio.create_task(self._read(reader))

    @classmethod
    async def open(cls, port: int) -> Monitor:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_resp("MONITOR"))
        await writer.drain()
        assert await _read_reply(reader) == "OK"
        return cls(reader, writer)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                self.data += chunk

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._reading, 2)
        self._reading.cancel()


class Redis:
    """redis-server on a port of its own, with a MONITOR connection for as long as it runs; it can be stopped and
    started again on the same port (what an outage looks like to the replicas)."""

    def __init__(self, directory: Path) -> None:
        assert REDIS_SERVER is not None
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.services: list[Service] = []
        self.monitors: list[Monitor] = []
        self.service: Service | None = None

    async def start(self) -> None:
        assert REDIS_SERVER is not None
        self.directory.mkdir(exist_ok=True)
        argv = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        argv += ["--dir", str(self.directory), "--daemonize", "no"]
        self.service, _ = await start_service("redis-server", argv, os.environ, self.services)
        await self.service.output.wait_for("Ready to accept connections", START_SECONDS)
        self.monitors.append(await Monitor.open(self.port))

    async def stop(self) -> None:
        for monitor in self.monitors:
            await monitor.close()
        if self.service is not None:
            await self.service.stop()
            self.service = None

    @property
    def captured(self) -> bytes:
        """What MONITOR saw, over every start of this server."""
        return b"".join(bytes(m.data) for m in self.monitors)

    async def keys(self, pattern: str = "*") -> list[str]:
        found = await self.command("KEYS", pattern)
        assert isinstance(found, list)
        return sorted(str(k) for k in found)

    async def command(self, *args: str) -> object:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(_resp(*args))
            await writer.drain()
            return await _read_reply(reader)
        finally:
            writer.close()


# ---------------------------------------------------------------- passthrough replicas


@dataclass
class Replica:
    name: str  # HAProxy's name for it
    service: Service
    url: str
    node: str
    peer: str  # where the other replicas reach it

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def replica_env(jira: FakeJira, redis_url: str | None, **extra: str) -> dict[str, str]:
    """`passthrough serve`'s environment: this machine's, with no passthrough or provider setting of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PASSTHROUGH_", "JIRA_", "CONFLUENCE_", "OPENPROJECT_", "CLICKUP_"))
    }
    assert jira.url is not None
    env |= {"JIRA_URL": jira.url, "JIRA_DEPLOYMENT": jira.deployment, "PASSTHROUGH_LOG_FORMAT": "text"}
    env |= {"PASSTHROUGH_LOG_LEVEL": "INFO", "PASSTHROUGH_PEER_PORT": "0"}
    if redis_url is not None:
        env["PASSTHROUGH_REDIS_URL"] = redis_url
    return env | extra


async def start_replica(name: str, env: Mapping[str, str], started: list[Service]) -> Replica:
    argv = [sys.executable, "-m", "passthrough", "serve", "--host", "127.0.0.1", "--port", "0"]
    service, found = await start_service(f"replica {name}", argv, env, started, ready=LISTENING)
    assert found is not None
    node = await service.output.wait_for(NODE_LINE, 1)
    return Replica(name, service, found.group(1), node.group(1), node.group(2))


# ---------------------------------------------------------------- HAProxy

_HAPROXY_CONFIG = """\
global
    log stdout format raw local0 info
    maxconn 4096

defaults
    mode http
    log global
    log-format "route %s %ST %[capture.req.hdr(0)] %{{+Q}}r"
    # every request balanced on its own: the connection to a replica closes after each answer
    option http-server-close
    # event streams: each event sent as it comes (without this HAProxy holds small writes back ~200 ms)
    option http-no-delay
    # a connection that failed is tried again elsewhere; a request that reached a replica never is
    retries 3
    retry-on conn-failure
    option redispatch 1
    timeout connect 1s
    timeout client 5m
    timeout server 5m
    timeout tunnel 1h
    timeout http-request 10s
    timeout queue 10s

frontend front
    bind 127.0.0.1:{port}
    http-request capture req.hdr(Mcp-Session-Id) len 40
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    default-server inter 300ms fastinter 200ms downinter 500ms fall 2 rise 2
{servers}
"""

_ROUTE = re.compile(r'^route (\S+) (-?\d+) (\S+) "(\S+) (\S+)')
_SESSION_QUERY = re.compile(r"[?&]session_id=([0-9a-fA-F]{40})")


@dataclass(frozen=True)
class Route:
    """One request as HAProxy logged it: the replica it chose, the answer's status, the session it named."""

    server: str
    status: int
    method: str
    path: str
    session: str | None


class Balancer:
    """HAProxy in round-robin over the replicas, no stickiness."""

    def __init__(self, directory: Path, replicas: Iterable[Replica]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check" for r in replicas)
        self.config = directory / "haproxy.cfg"
        self.config.write_text(_HAPROXY_CONFIG.format(port=self.port, servers=servers))
        self.services: list[Service] = []
        self.service: Service | None = None

    async def start(self) -> None:
        assert HAPROXY is not None
        self.service, _ = await start_service("haproxy", [HAPROXY, "-db", "-f", str(self.config)], {}, self.services)
        await wait_listening(self.port, self.service)

    async def stop(self) -> None:
        for service in self.services:
            await service.stop()

    def routes(self) -> list[Route]:
        """Every request logged so far (HAProxy logs one when its answer has ended)."""
        assert self.service is not None
        found: list[Route] = []
        for line in self.service.output.lines:
            if (m := _ROUTE.match(line)) is None:
                continue
            server, status, captured, method, target = m.groups()
            session = captured if re.fullmatch(r"[0-9a-fA-F]{40}", captured) else None
            if session is None and (q := _SESSION_QUERY.search(target)):
                session = q.group(1)
            found.append(Route(server, int(status), method, target.split("?", 1)[0], session))
        return found


# ---------------------------------------------------------------- the whole


@dataclass
class Cluster:
    redis: Redis
    replicas: list[Replica]
    balancer: Balancer
    env: dict[str, str]
    started: list[Service] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.balancer.url

    def by_node(self, node: str) -> Replica:
        return next(r for r in self.replicas if r.node == node)

    def by_name(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def outputs(self) -> str:
        return "\n".join(line for r in self.replicas for line in r.service.output.lines)

    async def wait_balanced(self, names: Iterable[str]) -> None:
        """Until HAProxy has seen each of `names` answer its health check (bounded)."""
        wanted = set(names)
        async with httpx.AsyncClient(timeout=5) as http:
            deadline = time.monotonic() + START_SECONDS
            seen: set[str] = set()
            while not wanted <= seen:
                assert time.monotonic() < deadline, f"HAProxy never reached {wanted - seen}"
                node = (await http.get(self.url + "/healthz")).json()["cluster"]["node"]
                seen |= {r.name for r in self.replicas if r.node == node}


@asynccontextmanager
async def cluster(directory: Path, jira: FakeJira, replicas: int = 3, **extra: str) -> AsyncIterator[Cluster]:
    """redis-server, `replicas` passthrough processes using it, HAProxy in front; all stopped at the end."""
    async with AsyncExitStack() as stack:
        redis = Redis(directory / "redis")
        stack.push_async_callback(redis.stop)
        await redis.start()
        env = replica_env(jira, redis.url, **extra)
        started: list[Service] = []

        async def stop_replicas() -> None:
            await asyncio.gather(*(s.stop() for s in started))

        stack.push_async_callback(stop_replicas)
        nodes = list(await asyncio.gather(*(start_replica(f"r{i}", env, started) for i in range(replicas))))
        balancer = Balancer(directory, nodes)
        stack.push_async_callback(balancer.stop)
        await balancer.start()
        found = Cluster(redis, nodes, balancer, env, started)
        await found.wait_balanced(r.name for r in nodes)
        yield found


# ---------------------------------------------------------------- users and secrets


def cluster_users(count: int, tag: str) -> list[JiraUser]:
    """`count` Jira users with tokens of their own (random per run, so a token found anywhere is this run's)."""
    salt = os.urandom(6).hex()
    return [
        JiraUser(
            name=f"{tag}{i:02d}",
            display_name=f"{tag.title()} User {i:02d}",
            email=f"{tag}{i:02d}@example.com",
            account_id=f"acc-{tag}-{i:02d}",
            token=f"{tag}-{i:02d}-{salt}-token",
        )
        for i in range(count)
    ]


def secret_forms(users: Iterable[JiraUser], keys: Iterable[str] = ()) -> list[bytes]:
    """Every form a credential could take on the way: the token itself, Basic's base64 of user:token (by
    e-mail and by name) and of the token alone, the API keys; and the schemes' own words."""
    forms = [b"Bearer", b"Basic"]
    for user in users:
        forms.append(user.token.encode())
        for plain in (f"{user.email}:{user.token}", f"{user.name}:{user.token}", user.token):
            forms.append(base64.b64encode(plain.encode()))
    forms += [key.encode() for key in keys]
    return forms


def leaked(haystack: bytes, forms: Iterable[bytes]) -> list[str]:
    """The forms found in `haystack` (shown shortened: never a whole secret in a failure message)."""
    lowered = haystack.lower()
    return [f"{f[:6].decode()}…" for f in forms if f.lower() in lowered]
