"""Jira tools for ProForma forms: the forms on an issue, one form's questions and answers, saving answers."""

from __future__ import annotations
