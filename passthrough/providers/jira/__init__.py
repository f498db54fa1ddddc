from passthrough.providers.jira._client import JiraClient, SearchPage, segment

__all__ = ["JiraClient", "SearchPage", "segment"]
