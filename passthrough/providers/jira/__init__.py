from passthrough.providers.jira._client import JiraClient, SearchPage

__all__ = ["JiraClient", "SearchPage"]
