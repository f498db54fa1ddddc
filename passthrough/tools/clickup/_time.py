"""ClickUp time entries (added here, each tool one `@tool` declaration)."""
