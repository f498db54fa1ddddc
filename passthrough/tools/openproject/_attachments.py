"""OpenProject tools for work package attachments: list, download as MCP content, upload as content_base64."""

from __future__ import annotations
