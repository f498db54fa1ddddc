"""The fake Jira of the tests (tests/fakes), served in its own process for the benchmarks.

    python bench/_fake.py [--port N] [--delay SECONDS]

Prints ``FAKE_URL http://127.0.0.1:PORT {json}`` on stdout once it accepts connections; the JSON is about
two more fakes in the same process for the render-heavy figures, a Jira Cloud
whose ``DEMO-1`` has a 5 KB ADF description and a Confluence Server/DC with one 20 KB storage page
(their URLs, the page id and the body sizes). Then it answers one-line
commands on stdin with one JSON line on stdout:

* ``reset`` forgets what it counted;
* ``stats`` returns, since the last reset: ``connections`` (distinct client (host, port) pairs seen), ``opened``
  (connections whose first request came after the reset: new TCP connections, where ``connections`` also
  counts pooled ones reused), ``requests``, ``paths`` ({path: count}) and ``examples`` ({path: first raw path
  with query}).

It exits when stdin closes (so it never outlives the benchmark) or on SIGTERM/SIGINT. The connection counts
come from a response hook reading each request's transport and ``peername``; the fake itself is not
modified. Its request log is bounded here (the tests keep every request; a benchmark would grow it without end).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import signal
import sys
import weakref
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bodies import adf_description, storage_page
from _common import HOST, USERS

from tests.fakes import ConfluenceUser, FakeConfluence, FakeJira, FakeUpstream, JiraUser


class Counter:
    def __init__(self) -> None:
        self.peers: set[tuple[str, int]] = set()
        self.requests = 0
        self.paths: collections.Counter[str] = collections.Counter()
        self.examples: dict[str, str] = {}  # path -> the first raw path-with-query seen for it
        # Connections (transports) that have sent a request at any time; dead ones drop out by themselves, so a
        # later connection on a reused port is still new. "opened" counts connections first seen since the reset.
        self.known: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()
        self.opened = 0

    def reset(self) -> None:
        self.opened = 0
        self.peers.clear()
        self.requests = 0
        self.paths.clear()
        self.examples.clear()

    async def on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        transport = request.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        if peer is not None:
            self.peers.add((peer[0], peer[1]))
        if transport is not None and transport not in self.known:
            self.known.add(transport)
            self.opened += 1
        self.requests += 1
        path = request.path if (request.path in self.paths or len(self.paths) < 64) else "(other)"
        self.paths[path] += 1
        self.examples.setdefault(path, request.raw_path)

    def stats(self) -> dict[str, object]:
        return {
            "connections": len(self.peers),
            "opened": self.opened,
            "requests": self.requests,
            "paths": dict(self.paths),
            "examples": self.examples,
        }


async def _commands(fakes: list[FakeUpstream], counter: Counter, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while not stop.is_set():
        line = await reader.readline()
        if not line:  # the benchmark went away
            break
        command = line.decode().strip()
        if command == "reset":
            counter.reset()
            # Every authenticated answer mints a JSESSIONID; clients that drop cookies leave them behind.
            for fake in fakes:
                fake.sessions.clear()
            reply: dict[str, object] = {"ok": True}
        elif command == "stats":
            reply = counter.stats()
        else:
            reply = {"error": f"unknown command {command!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    stop.set()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds the fake waits before each answer")
    args = parser.parse_args()

    users = [
        JiraUser(
            name=u.name,
            display_name=f"Bench {u.name}",
            email=f"{u.name}@example.com",
            account_id=f"acc-{u.name}",
            token=u.token,
        )
        for u in USERS
    ]
    fake = FakeJira("server", users)
    cloud = FakeJira("cloud", users)
    description = adf_description()
    cloud.issues["DEMO-1"]["description"] = description
    wiki = FakeConfluence(
        "server",
        [ConfluenceUser(u.name, f"Bench {u.name}", f"{u.name}@example.com", f"acc-{u.name}", u.token) for u in USERS],
    )
    page_id = next(iter(wiki.pages))
    wiki.pages[page_id]["body"] = storage_page()
    counter = Counter()
    runners = []
    for one, port in ((fake, args.port), (cloud, 0), (wiki, 0)):
        one.delay = args.delay
        one.requests = collections.deque(maxlen=256)  # type: ignore[assignment]
        one.app.on_response_prepare.append(counter.on_prepare)
        runner = web.AppRunner(one.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port, backlog=1024)
        await site.start()
        one.url = f"http://{HOST}:{runner.addresses[0][1]}"
        runners.append(runner)
    render = {
        "jira_cloud": cloud.url,
        "confluence": wiki.url,
        "page_id": page_id,
        "adf_bytes": len(json.dumps(description, separators=(",", ":"))),
        "storage_bytes": len(wiki.pages[page_id]["body"].encode()),
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sys.stdout.write(f"FAKE_URL {fake.url} {json.dumps(render)}\n")  # one line: the reader selects per line
    sys.stdout.flush()
    commands = asyncio.create_task(_commands([fake, cloud, wiki], counter, stop))
    try:
        await stop.wait()
    finally:
        commands.cancel()
        for runner in runners:
            await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
