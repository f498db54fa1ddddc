"""Users driving the MCP Python SDK through the balancer, each call's answer checked, recovering as a client should.

A client runs its planned calls one session after another. When a session's replica is gone the server
answers 404 and nothing ran: the client initializes again and sends that call again. When the answer was
lost on the way (a 502, a stream cut, no answer at all) the call may or may not have run: the client
initializes again and goes on with the next call, never repeating that one. The outcome says which calls
were answered, which were lost, and which were sent again after a 404, so that a test can hold the upstream's
record against it: each write's marker seen at most once, and exactly once when its answer came.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from mcp import Client, MCPError
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e._clients import text_of
from tests.fakes import FakeJira, JiraUser

GONE = ("Session not found", "Session terminated")  # 404: the session is gone and nothing ran
MAX_SESSIONS = 8  # initializations one client may need before it counts as not recovering


@dataclass(frozen=True)
class Call:
    tool: str
    arguments: dict[str, Any]
    expect: str  # the answer's text must contain this
    marker: str | None = None  # a write's unique comment body


def plan(index: int, user: JiraUser, count: int, label: str | None = None) -> list[Call]:
    """`count` calls for `user`: who am I (the answer names the user), an issue read, a comment with a marker of
    its own (`label` and the call's number), in turn."""
    calls: list[Call] = []
    for j in range(count):
        key = f"DEMO-{(index + j) % 25 + 1}"
        if j % 3 == 0:
            calls.append(Call("jira_get_myself", {}, f"as {user.display_name}"))
        elif j % 3 == 1:
            calls.append(Call("jira_get_issue", {"issue_key": key, "comment_limit": 0}, f"# {key}:"))
        else:
            marker = f"{label or user.name}-c{j:02d}"
            calls.append(Call("jira_add_comment", {"issue_key": key, "body": marker}, f"to {key}.", marker))
    return calls


@dataclass
class Outcome:
    identity: str  # whom the upstream must see for every request of this client
    transport: str
    calls: list[Call]
    answered: dict[int, float] = field(default_factory=dict)  # call index -> when (monotonic)
    lost: dict[int, str] = field(default_factory=dict)  # call index -> what the client saw instead
    gone: list[tuple[int, float]] = field(default_factory=list)  # a 404'd call, and how long its answer took
    sessions: list[str] = field(default_factory=list)  # every session id it was given, in order
    opened: int = 0  # initializations (one per session)
    problems: list[str] = field(default_factory=list)  # anything a client must never see
    broken: list[str] = field(default_factory=list)  # how each session that did not end well ended

    @property
    def finished(self) -> bool:
        return len(self.answered) + len(self.lost) == len(self.calls)


@asynccontextmanager
async def open_client(url: str, transport: str, headers: dict[str, str], sessions: list[str]) -> AsyncIterator[Client]:
    """The SDK client as tests/e2e/_clients.py opens it, noting each session id it is given."""
    if transport == "sse":
        stream = sse_client(url + "/sse", headers=headers, on_session_created=sessions.append)
        async with Client(stream, mode="legacy", cache=None) as client:
            yield client
        return

    async def note(response: httpx2.Response) -> None:
        found = response.headers.get("mcp-session-id")
        if found and found not in sessions:
            sessions.append(found)

    hooks: dict[str, list[Any]] = {"response": [note]}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0), event_hooks=hooks) as http:
        async with Client(streamable_http_client(url + "/mcp", http_client=http), mode=transport, cache=None) as client:
            yield client


async def _attempt(client: Client, call: Call, seconds: float) -> tuple[str, str]:
    """("answered", text), ("gone", why) for a 404, ("lost", what happened) for an answer that never came."""
    try:
        with anyio.fail_after(seconds):
            result = await client.call_tool(call.tool, call.arguments)
    except MCPError as exc:
        text = str(exc)
        return ("gone" if any(word in text for word in GONE) else "lost"), text
    except Exception as exc:
        return "lost", f"{type(exc).__name__}: {exc}"
    text = text_of(result)
    if result.is_error:
        return "error", text
    return "answered", text


async def run_client(
    url: str,
    headers: dict[str, str],
    outcome: Outcome,
    *,
    call_seconds: float,
    pause: float = 0.0,
    before: Callable[[int], Awaitable[None]] | None = None,
    on_answer: Callable[[], None] | None = None,
) -> Outcome:
    """Run `outcome.calls` one at a time over `outcome.transport`, initializing again whenever a session is gone
    or an answer was lost; `outcome` fills as it goes (a test may look at it meanwhile), and is returned.

    `call_seconds`: how long an answer may take before it counts as lost; `pause`: seconds between calls (an
    agent thinking); `before(index)` is awaited before call `index` is sent (a test holds a client there);
    `on_answer()` after each answer."""
    calls, transport = outcome.calls, outcome.transport
    todo = list(range(len(calls)))
    while todo:
        if outcome.opened >= MAX_SESSIONS:
            outcome.problems.append(f"still not done after {MAX_SESSIONS} sessions; {len(todo)} calls left")
            break
        if outcome.opened:
            await asyncio.sleep(0.05)  # the balancer's health checks catch up
        outcome.opened += 1
        inflight: int | None = None
        try:
            async with open_client(url, transport, headers, outcome.sessions) as client:
                while todo:
                    index = todo[0]
                    if before is not None:
                        await before(index)
                    inflight = index
                    sent = time.monotonic()
                    kind, text = await _attempt(client, calls[index], call_seconds)
                    inflight = None
                    if kind == "gone":
                        outcome.gone.append((index, time.monotonic() - sent))
                        break  # nothing ran: the same call again, on a new session
                    todo.pop(0)
                    if kind == "lost":
                        outcome.lost[index] = text
                        break
                    if kind == "error" or calls[index].expect not in text:
                        outcome.problems.append(f"call {index} {calls[index].tool}: {text[:200]!r}")
                    outcome.answered[index] = time.monotonic()
                    if on_answer is not None:
                        on_answer()
                    if pause:
                        await asyncio.sleep(pause)
        except Exception as exc:  # the client's own task groups end with what broke them
            why = described(exc)
            outcome.broken.append(why)
            if inflight is not None:
                todo.remove(inflight)
                outcome.lost[inflight] = why
    return outcome


def described(exc: BaseException) -> str:
    """What broke, through the exception groups the SDK's task groups wrap it in."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"[:300]


def comments(fake: FakeJira) -> list[tuple[str, str | None]]:
    """(marker, identity) for every comment the fake received."""
    found: list[tuple[str, str | None]] = []
    for request in fake.requests:
        if request.method == "POST" and request.path.endswith("/comment"):
            body = request.json
            if isinstance(body, dict) and isinstance(body.get("body"), str):
                found.append((body["body"], request.identity))
    return found


def ran_at_most_once(fake: FakeJira, outcomes: Sequence[Outcome]) -> list[str]:
    """What contradicts "no call ran twice, every answered call ran": each marker upstream at most once, with
    its own user; every answered write's marker exactly once; per user, between the answered calls and the
    answered-or-lost ones upstream (a call answered 404 and sent again ran once)."""
    problems: list[str] = []
    seen: dict[str, list[str | None]] = {}
    for marker, identity in comments(fake):
        seen.setdefault(marker, []).append(identity)
    owner = {c.marker: o.identity for o in outcomes for c in o.calls if c.marker is not None}
    for marker, identities in seen.items():
        if len(identities) > 1:
            problems.append(f"{marker} ran {len(identities)} times")
        if marker in owner and set(identities) != {owner[marker]}:
            problems.append(f"{marker} ran as {identities}, not {owner[marker]}")
    for outcome in outcomes:
        for index in outcome.answered:
            wrote = outcome.calls[index].marker
            if wrote is not None and wrote not in seen:
                problems.append(f"{wrote} was answered but never reached the upstream")
    by_identity: dict[str | None, int] = {}
    for request in fake.requests:
        by_identity[request.identity] = by_identity.get(request.identity, 0) + 1
    totals: dict[str, list[int]] = {}
    for outcome in outcomes:
        low, high = totals.setdefault(outcome.identity, [0, 0])
        totals[outcome.identity] = [low + len(outcome.answered), high + len(outcome.answered) + len(outcome.lost)]
    for identity, (low, high) in totals.items():
        upstream = by_identity.pop(identity, 0)
        if not low <= upstream <= high:
            problems.append(f"{identity}: {upstream} upstream requests for {low} answered and {high - low} lost calls")
    if by_identity:
        problems.append(f"upstream requests by nobody's client: {by_identity}")
    return problems
