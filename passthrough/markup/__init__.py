"""Text conversion between Markdown and the Atlassian formats.

Markdown is what assistants read and write; Jira Cloud wants ADF, Jira Server/DC
wiki markup, Confluence its XHTML storage format.  Every function is total: any
input, however malformed, gives a result and never raises.
"""

from ._adf import adf_to_markdown, markdown_to_adf
from ._storage import markdown_to_storage, storage_to_markdown
from ._wiki import markdown_to_wiki, wiki_to_markdown

__all__ = [
    "adf_to_markdown",
    "markdown_to_adf",
    "markdown_to_storage",
    "markdown_to_wiki",
    "storage_to_markdown",
    "wiki_to_markdown",
]
