from passthrough.providers.openproject._client import OpenProjectClient, elements, href_id

__all__ = ["OpenProjectClient", "elements", "href_id"]
