"""Providers: typed clients for each upstream product over one shared, pooled HTTP client each."""

from passthrough.providers._client import ProviderClient
from passthrough.providers._upstream import LABELS, Answer, SessionFactory, Upstream

__all__ = ["LABELS", "Answer", "ProviderClient", "SessionFactory", "Upstream"]
