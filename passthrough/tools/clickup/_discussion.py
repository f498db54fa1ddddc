"""ClickUp task comments (added here, each tool one `@tool` declaration)."""
