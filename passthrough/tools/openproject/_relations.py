"""OpenProject tools for relations, parent and children, deleting a work package, its activities."""

from __future__ import annotations
