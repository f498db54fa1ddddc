"""HTTP: the aiohttp layer where requests come in and credentials are read."""

from passthrough.http._runner import Listening, listen
from passthrough.http.app import build_app

__all__ = ["Listening", "build_app", "listen"]
