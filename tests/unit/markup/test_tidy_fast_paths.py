"""`tidy`'s shortcuts: a tidied list is given back as it is, and single-spaced text is not collapsed again.

Both hold only if (1) tidying a tidied list changes nothing, and (2) collapsing white space leaves text that
passes `_single_spaced` unchanged. (1) is checked on random inline trees, (2) on every code point.
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from passthrough.markup._model import (
    Code,
    Emph,
    HardBreak,
    Inline,
    Link,
    SoftBreak,
    Strike,
    Strong,
    Text,
    Tidied,
    _single_spaced,
    tidy,
)

_WHITESPACE = re.compile(r"\s+")
_TEXTS = ["a", "b c", " ", "  ", "\n", "\t", "\u00a0", "x\ny", "\r\n", " z ", "", "\u2028", "w  v"]


def _tree(rng: random.Random, depth: int = 0) -> list[Inline]:
    nodes: list[Inline] = []
    for _ in range(rng.randint(0, 5)):
        k = rng.random()
        if k < 0.45 or depth > 3:
            nodes.append(Text(rng.choice(_TEXTS)))
        elif k < 0.55:
            nodes.append(HardBreak() if rng.random() < 0.5 else SoftBreak())
        elif k < 0.62:
            nodes.append(Code(rng.choice(_TEXTS)))
        elif k < 0.8:
            children = _tree(rng, depth + 1)
            spans: list[Inline] = [Strong(children), Emph(children), Strike(children)]
            nodes.append(rng.choice(spans))
        else:
            nodes.append(Link(rng.choice(["http://a", "", " "]), _tree(rng, depth + 1), rng.choice(["", "t"])))
    return nodes


@pytest.mark.parametrize("collapse", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_tidying_a_tidied_list_changes_nothing(seed: int, collapse: bool) -> None:
    rng = random.Random(seed)
    for _ in range(3_000):
        once = tidy(_tree(rng), collapse=collapse)
        assert type(once) is Tidied
        assert tidy(list(once)) == once  # the full path, on a plain copy: what the shortcut stands for
        assert tidy(once) is once


def test_a_rebuilt_list_is_tidied_again() -> None:
    once = tidy([Text(" a "), Text("b ")])
    rebuilt = [*once, Text("  c  ")]
    assert tidy(rebuilt) == [Text("a b  c")]


def test_single_spaced_text_is_what_collapsing_gives_back_for_every_code_point() -> None:
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        if _single_spaced(f"a{char}b"):
            assert _WHITESPACE.sub(" ", f"a{char}b") == f"a{char}b", hex(point)
    assert not _single_spaced("a  b") and not _single_spaced("a\tb") and not _single_spaced("a\u00a0b")
    assert _single_spaced("a b c")
