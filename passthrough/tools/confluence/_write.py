"""Writing to Confluence: pages, comments, labels. Bodies are Markdown (or wiki markup, or storage as is),
sent as storage format; a page's title emoji and width are its content properties."""

from __future__ import annotations

import html
import html.entities
import re
from typing import Annotated, Any, Literal
from xml.parsers import expat

from pydantic import AliasChoices, Field, model_validator

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers.confluence import ConfluenceClient, Page, VersionConflict
from passthrough.tools._markdown import read_storage, write_storage
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.confluence._common import ContentId, PageId, SpaceKey

MAX_BODY = 500_000
Title = Annotated[str, Field(min_length=1, max_length=255)]
ContentFormat = Literal["markdown", "wiki", "storage", "xhtml"]
PageWidth = Literal["full-width", "max", "default"]
TableLayout = Literal["full-width", "wide", "default"]

# what the peer's table presets set on each <table>: (data-table-width, data-layout)
_TABLE_PRESETS = {"full-width": ("1800", "full-width"), "wide": ("960", "wide"), "default": ("760", "default")}
_EMOJI_KEYS = ("emoji-title-published", "emoji-title-draft")
_WIDTH_KEYS = ("content-appearance-published", "content-appearance-draft")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{0,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NOT_SLUG = re.compile(r"[^\sA-Za-z0-9_-]")
_SPACES = re.compile(r"\s+")
_HEADING = re.compile(r"<h([1-6])>")
_ROOT = "passthrough-storage"


class PageContent(Arguments):
    """What a page write takes besides its place: the body, its format, and how the page shows."""

    # required, as CONTRACT.md section 6 lists it (the peer, too, refuses a call without content); "" is an empty page
    body: Annotated[
        str,
        Field(
            max_length=MAX_BODY,
            description='The page content, in content_format (Markdown unless said otherwise); "" for an empty page',
            validation_alias=AliasChoices("body", "content"),
        ),
    ]
    content_format: Annotated[
        ContentFormat,
        Field(description="markdown (default), wiki (Confluence wiki markup), storage or xhtml (storage XHTML as is)"),
    ] = "markdown"
    enable_heading_anchors: Annotated[
        bool, Field(description="Markdown: an anchor macro at each heading, and #links to headings as page anchors")
    ] = False
    table_layout: Annotated[
        TableLayout | None, Field(description="Markdown: every table's width (full-width 1800px, wide 960px, 760px)")
    ] = None
    include_content: Annotated[bool, Field(description="Echo the stored body back (as Markdown)")] = False
    emoji: Annotated[
        str | None,
        Field(max_length=16, pattern=r"^\S*$", description='Title emoji, e.g. 📝 (on update, "" removes it)'),
    ] = None


def _slug(title: str) -> str:
    """A heading's GitHub-style anchor: lower case, only letters, digits, _ and -, spaces as hyphens."""
    return _SPACES.sub("-", _NOT_SLUG.sub("", title.strip().lower()))


def _text_of(fragment: str) -> str:
    """The text of an XHTML fragment our writer made: tags dropped in one pass, entities decoded."""
    out: list[str] = []
    depth = 0
    for ch in fragment:
        if ch == "<":
            depth = 1
        elif ch == ">" and depth:
            depth = 0
        elif not depth:
            out.append(ch)
    return html.unescape("".join(out))


def _outside_cdata(storage: str) -> list[tuple[bool, str]]:
    """`storage` cut into (is_markup, text) runs, CDATA sections (code bodies) apart, so they stay untouched."""
    runs: list[tuple[bool, str]] = []
    at = 0
    while True:
        opened = storage.find("<![CDATA[", at)
        if opened < 0:
            runs.append((True, storage[at:]))
            return runs
        closed = storage.find("]]>", opened)
        closed = len(storage) if closed < 0 else closed + 3
        runs += [(True, storage[at:opened]), (False, storage[opened:closed])]
        at = closed


def _with_anchors(markup: str) -> str:
    """Each `<hN>` our writer made starts with Confluence's anchor macro; `<a href="#x">` links become anchor
    links (what md2conf does for the peer's enable_heading_anchors)."""
    out: list[str] = []
    at = 0
    for found in _HEADING.finditer(markup):
        if found.start() < at:
            continue
        end = markup.find(f"</h{found.group(1)}>", found.end())
        if end < 0:
            break
        slug = html.escape(_slug(_text_of(markup[found.end() : end])))
        macro = (
            '<ac:structured-macro ac:name="anchor" ac:schema-version="1">'
            f'<ac:parameter ac:name="">{slug}</ac:parameter></ac:structured-macro>'
        )
        out += [markup[at : found.end()], macro]
        at = found.end()
    out.append(markup[at:])
    markup = "".join(out)
    out, at = [], 0
    while True:
        start = markup.find('<a href="#', at)
        if start < 0:
            break
        target_end = markup.find('"', start + 10)
        close = markup.find("</a>", target_end)
        open_end = markup.find(">", target_end)
        if target_end < 0 or close < 0 or open_end < 0 or open_end > close:
            break
        target = markup[start + 10 : target_end]
        out += [
            markup[at:start],
            f'<ac:link ac:anchor="{target}"><ac:link-body>',
            markup[open_end + 1 : close],
            "</ac:link-body></ac:link>",
        ]
        at = close + 4
    out.append(markup[at:])
    return "".join(out)


def shaped_storage(storage: str, anchors: bool, table_layout: str | None) -> str:
    """Storage from Markdown with the peer's two options applied, outside code bodies."""
    if not anchors and table_layout is None:
        return storage
    table = ""
    if table_layout is not None:
        width, layout = _TABLE_PRESETS[table_layout]
        table = f'<table data-table-width="{width}" data-layout="{layout}">'
    parts = []
    for markup, text in _outside_cdata(storage):
        if markup:
            text = text.replace("<table>", table) if table else text
            text = _with_anchors(text) if anchors else text
        parts.append(text)
    return "".join(parts)


def storage_problem(value: str) -> str | None:
    """None when `value` is well-formed storage XHTML (HTML entities and ac:/ri: prefixes allowed), else why."""

    def numeric(match: re.Match[str]) -> str:
        name = match.group(1)
        chars = html.entities.html5.get(f"{name};")
        return match.group(0) if name in _XML_ENTITIES or chars is None else "".join(f"&#{ord(c)};" for c in chars)

    parser = expat.ParserCreate()
    try:
        parser.Parse(f"<{_ROOT}>{_ENTITY.sub(numeric, value)}</{_ROOT}>".encode(), True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset + 1 - (len(_ROOT) + 2 if exc.lineno == 1 else 0)}"
        reason = expat.errors.messages[exc.code] if exc.code is not None else str(exc)
        if reason == expat.errors.XML_ERROR_TAG_MISMATCH:
            reason = "a closing tag does not match the open element (or an element is never closed)"
        return f"{reason} ({where})"
    return None


async def storage_of(confluence: ConfluenceClient, args: PageContent) -> tuple[str, list[str]]:
    """The body as storage format, and notes on options the format ignores; bad storage is refused unsent."""
    notes: list[str] = []
    if args.content_format == "markdown":
        storage = await write_storage(args.body)
        return shaped_storage(storage, args.enable_heading_anchors, args.table_layout), notes
    ignored = [
        n
        for n, v in (("enable_heading_anchors", args.enable_heading_anchors), ("table_layout", args.table_layout))
        if v
    ]
    if ignored:
        notes.append(f"{' and '.join(ignored)} apply to Markdown content only, so they were not applied.")
    if args.content_format == "wiki":
        return (await confluence.wiki_to_storage(args.body) if args.body.strip() else ""), notes
    problem = storage_problem(args.body)
    if problem is not None:
        raise InvalidArguments(f"content is not well-formed storage XHTML: {problem}; nothing was sent")
    return args.body, notes


def _emoji_id(emoji: str) -> str:
    """How Confluence names a title emoji in its properties: the code points in hex, joined by hyphens."""
    return "-".join(f"{ord(c):x}" for c in emoji)


async def _appearance(confluence: ConfluenceClient, page_id: str, emoji: str | None, width: str | None) -> list[str]:
    """Set (or with "" remove) the title emoji and the page width, published and draft alike; what failed."""
    failed: list[str] = []
    for what, keys, value in (
        ("emoji", _EMOJI_KEYS, None if emoji is None else (_emoji_id(emoji) if emoji else "")),
        ("page width", _WIDTH_KEYS, width),
    ):
        if value is None:
            continue
        try:
            for key in keys:
                await confluence.set_property(page_id, key, value or None)
        except UpstreamError as exc:
            failed.append(f"The page was written, but setting its {what} failed: {exc}")
    return failed


async def _written(
    page: Page, storage: str, args: PageContent, notes: list[str], head: str, data: dict[str, Any]
) -> ToolResult:
    lines = [head]
    if page.url:
        lines.append(f"URL: {page.url}")
    lines += notes
    if notes:
        data["notes"] = notes
    if args.include_content:
        body = await read_storage(page.body or storage)
        data["content"] = body
        lines += ["", body.strip() or "_Empty page._"]
    return ToolResult("\n".join(lines) + "\n", data)


class CreatePage(PageContent):
    space_key: SpaceKey
    title: Title
    parent_id: PageId | None = None
    page_width: Annotated[PageWidth | None, Field(description="full-width, max or default")] = None
    subtype: Annotated[Literal["live"] | None, Field(description="live: a live doc (Cloud only)")] = None


@tool("confluence_create_page", title="Confluence: create page", toolset="confluence_pages", effect="create")
async def create_page(confluence: ConfluenceClient, args: CreatePage) -> ToolResult:
    """Create a page in a space (optionally under parent_id). The content is Markdown unless content_format says
    wiki (converted by Confluence) or storage (sent as is, once checked to be well-formed); it may be empty.
    emoji and page_width set how the page shows; subtype=live makes a live doc (Cloud)."""
    if args.subtype and not confluence.cloud:
        raise InvalidArguments(
            f"subtype '{args.subtype}' (a live doc) exists on Confluence Cloud only, and this Confluence is "
            "Server/Data Center: nothing was created."
        )
    storage, notes = await storage_of(confluence, args)
    page = await confluence.create_page(args.space_key, args.title, storage, args.parent_id, args.subtype)
    notes += await _appearance(confluence, page.id, args.emoji or None, args.page_width)
    data: dict[str, Any] = {
        "id": page.id,
        "title": page.title,
        "space_key": args.space_key,
        "version": page.version,
        "url": page.url,
    }
    if args.subtype:
        data["subtype"] = args.subtype
    return await _written(
        page, storage, args, notes, f"Created page {page.id} '{page.title}' in {args.space_key}.", data
    )


class UpdatePage(PageContent):
    page_id: PageId
    title: Annotated[str | None, Field(min_length=1, max_length=255, description="New title (default: as is)")] = None
    version: Annotated[
        int | None,
        Field(ge=1, description="The version you read (confluence_get_page); if the page moved on, nothing is written"),
    ] = None
    is_minor_edit: Annotated[bool, Field(description="Mark the new version a minor edit (no notifications)")] = False
    version_comment: Annotated[str | None, Field(max_length=1000, description="The new version's message")] = None
    parent_id: Annotated[PageId | None, Field(description="Move the page under this parent in the same update")] = None
    page_width: Annotated[
        PageWidth | Literal[""] | None, Field(description='full-width, max or default ("" resets it)')
    ] = None

    @model_validator(mode="after")
    def _not_itself(self) -> UpdatePage:
        if self.parent_id is not None and self.parent_id == self.page_id:
            raise ValueError("parent_id cannot be the page itself")
        return self


@tool("confluence_update_page", title="Confluence: update page", toolset="confluence_pages", effect="revise")
async def update_page(confluence: ConfluenceClient, args: UpdatePage) -> ToolResult:
    """Replace a page's body (Markdown, or wiki/storage per content_format) and optionally its title, moving it
    under parent_id in the same version if given; is_minor_edit and version_comment go in the new version. If
    someone else changed the page meanwhile (or since the version you give), nothing is overwritten and the
    tool says so."""
    current = await confluence.page(args.page_id)
    if args.version is not None and args.version != current.version:
        raise VersionConflict(
            "confluence",
            409,
            f"Page {current.id} is at version {current.version}, not the version {args.version} you read; someone "
            "changed it, so nothing was overwritten. Read it again with confluence_get_page and reapply the change.",
        )
    storage, notes = await storage_of(confluence, args)
    page = await confluence.update_page(
        current,
        storage,
        args.title,
        minor=args.is_minor_edit,
        message=args.version_comment,
        parent_id=args.parent_id,
    )
    notes += await _appearance(confluence, page.id, args.emoji, args.page_width)
    data: dict[str, Any] = {
        "id": page.id,
        "title": page.title,
        "version": page.version,
        "previous_version": current.version,
        "url": page.url,
        "minor_edit": args.is_minor_edit,
    }
    if args.parent_id:
        data["parent_id"] = page.parent_id or args.parent_id
    head = f"Updated page {page.id} '{page.title}' to version {page.version}"
    head += f", now under page {data['parent_id']}." if args.parent_id else "."
    return await _written(page, storage, args, notes, head, data)


class AddComment(Arguments):
    page_id: PageId
    body: Annotated[str, Field(min_length=1, max_length=100_000, description="Markdown")]


@tool("confluence_add_comment", title="Confluence: add comment", toolset="confluence_comments", effect="create")
async def add_comment(confluence: ConfluenceClient, args: AddComment) -> ToolResult:
    """Add a footer comment (Markdown) to a page."""
    comment = await confluence.add_comment(args.page_id, await write_storage(args.body))
    cid = str(comment.get("id", ""))
    return ToolResult(f"Added comment {cid} to page {args.page_id}.\n", {"page_id": args.page_id, "comment_id": cid})


Label = Annotated[str, Field(pattern=r"^[^\s:]{1,255}$")]


class AddLabels(Arguments):
    page_id: ContentId
    labels: Annotated[list[Label], Field(min_length=1, max_length=50)]

    @model_validator(mode="before")
    @classmethod
    def _one_name(cls, data: Any) -> Any:
        """The peer's confluence_add_label sends one label as `name`."""
        if isinstance(data, dict) and "name" in data:
            data = dict(data)
            name = data.pop("name")
            if "labels" in data:
                raise ValueError("give labels, or one label as name, not both")
            data["labels"] = [name]
        return data


@tool(
    "confluence_add_labels",
    title="Confluence: add labels",
    toolset="confluence_labels",
    effect="set",
    aliases=("confluence_add_label",),
)
async def add_labels(confluence: ConfluenceClient, args: AddLabels) -> ToolResult:
    """Add labels to a page, blog post or attachment (att… id); returns all its labels now."""
    now = await confluence.add_labels(args.page_id, args.labels)
    return ToolResult(
        f"Added labels to {args.page_id}: {', '.join(args.labels)}. Its labels now: {', '.join(now) or 'none'}.\n",
        {"page_id": args.page_id, "labels": args.labels, "all_labels": now},
    )
