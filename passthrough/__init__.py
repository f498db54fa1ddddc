"""passthrough: an MCP server for Jira, Confluence and OpenProject that stores no user secrets."""

__version__ = "0.1.0"
