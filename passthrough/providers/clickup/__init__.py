from passthrough.providers.clickup._client import API, ClickUpClient

__all__ = ["API", "ClickUpClient"]
