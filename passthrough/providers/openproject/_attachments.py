"""OpenProject API v3 calls for work package attachments.

Listing: `GET /work_packages/{id}/attachments` (one unpaged collection). One attachment's metadata:
`GET /attachments/{id}`. Bytes: `GET /attachments/{id}/content`, a path built of the id, never the
`downloadLocation` an answer names; an instance that keeps its files in external storage (S3 and the like)
answers that with a redirect to a signed URL, which is not followed. Upload: multipart
`POST /work_packages/{id}/attachments` with a `metadata` part (JSON: fileName, description) and a `file`
part. Delete: `DELETE /attachments/{id}` (for good; OpenProject has no trash).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from passthrough.errors import UpstreamError
from passthrough.providers._client import ProviderClient
from passthrough.providers._multipart import form_data


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    filename: str
    content_type: str
    size: int | None
    description: str
    author: str | None
    author_id: str | None
    created: str | None
    container: str | None  # what holds it: "/api/v3/work_packages/5" → its kind and id below
    container_kind: str | None  # "work_packages", "wiki_pages", … (the API's own namespace)
    container_id: str | None
    container_title: str | None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _link(links: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    link = links.get(name)
    if not isinstance(link, dict) or not isinstance(link.get("href"), str) or not link["href"]:
        return None, None
    title = link.get("title")
    return link["href"], title if isinstance(title, str) else None


def attachment_of(data: dict[str, Any]) -> Attachment:
    """An attachment as API v3 renders it."""
    found = data.get("_links")
    links: dict[str, Any] = found if isinstance(found, dict) else {}
    author_href, author = _link(links, "author")
    container, container_title = _link(links, "container")
    kind = ident = None
    if container:
        parts = container.rstrip("/").split("/")
        kind, ident = (parts[-2], parts[-1]) if len(parts) >= 2 else (None, None)
    description = data.get("description")
    raw = description.get("raw") if isinstance(description, dict) else None
    return Attachment(
        id=_int(data.get("id")) or 0,
        filename=str(data.get("fileName") or data.get("title") or "unnamed"),
        content_type=str(data.get("contentType") or "application/octet-stream"),
        size=_int(data.get("fileSize")),
        description=str(raw or ""),
        author=author,
        author_id=author_href.rstrip("/").rsplit("/", 1)[-1] if author_href else None,
        created=data.get("createdAt") if isinstance(data.get("createdAt"), str) else None,
        container=container,
        container_kind=kind,
        container_id=ident,
        container_title=container_title,
    )


class AttachmentCalls(ProviderClient):
    """Mixed into OpenProjectClient; paths are under `self.api` (/api/v3)."""

    @property
    def max_attachment_bytes(self) -> int:
        return self._up.limits.max_attachment_bytes

    @property
    def max_reply_bytes(self) -> int:
        return self._up.limits.max_reply_bytes

    async def attachments(self, wp_id: int) -> list[Attachment]:
        """The work package's attachments (metadata only), oldest first as OpenProject lists them."""
        data = await self._get(f"/work_packages/{wp_id}/attachments")
        found = (data.get("_embedded") or {}).get("elements")
        return [attachment_of(a) for a in found if isinstance(a, dict)] if isinstance(found, list) else []

    async def attachment(self, attachment_id: int) -> Attachment:
        return attachment_of(await self._get(f"/attachments/{attachment_id}"))

    def content_path(self, attachment_id: int) -> str:
        """Where OpenProject serves an attachment's bytes, built from its id."""
        return f"{self.api}/attachments/{attachment_id}/content"

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment's bytes, at most `max_bytes` of them (a longer answer is an error, not read on).

        A redirect (the instance keeps its files in external storage and answers with a signed URL there)
        is not followed: that URL is outside the OpenProject origin the operator configured."""
        answer = await self._up.call(
            "GET",
            self.content_path(attachment.id),
            credential=self._cred,
            headers={"Accept": "*/*"},
            expect_json=False,
            max_bytes=max_bytes,
            redirect=True,
        )
        if 300 <= answer.status < 400:
            target = urlsplit(urljoin(self.base_url + "/", answer.headers.get("location", "")))
            where = f"{target.scheme}://{target.hostname}" if target.hostname else "another address"
            if target.netloc.lower() == urlsplit(self.base_url).netloc.lower():
                raise UpstreamError(
                    "openproject",
                    answer.status,
                    f"OpenProject answered the download of {attachment.filename} with a redirect within {where}, "
                    "which passthrough does not follow, so the file was not fetched; is OPENPROJECT_URL the "
                    "instance's final address?",
                )
            raise UpstreamError(
                "openproject",
                answer.status,
                f"OpenProject answered the download of {attachment.filename} with a redirect to {where}: this "
                "instance stores its attachment files in external storage (such as S3), and passthrough follows "
                "no redirect away from the configured OpenProject, so the file was not fetched.",
            )
        return answer.body

    async def upload(
        self, wp_id: int, filename: str, content_type: str, content: bytes, description: str | None
    ) -> Attachment:
        """Attach one file to the work package: a `metadata` JSON part and the `file` part, in that order."""
        metadata: dict[str, Any] = {"fileName": filename}
        if description:
            metadata["description"] = {"raw": description}
        form = form_data(
            [(filename, content_type, content)],
            fields=[("metadata", json.dumps(metadata, ensure_ascii=False))],
            field_types={"metadata": "application/json; charset=utf-8"},
        )
        answer = await self._up.call(
            "POST",
            f"{self.api}/work_packages/{wp_id}/attachments",
            credential=self._cred,
            headers={"Content-Type": form.content_type},
            raw=form.body,
        )
        value = answer.json()
        if not isinstance(value, dict):
            raise self._unexpected("POST", f"/work_packages/{wp_id}/attachments", "an object")
        return attachment_of(value)

    async def delete_attachment(self, attachment_id: int) -> None:
        await self._no_answer("DELETE", f"/attachments/{attachment_id}")
