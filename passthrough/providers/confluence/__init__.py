from passthrough.providers.confluence._client import ConfluenceClient, Listing, Page, VersionConflict

__all__ = ["ConfluenceClient", "Listing", "Page", "VersionConflict"]
