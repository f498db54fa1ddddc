"""Bounds on text: what a client may send, what is read from an upstream, and where it runs."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest

from passthrough import markup
from passthrough.errors import InvalidArguments
from passthrough.markup import (
    INLINE_LIMIT,
    MAX_CLIENT_CHARS,
    MAX_DEPTH,
    MAX_UPSTREAM_CHARS,
    POOL_WORKERS,
    ConversionFailed,
    NestingTooDeep,
    TextTooLong,
    TooComplex,
    adf_to_markdown,
    convert,
    free_slots,
    markdown_to_adf,
    markdown_to_storage,
    markdown_to_wiki,
    storage_to_markdown,
    wiki_to_markdown,
)
from passthrough.markup._limits import FLATTENED_NOTE, TRUNCATED_NOTE
from tests.unit.markup import _workers

WRITERS = [markdown_to_adf, markdown_to_wiki, markdown_to_storage]


def _text(words: str) -> dict[str, str]:
    return {"type": "text", "text": words}


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
async def test_text_over_the_limit_is_refused_naming_the_limit(writer: Any) -> None:
    with pytest.raises(TextTooLong) as caught:
        await convert(writer, "a" * (MAX_CLIENT_CHARS + 1))
    assert isinstance(caught.value, InvalidArguments)
    assert f"{MAX_CLIENT_CHARS:,} characters" in str(caught.value)
    assert f"{MAX_CLIENT_CHARS + 1:,}" in str(caught.value)
    # exactly at the limit is fine
    assert await convert(writer, "a" * MAX_CLIENT_CHARS)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "text",
    [
        "> " * (MAX_DEPTH + 5) + "deep",
        "".join("  " * i + "- x\n" for i in range(MAX_DEPTH + 5)),
        "*" * 150 + "a" + "*" * 150,
    ],
    ids=["quotes", "lists", "emphasis"],
)
async def test_nesting_beyond_the_cap_is_refused_not_flattened(writer: Any, text: str) -> None:
    with pytest.raises((NestingTooDeep, TooComplex)) as caught:
        await convert(writer, text)
    if isinstance(caught.value, NestingTooDeep):
        assert f"{MAX_DEPTH} levels" in str(caught.value)
    # the plain function still gives a result (for callers that want one regardless)
    writer(text)


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
async def test_nesting_within_the_cap_is_kept(writer: Any) -> None:
    text = "> " * 10 + "quoted\n\n" + "".join("  " * i + "- item\n" for i in range(8))
    converted = str(await convert(writer, text))
    assert "quoted" in converted and "item" in converted


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
async def test_markdown_that_would_take_too_long_to_parse_is_refused(writer: Any) -> None:
    # forty quotes deep with thousands of lazy lines: linear, but ~100x the steps of prose
    text = "> " * 40 + "x\n" * 5_000
    started = time.perf_counter()
    with pytest.raises(TooComplex) as caught:
        await convert(writer, text)
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert "parsing steps" in message and f"{len(text):,} characters" in message


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "text",
    [
        "- a list item with some words in it\n" * 3_000,
        "| a | b |\n|---|---|\n" + "| x | y |\n" * 6_000,
        "# Heading\n\nA paragraph of prose with **bold**, `code` and a [link](http://x.y).\n\n" * 1_500,
        "- [ ] a task to do\n" * 3_000,
    ],
    ids=["list", "table", "prose", "tasks"],
)
async def test_ordinary_documents_of_this_size_are_within_the_step_budget(writer: Any, text: str) -> None:
    assert len(text) > 50_000
    assert await convert(writer, text)


def test_upstream_content_is_cut_with_a_note() -> None:
    words = "word " * (MAX_UPSTREAM_CHARS // 5 + 50_000)
    for read in (
        wiki_to_markdown(words),
        storage_to_markdown(f"<p>{words}</p>"),
        adf_to_markdown({"type": "doc", "content": [{"type": "paragraph", "content": [_text(words)]}]}),
    ):
        assert read.endswith(TRUNCATED_NOTE)
        assert len(read) <= MAX_UPSTREAM_CHARS + len(TRUNCATED_NOTE) + 10
        assert read.startswith("word word")


def test_upstream_content_within_the_limit_has_no_note() -> None:
    assert wiki_to_markdown("just *this*") == "just **this**"
    assert TRUNCATED_NOTE not in storage_to_markdown("<p>" + "w " * 10_000 + "</p>")


def test_deep_upstream_content_is_flattened_with_a_note() -> None:
    node: dict[str, Any] = {"type": "paragraph", "content": [{"type": "text", "text": "innermost"}]}
    for _ in range(MAX_DEPTH + 10):
        node = {"type": "blockquote", "content": [node]}
    read = adf_to_markdown({"type": "doc", "content": [node]})
    assert "innermost" in read and read.endswith(FLATTENED_NOTE)
    wiki = "*" * (MAX_DEPTH + 10) + " innermost"
    read = wiki_to_markdown(wiki)
    assert "innermost" in read and read.endswith(FLATTENED_NOTE)
    storage = "<blockquote>" * (MAX_DEPTH + 10) + "<p>innermost</p>" + "</blockquote>" * (MAX_DEPTH + 10)
    read = storage_to_markdown(storage)
    assert "innermost" in read and read.endswith(FLATTENED_NOTE)


async def test_small_conversions_run_inline_and_large_ones_in_a_worker_process() -> None:
    assert await convert(_workers.pid, "a" * INLINE_LIMIT) == os.getpid()
    worker = await convert(_workers.pid, "a" * (INLINE_LIMIT + 1))
    assert worker != os.getpid()
    # ADF from an upstream is measured by the text inside it
    big = {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x" * 20_000}]}]}
    assert (await convert(adf_to_markdown, big)).startswith("xxx")


@pytest.mark.parametrize("writer", WRITERS, ids=lambda f: f.__name__)
async def test_limits_reached_in_a_worker_arrive_whole(writer: Any) -> None:
    padding = "\n\n" + "word " * INLINE_LIMIT
    with pytest.raises(NestingTooDeep) as deep:
        await convert(writer, "> " * (MAX_DEPTH + 5) + "deep" + padding)
    assert f"{MAX_DEPTH} levels" in str(deep.value) and deep.value.limit == MAX_DEPTH
    text = "> " * 40 + "x\n" * 20_000
    with pytest.raises(TooComplex) as complex_:
        await convert(writer, text)
    assert f"{len(text):,} characters" in str(complex_.value) and complex_.value.length == len(text)


async def test_the_loop_keeps_running_during_a_large_conversion() -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await convert(markdown_to_adf, "a\n" * 100_000)
    took = time.perf_counter() - started
    stop.set()
    await task
    assert took > 0.1  # a conversion long enough to matter
    # the loop is not even competing for the GIL: it ticks about as often as when idle
    assert ticks >= took / 0.005 / 2, f"only {ticks} ticks in {took:.2f} s"


def _started(folder: Path) -> int:
    return sum(1 for _ in os.scandir(folder) if _.name.startswith("started-"))


async def test_a_cancelled_conversion_releases_its_slot_and_waiters_do_not_pile_up(tmp_path: Path) -> None:
    big = f"{tmp_path}\n" + "a" * (INLINE_LIMIT + 1)
    running = [asyncio.create_task(convert(_workers.hold, big)) for _ in range(POOL_WORKERS)]
    for _ in range(500):
        if _started(tmp_path) == POOL_WORKERS:
            break
        await asyncio.sleep(0.01)
    assert _started(tmp_path) == POOL_WORKERS
    assert free_slots() == 0
    waiting = [asyncio.create_task(convert(_workers.hold, big)) for _ in range(20)]
    await asyncio.sleep(0.05)
    for task in [*running, *waiting]:
        task.cancel()
    results = await asyncio.gather(*running, *waiting, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    # the workers are still busy with what they had started; nothing else was queued
    assert free_slots() == 0
    assert markup._pool is not None and len(markup._pool._pending_work_items) == POOL_WORKERS
    os.close(os.open(tmp_path / "go", os.O_CREAT))
    for _ in range(200):
        if free_slots() == POOL_WORKERS:
            break
        await asyncio.sleep(0.02)
    assert free_slots() == POOL_WORKERS
    assert len(markup._pool._pending_work_items) == 0
    assert _started(tmp_path) == POOL_WORKERS  # none of the 20 ever ran
    # and the pool works afterwards
    assert "a" in await convert(markdown_to_wiki, big)


async def test_a_worker_that_dies_fails_its_call_and_the_next_call_gets_a_new_pool() -> None:
    with pytest.raises(ConversionFailed) as caught:
        await convert(_workers.die, "a" * (INLINE_LIMIT + 1))
    assert "stopped unexpectedly" in str(caught.value)
    assert free_slots() == POOL_WORKERS
    assert "*bold*" in await convert(markdown_to_wiki, "**bold** " * INLINE_LIMIT)
