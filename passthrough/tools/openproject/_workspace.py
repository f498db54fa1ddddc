"""OpenProject tools for projects, the instance, priorities, notifications, queries, boards, documents, search."""

from __future__ import annotations
