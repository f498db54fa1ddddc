"""Confluence REST calls for attachments and page images.

Listing: Cloud v2 `GET /pages/{id}/attachments` (cursor pages walked to the offset asked), Server/Data Center
v1 `GET /rest/api/content/{id}/child/attachment`. One attachment's metadata: Cloud v2 `GET /attachments/{id}`,
Server v1 `GET /rest/api/content/att{n}`. Bytes, from a path built of ids (never a link from an answer): Cloud
v1 `/rest/api/content/{page}/child/attachment/{id}/download`, Server `/download/attachments/{page}/{name}`.
Upload: v1 multipart `PUT /rest/api/content/{id}/child/attachment` on both (adds, or makes a new version of
a file of the same name). Delete: Cloud v2 `DELETE /attachments/{n}`, Server v1 `DELETE /rest/api/content/att{n}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urljoin, urlsplit

from passthrough.errors import InvalidArguments, UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._multipart import FilePart, form_data
from passthrough.providers._upstream import segment

V2_PAGE = 250  # the most a v2 list answers at once
V1_EXPAND = "version,container"


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str  # as Confluence shows it: "att98323"
    title: str
    media_type: str
    size: int | None
    version: int | None
    page_id: str | None
    comment: str
    created: str | None


@dataclass(frozen=True, slots=True)
class AttachmentList:
    items: list[Attachment]
    more: bool  # more after these


def number(attachment_id: str) -> str:
    """The content number of an attachment id ("att98323" → "98323")."""
    return attachment_id.removeprefix("att")


def v1_id(attachment_id: str) -> str:
    """An attachment id as v1 content ids and v2 reads write it ("98323" → "att98323")."""
    return "att" + number(attachment_id)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _v1(data: dict[str, Any]) -> Attachment:
    extensions = data.get("extensions") or {}
    metadata = data.get("metadata") or {}
    version = data.get("version") or {}
    container = data.get("container") or {}
    page = container.get("id") if isinstance(container, dict) else None
    if page is None:  # not expanded: the container is named in the link Confluence gives for it
        link = str((data.get("_expandable") or {}).get("container") or "")
        page = link.rstrip("/").rpartition("/")[2] or None
    return Attachment(
        id=str(data.get("id") or ""),
        title=str(data.get("title") or "unnamed"),
        media_type=str(extensions.get("mediaType") or metadata.get("mediaType") or "application/octet-stream"),
        size=_int(extensions.get("fileSize")),
        version=_int(version.get("number")),
        page_id=str(page) if page else None,
        comment=str(extensions.get("comment") or metadata.get("comment") or ""),
        created=version.get("when"),
    )


def _v2(data: dict[str, Any]) -> Attachment:
    version = data.get("version") or {}
    page = data.get("pageId") or data.get("blogPostId")
    return Attachment(
        id=str(data.get("id") or ""),
        title=str(data.get("title") or "unnamed"),
        media_type=str(data.get("mediaType") or "application/octet-stream"),
        size=_int(data.get("fileSize")),
        version=_int(version.get("number")),
        page_id=str(page) if page else None,
        comment=str(data.get("comment") or ""),
        created=data.get("createdAt"),
    )


def _cursor(next_link: Any) -> str | None:
    values = parse_qs(urlsplit(str(next_link)).query).get("cursor") if next_link else None
    return values[0] if values else None


class AttachmentCalls(ProviderClient):
    """Mixed into ConfluenceClient; `self.cloud` is the deployment (v2 where it exists, v1 otherwise)."""

    @property
    def max_attachment_bytes(self) -> int:
        return self._up.limits.max_attachment_bytes

    @property
    def max_reply_bytes(self) -> int:
        return self._up.limits.max_reply_bytes

    async def attachments(
        self, content_id: str, start: int, limit: int, filename: str | None = None, media_type: str | None = None
    ) -> AttachmentList:
        """The content's attachments from `start`, at most `limit`, optionally of one file name or media type."""
        if not self.cloud:
            params: dict[str, Any] = {"start": start, "limit": limit, "expand": V1_EXPAND}
            if filename:
                params["filename"] = filename
            if media_type:
                params["mediaType"] = media_type
            data = await self._get(f"/rest/api/content/{segment(content_id)}/child/attachment", params)
            items = [_v1(a) for a in data.get("results") or [] if isinstance(a, dict)]
            return AttachmentList(items, bool((data.get("_links") or {}).get("next")))
        wanted = start + limit
        found: list[Attachment] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {"limit": min(V2_PAGE, wanted - len(found))}
            if filename:
                query["filename"] = filename
            if media_type:
                query["mediaType"] = media_type
            if cursor:
                query["cursor"] = cursor
            data = await self._get(f"/api/v2/pages/{segment(content_id)}/attachments", query)
            found += [_v2(a) for a in data.get("results") or [] if isinstance(a, dict)]
            cursor = _cursor((data.get("_links") or {}).get("next"))
            if cursor is None or len(found) >= wanted:
                return AttachmentList(found[start:wanted], cursor is not None)

    async def all_attachments(self, content_id: str, most: int) -> tuple[list[Attachment], bool]:
        """Up to `most` of the content's attachments (and whether it has more)."""
        if self.cloud:  # one walk of the cursors
            listed = await self.attachments(content_id, 0, most)
            return listed.items, listed.more
        found: list[Attachment] = []
        while True:
            page = await self.attachments(content_id, len(found), min(100, most - len(found)))
            found += page.items
            if not page.more or not page.items or len(found) >= most:
                return found[:most], page.more

    async def attachment(self, attachment_id: str) -> Attachment:
        """One attachment's metadata; an id that names other content is refused."""
        try:
            if self.cloud:
                return _v2(await self._get(f"/api/v2/attachments/{segment('att' + number(attachment_id))}"))
            data = await self._get(f"/rest/api/content/{segment(v1_id(attachment_id))}", {"expand": V1_EXPAND})
        except UpstreamError as exc:
            if exc.status == 404:
                raise UpstreamError(
                    "confluence",
                    404,
                    f"No attachment {attachment_id} is visible to this user (Confluence answered 404); "
                    "confluence_get_attachments lists a page's attachments with their ids.",
                ) from None
            raise
        if data.get("type") != "attachment":
            raise InvalidArguments(
                f"{attachment_id} is a {data.get('type') or 'piece of content'}, not an attachment; "
                "confluence_get_attachments lists a page's attachments with their ids"
            )
        return _v1(data)

    def download_path(self, attachment: Attachment) -> str:
        """Where the deployment serves the attachment's bytes, built from its ids and name."""
        if not attachment.page_id:
            raise InvalidArguments(f"Confluence did not say which page holds attachment {attachment.id}")
        page = segment(attachment.page_id)
        if self.cloud:
            return f"/rest/api/content/{page}/child/attachment/{segment(attachment.id)}/download"
        return f"/download/attachments/{page}/{segment(attachment.title)}"

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment's bytes, at most `max_bytes` of them (a longer answer is an error, not read on).

        Cloud answers with a redirect to its media service: a signed URL, fetched with no credential at all,
        and only on the media origin the operator configured (ATLASSIAN_MEDIA_URL); no other redirect is
        followed, and none twice."""
        answer = await self._up.call(
            "GET",
            self.download_path(attachment),
            credential=self._cred,
            headers={"Accept": "*/*"},
            expect_json=False,
            max_bytes=max_bytes,
            redirect=self.cloud,
        )
        if 300 <= answer.status < 400:
            return await self._from_media(attachment, answer.headers["location"], max_bytes)
        return answer.body

    async def _from_media(self, attachment: Attachment, location: str, max_bytes: int) -> bytes:
        media = self._up.config.media
        target = urlsplit(urljoin(self.base_url + "/", location))
        expected = urlsplit(media)
        inside = target.path.startswith(expected.path.rstrip("/") + "/")
        if (target.scheme, target.netloc.lower()) != (expected.scheme, expected.netloc.lower()) or not inside:
            raise UpstreamError(
                "confluence",
                302,
                f"Confluence answered the download of {attachment.title} with a redirect to "
                f"{target.scheme}://{target.hostname or '?'}, not to its media service ({media}, "
                "ATLASSIAN_MEDIA_URL); passthrough follows no other redirect.",
            )
        answer = await self._up.site(f"{expected.scheme}://{expected.netloc}", "cloud").call(
            "GET",
            target.path or "/",
            credential=self._cred,
            params=dict(parse_qsl(target.query, keep_blank_values=True)),
            headers={"Accept": "*/*"},
            expect_json=False,
            max_bytes=max_bytes,
            anonymous=True,
        )
        return answer.body

    async def upload(
        self, content_id: str, files: list[FilePart], comment: str | None, minor_edit: bool
    ) -> list[Attachment]:
        """Attach (filename, MIME type, bytes) files to the content in one multipart PUT: a file of a name the
        content already has becomes that attachment's next version."""
        fields = [("comment", comment) for _ in files] if comment else []
        fields.append(("minorEdit", "true" if minor_edit else "false"))
        form = form_data(files, fields=fields)
        answer = await self._up.call(
            "PUT",
            f"/rest/api/content/{segment(content_id)}/child/attachment",
            credential=self._cred,
            headers={"Content-Type": form.content_type, "X-Atlassian-Token": "no-check"},
            raw=form.body,
        )
        value = answer.json()
        results = value.get("results") if isinstance(value, dict) else value
        return [_v1(a) for a in results if isinstance(a, dict)] if isinstance(results, list) else []

    async def delete_attachment(self, attachment_id: str) -> None:
        """Move the attachment to the trash."""
        if self.cloud:
            await self._no_answer("DELETE", f"/api/v2/attachments/{segment(number(attachment_id))}")
        else:
            await self._no_answer("DELETE", f"/rest/api/content/{segment(v1_id(attachment_id))}")
