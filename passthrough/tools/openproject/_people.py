"""OpenProject tools for users, groups, watchers, memberships and roles."""

from __future__ import annotations
