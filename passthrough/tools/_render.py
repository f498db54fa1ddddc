"""Rendering every provider's tools share: picking fields out of upstream JSON, and the who-am-I answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passthrough.tools._spec import ToolResult


def pick(source: Any, **keys: str) -> dict[str, Any]:
    """The fields a tool shows, under the names it shows them: `pick(me, email="emailAddress")`.

    A field the upstream left out, or a source that is not an object, gives None."""
    found = source if isinstance(source, Mapping) else {}
    return {name: found.get(key) for name, key in keys.items()}


def present(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` without its None values, for structured content."""
    return {k: v for k, v in data.items() if v is not None}


def signed_in(product: str, base_url: str, name: str, data: Mapping[str, Any], *, email: bool) -> ToolResult:
    """ "Signed in to <product> (<url>) as <name>[ <email>], account id … | username …" with `data` structured."""
    text = f"Signed in to {product} ({base_url}) as {name}"
    if email and data.get("email"):
        text += f" <{data['email']}>"
    ident = data.get("account_id") or data.get("username")
    if ident:
        text += f", {'account id' if data.get('account_id') else 'username'} {ident}"
    return ToolResult(text + ".", present(data))
