"""HTTP: the aiohttp layer where requests come in and credentials are read."""

from passthrough.http.app import build_app

__all__ = ["build_app"]
