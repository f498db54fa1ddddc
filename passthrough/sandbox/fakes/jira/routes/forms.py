"""The fake Jira's ProForma forms."""

from __future__ import annotations
