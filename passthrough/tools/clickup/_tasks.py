"""ClickUp tasks: search, read, create, update, delete (added here, each tool one `@tool` declaration)."""
