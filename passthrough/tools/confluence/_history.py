"""Confluence tools for page history and diffs, the space's page tree, section updates."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import Field, field_validator

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.markup import convert
from passthrough.providers.confluence import ConfluenceClient, VersionConflict
from passthrough.tools._markdown import read_storage, write_storage
from passthrough.tools._spec import Arguments, ToolResult, tool
from passthrough.tools.confluence._common import PageId, SpaceKey
from passthrough.tools.confluence._history_section import Heading, Spliced, replace_section, unbalanced

if TYPE_CHECKING:
    from passthrough.providers.confluence._history import PageVersion, TreePage

Version = Annotated[int, Field(ge=1, le=1_000_000_000, description="A version number of the page (1 is the first)")]

MAX_DIFF_CHARS = 40_000  # a diff longer than this is cut at a line, and says so
MAX_DIFF_LINES = 2_000  # changed lines a side beyond which the change is shown as removed-then-added
MAX_INDENT = 12  # tree levels shown by indentation; deeper pages say their level
MAX_TREE_LIMIT = 1000


# ---------------------------------------------------------------- a page at one version


class PageHistory(Arguments):
    page_id: PageId
    version: Version
    convert_to_markdown: Annotated[
        bool, Field(description="true: the body as Markdown; false: the storage XHTML exactly as stored")
    ] = True


async def _at_version(confluence: ConfluenceClient, page_id: str, version: int) -> PageVersion:
    """The page at `version`; a version past the page's last is said so, with the version it is at."""
    try:
        return await confluence.page_version(page_id, version)
    except VersionConflict:
        raise
    except UpstreamError as exc:
        if exc.status != 404:
            raise
        current = await confluence.page(page_id)  # a page that does not exist answers its own 404 here
        if version <= current.version:
            raise
        raise InvalidArguments(
            f"Page {page_id} '{current.title}' has no version {version}: its versions are 1 to {current.version}."
        ) from None


def _version_line(v: PageVersion) -> str:
    parts = [f"Page {v.id}", f"Space: {v.space_key or v.space_id or '?'}", f"Version {v.version}"]
    if v.author:
        parts.append(f"by {v.author}")
    if v.when:
        parts.append(f"at {v.when}")
    if v.minor_edit:
        parts.append("minor edit")
    line = " | ".join(parts)
    return line + (f"\nVersion comment: {' '.join(v.message.split())}" if v.message.strip() else "")


@tool("confluence_get_page_history", title="Confluence: page at a version", toolset="confluence_pages")
async def get_page_history(confluence: ConfluenceClient, args: PageHistory) -> ToolResult:
    """Get a page as it was at one version: its title and body then (Markdown, or the storage XHTML as stored
    with convert_to_markdown=false), and who made that version, when, and its comment. A version past the
    page's last is refused with the versions it has."""
    v = await _at_version(confluence, args.page_id, args.version)
    body = await read_storage(v.body) if args.convert_to_markdown else v.body
    data: dict[str, Any] = {
        "id": v.id,
        "title": v.title,
        "space_key": v.space_key,
        "space_id": v.space_id,
        "version": v.version,
        "status": v.status,
        "author": v.author,
        "when": v.when,
        "message": v.message,
        "minor_edit": v.minor_edit,
        "body_format": "markdown" if args.convert_to_markdown else "storage",
        "body": body,
    }
    text = f"# {v.title} (version {v.version})\n{_version_line(v)}\n\n{body.strip() or '_Empty at this version._'}\n"
    return ToolResult(text, data)


# ---------------------------------------------------------------- the diff of two versions


class PageDiff(Arguments):
    page_id: PageId
    from_version: Version
    to_version: Version


class Diff(NamedTuple):
    text: str
    added: int
    removed: int
    cut: bool  # the text stops at MAX_DIFF_CHARS
    coarse: bool  # the change was too large to pair lines: shown as removed, then added


def unified(job: tuple[str, str, str, str]) -> Diff:
    """`(old, new, old name, new name)`: a unified diff of the two texts' lines, bounded.

    Lines both texts begin and end with are set aside first (an edit is usually local), so difflib sees only
    the changed middle; past MAX_DIFF_LINES a side, difflib's pairing could take seconds, and the middle is
    shown as removed and then added lines."""
    old_text, new_text, old_name, new_name = job
    old, new = old_text.splitlines(), new_text.splitlines()
    head = 0
    while head < len(old) and head < len(new) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < len(old) - head and tail < len(new) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    context = 3
    lo = max(0, head - context)
    old_mid, new_mid = old[lo : len(old) - max(0, tail - context)], new[lo : len(new) - max(0, tail - context)]
    coarse = len(old_mid) > MAX_DIFF_LINES + 2 * context or len(new_mid) > MAX_DIFF_LINES + 2 * context
    if coarse:
        lines = [f"--- {old_name}", f"+++ {new_name}", f"@@ -{head + 1},{len(old) - head - tail} +{head + 1},"]
        lines[-1] += f"{len(new) - head - tail} @@"
        lines += ["-" + line for line in old[head : len(old) - tail]]
        lines += ["+" + line for line in new[head : len(new) - tail]]
    else:
        lines = list(difflib.unified_diff(old_mid, new_mid, old_name, new_name, lineterm="", n=context))
        lines = [_shift(line, lo) for line in lines]
    added = sum(1 for line in lines[2:] if line.startswith("+"))
    removed = sum(1 for line in lines[2:] if line.startswith("-"))
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line) + 1
        if size > MAX_DIFF_CHARS:
            break
        kept.append(line)
    return Diff("\n".join(kept), added, removed, len(kept) < len(lines), coarse)


def _shift(line: str, by: int) -> str:
    """A hunk header renumbered for the `by` lines set aside before the diffed part."""
    if not by or not line.startswith("@@ -"):
        return line
    spans = line[3:].split(" @@", 1)[0].split(" ")
    moved = []
    for span in spans:
        start, _, count = span[1:].partition(",")
        number = int(start) + by if start.isdigit() else start
        moved.append(f"{span[0]}{number}" + (f",{count}" if count else ""))
    return f"@@ {' '.join(moved)} @@"


@tool("confluence_get_page_diff", title="Confluence: diff two versions", toolset="confluence_pages")
async def get_page_diff(confluence: ConfluenceClient, args: PageDiff) -> ToolResult:
    """Compare two versions of a page: a unified diff of their Markdown (lines starting - were in
    from_version, + are in to_version), with a summary of lines added and removed and any title change.
    The diff is cut at 40,000 characters (it says so)."""
    old = await _at_version(confluence, args.page_id, args.from_version)
    new = old if args.to_version == args.from_version else await _at_version(confluence, args.page_id, args.to_version)
    old_md, new_md = await read_storage(old.body), await read_storage(new.body)
    names = (f"version {args.from_version}", f"version {args.to_version}")
    diff = await convert(unified, (old_md, new_md, *names))
    head = f"Page {args.page_id} '{new.title}': version {args.from_version} → {args.to_version}"
    if old_md == new_md:
        summary = "no differences in the body"
    else:
        summary = f"+{diff.added} -{diff.removed} lines"
    lines = [head, f"Summary: {summary}."]
    if old.title != new.title:
        lines.append(f"Title changed: '{old.title}' → '{new.title}'.")
    if diff.coarse:
        lines.append(f"The change spans more than {MAX_DIFF_LINES:,} lines, so it is shown as removed, then added.")
    if diff.text:
        lines += ["", "```diff", diff.text, "```"]
    if diff.cut:
        lines.append(f"The diff is cut at {MAX_DIFF_CHARS:,} characters; compare nearer versions for the rest.")
    data = {
        "page_id": args.page_id,
        "title": new.title,
        "from_version": args.from_version,
        "to_version": args.to_version,
        "from_title": old.title,
        "added_lines": diff.added,
        "removed_lines": diff.removed,
        "diff": diff.text,
        "truncated": diff.cut,
        "limit_chars": MAX_DIFF_CHARS,
    }
    return ToolResult("\n".join(lines) + "\n", data)


# ---------------------------------------------------------------- one section rewritten


class UpdateSection(Arguments):
    page_id: PageId
    heading_text: Annotated[
        str,
        Field(
            min_length=1,
            max_length=1000,
            description="The heading's text exactly (case counts; spacing does not); the heading itself stays",
        ),
    ]
    new_content: Annotated[
        str,
        Field(max_length=500_000, description="The section's new content, without its heading (Markdown)"),
    ]
    content_format: Annotated[
        Literal["markdown", "storage"],
        Field(description="markdown (the default), or storage: Confluence storage XHTML, for macros"),
    ] = "markdown"
    is_minor_edit: Annotated[bool, Field(description="A minor edit: watchers are not notified")] = False
    version_comment: Annotated[str | None, Field(max_length=1000, description="The new version's comment")] = None
    version: Annotated[
        int | None,
        Field(ge=1, description="The version you read; if the page moved on since, nothing is written"),
    ] = None

    @field_validator("content_format", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


def _heading_name(h: Heading) -> str:
    return f'h{h.level} "{h.text}"'


def _not_spliced(page_id: str, wanted: str, result: Spliced) -> InvalidArguments:
    present = [f"- {_heading_name(h)}" for h in result.headings]
    if result.total > len(result.headings):
        present.append(f"- … and {result.total - len(result.headings)} more")
    listing = "\n".join(present)
    if result.matches > 1:
        reason = (
            f"{result.matches} headings of page {page_id} read '{wanted}', so which section to replace is "
            "ambiguous; nothing was changed. Rename one of them first (confluence_update_page), or edit the "
            "page as a whole."
        )
    elif result.matches == 1:
        reason = f"The heading '{wanted}' on page {page_id} has no end tag in the page's storage; nothing was changed."
    elif not result.total:
        return InvalidArguments(f"Page {page_id} has no headings, so it has no sections; nothing was changed.")
    else:
        reason = f"No heading of page {page_id} reads '{wanted}' (case counts); nothing was changed."
    return InvalidArguments(f"{reason}\nThe page's headings:\n{listing}")


@tool(
    "confluence_update_page_section",
    title="Confluence: update one section",
    toolset="confluence_pages",
    effect="revise",
)
async def update_page_section(confluence: ConfluenceClient, args: UpdateSection) -> ToolResult:
    """Replace the content under one heading of a page (up to the next heading of the same or a higher level),
    leaving every other part of the page exactly as it is: macros, tables, layouts and the heading itself.
    new_content is Markdown, or storage XHTML with content_format=storage. Writes the next version; if
    someone changed the page meanwhile, nothing is overwritten. A heading that is missing or appears more
    than once is refused with the page's headings."""
    current = await confluence.page(args.page_id)
    if args.version is not None and args.version != current.version:
        raise VersionConflict(
            "confluence",
            409,
            f"Page {current.id} is at version {current.version}, not the version {args.version} you read; someone "
            "changed it, so nothing was overwritten. Read it again with confluence_get_page and reapply the change.",
        )
    if args.content_format == "markdown":
        fragment = await write_storage(args.new_content)
    else:
        fragment = args.new_content
        problem = unbalanced(fragment)
        if problem is not None:
            raise InvalidArguments(
                f"new_content is not a self-contained piece of storage XHTML: {problem}. Nothing was changed."
            )
    result = await convert(replace_section, (current.body, args.heading_text, fragment))
    if result.storage is None or result.heading is None:
        raise _not_spliced(args.page_id, args.heading_text.strip(), result)
    heading = result.heading
    page = await confluence.update_page(
        current, result.storage, None, minor=args.is_minor_edit, message=args.version_comment or None
    )
    data = {
        "id": page.id,
        "title": page.title,
        "version": page.version,
        "previous_version": current.version,
        "heading": {"text": heading.text, "level": heading.level},
        "replaced_chars": heading.body_end - heading.body_start,
        "inserted_chars": len(result.storage) - len(current.body) + heading.body_end - heading.body_start,
        "minor_edit": args.is_minor_edit,
        "url": page.url,
    }
    text = (
        f"Replaced the section under {_heading_name(heading)} of page {page.id} '{page.title}'; "
        f"the rest of the page is unchanged. Version {current.version} → {page.version}."
    )
    return ToolResult(text + "\n", data)


# ---------------------------------------------------------------- the space's page tree


class SpaceTree(Arguments):
    space_key: SpaceKey
    limit: Annotated[int, Field(ge=1, le=MAX_TREE_LIMIT, description="At most this many pages are read")] = 100


def _ordered(pages: list[TreePage]) -> list[tuple[int, TreePage, str]]:
    """(depth, page, a note on a root that has a parent) in tree order: each page after its parent, siblings
    by position then title. Iterative, and a cycle in what the upstream says can neither loop nor drop a page."""
    ids = {p.id for p in pages}
    children: dict[str | None, list[TreePage]] = {}
    for p in pages:
        children.setdefault(p.parent_id if p.parent_id in ids else None, []).append(p)

    def key(p: TreePage) -> tuple[int, str, str]:
        return (p.position if p.position is not None else 1 << 31, p.title.casefold(), p.id)

    for siblings in children.values():
        siblings.sort(key=key, reverse=True)  # taken from the end: the first sibling first
    order: list[tuple[int, TreePage, str]] = []
    seen: set[str] = set()
    roots = children.get(None, [])
    rest = sorted((p for p in pages if p.parent_id in ids), key=key, reverse=True)  # pages only a cycle reaches
    while roots or rest:
        start = roots.pop() if roots else rest.pop()
        if start.id in seen:
            continue
        note = "" if start.parent_id is None else "not read" if start.parent_id not in ids else "a cycle"
        stack = [(0, start, note)]
        while stack:
            depth, page, note = stack.pop()
            if page.id in seen:
                continue
            seen.add(page.id)
            order.append((depth, page, note))
            stack += [(depth + 1, c, "") for c in children.get(page.id, []) if c.id not in seen]
    return order


@tool("confluence_get_space_page_tree", title="Confluence: space page tree", toolset="confluence_pages")
async def get_space_page_tree(confluence: ConfluenceClient, args: SpaceTree) -> ToolResult:
    """Show the pages of a space as a tree (an indented list with page ids), each page under its parent,
    siblings in their order. Reads at most `limit` pages (default 100, up to 1000) and says when the space
    has more."""
    found = await confluence.space_pages(args.space_key, args.limit)
    if not found.pages and not confluence.cloud:
        await confluence.space_exists(args.space_key)  # an unknown space answers its own 404
    ordered = _ordered(found.pages)
    rows = []
    lines = [f"Space {args.space_key}: {len(ordered)} pages" + (" (more not read)" if found.more else "")]
    for depth, page, note in ordered:
        title = " ".join(page.title.split()) or "(untitled)"
        indent = "  " * min(depth, MAX_INDENT)
        extra = f", level {depth}" if depth > MAX_INDENT else ""
        extra += f", under {page.parent_type} {page.parent_id}, {note}" if note else ""
        lines.append(f"{indent}- {title} (page {page.id}{extra})")
        rows.append(
            {
                "id": page.id,
                "title": page.title,
                "parent_id": page.parent_id,
                "parent_type": page.parent_type if page.parent_id else None,
                "position": page.position,
                "depth": depth,
            }
        )
    if not ordered:
        lines = [f"Space {args.space_key} has no pages this user can see."]
    if found.more:
        further = (
            f"call again with a larger limit (up to {MAX_TREE_LIMIT})"
            if args.limit < MAX_TREE_LIMIT
            else "the tree stops at the maximum"
        )
        lines += ["", f"The space has more pages than the limit of {args.limit} read here; {further}."]
    data = {
        "space_key": args.space_key,
        "total_pages": len(rows),
        "has_more": found.more,
        "limit": args.limit,
        "pages": rows,
    }
    return ToolResult("\n".join(lines) + "\n", data)
