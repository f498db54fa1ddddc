"""Confluence attachments against the fake Confluence, both deployments: list, download as MCP content
(within the attachment limit, checked before any byte is fetched), upload inline, delete."""

from __future__ import annotations

import base64
import builtins
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.confluence._attachments_state import (
    DIAGRAM_PNG,
    NOTES_TEXT,
    REPORT_PDF,
    attachments_of,
)
from tests.conftest import make_settings, serve
from tests.e2e._clients import tool_caller
from tests.e2e._confluence import CARA, headers_for
from tests.e2e._confluence import env_for as env_of
from tests.fakes import FakeConfluence

PAGE = "98310"  # Architecture overview: architecture-diagram.png (98323), deployment-notes.txt, capacity-report.pdf
Call = Any


@pytest.fixture(params=["server", "cloud"])
async def conf(request: pytest.FixtureRequest) -> AsyncIterator[FakeConfluence]:
    fake = FakeConfluence(request.param, [CARA])
    async with fake.serve():
        yield fake


@pytest.fixture
async def tool(conf: FakeConfluence) -> AsyncIterator[Call]:
    async with serve(make_settings(env_of(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        yield tool_caller(http, headers_for(CARA, conf.deployment))


async def call_with(conf: FakeConfluence, env: dict[str, str], name: str, args: dict[str, Any]) -> dict[str, Any]:
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        return await tool_caller(http, headers_for(CARA, conf.deployment))(name, args)


def served(conf: FakeConfluence) -> int:
    return attachments_of(conf.state).served_bytes


def byte_requests(conf: FakeConfluence) -> list[Any]:
    """Requests for attachment bytes (either deployment's path)."""
    return [r for r in conf.requests if r.path.endswith("/download") or "/download/attachments/" in r.path]


def meta_request(conf: FakeConfluence, attachment_id: str) -> Any:
    if conf.cloud:
        return conf.last_request("GET", f"/wiki/api/v2/attachments/{attachment_id}")
    sent = conf.last_request("GET", f"/rest/api/content/{attachment_id}")
    assert sent.query["expand"] == "version,container"
    return sent


def bytes_request(conf: FakeConfluence, attachment_id: str, filename: str) -> Any:
    if conf.cloud:
        return conf.last_request("GET", f"/wiki/rest/api/content/{PAGE}/child/attachment/{attachment_id}/download")
    return conf.last_request("GET", f"/download/attachments/{PAGE}/{filename}")


# ---------------------------------------------------------------------------------------------- listing


async def test_get_attachments_lists_a_page(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_attachments", {"content_id": PAGE})
    assert not r["isError"], r["text"]
    if conf.cloud:
        sent = conf.last_request("GET", f"/wiki/api/v2/pages/{PAGE}/attachments")
        assert sent.query == {"limit": "50"}
    else:
        sent = conf.last_request("GET", f"/rest/api/content/{PAGE}/child/attachment")
        assert sent.query == {"start": "0", "limit": "50", "expand": "version,container"}
    assert sent.identity == "cara"
    rows = r["structuredContent"]["attachments"]
    assert [a["title"] for a in rows] == ["architecture-diagram.png", "deployment-notes.txt", "capacity-report.pdf"]
    diagram = rows[0]
    assert diagram["id"] == "att98323" and diagram["mime_type"] == "image/png"
    assert diagram["size"] == len(DIAGRAM_PNG) and diagram["version"] == 1 and diagram["page_id"] == PAGE
    assert diagram["comment"] == "Target architecture, 2026"
    if conf.cloud:
        assert diagram["download_path"] == f"/rest/api/content/{PAGE}/child/attachment/att98323/download"
    else:
        assert diagram["download_path"] == f"/download/attachments/{PAGE}/architecture-diagram.png"
    assert rows[2]["size"] == len(REPORT_PDF) and r["structuredContent"]["next_start"] is None
    assert "capacity-report.pdf (application/pdf" in r["text"] and "id att98325" in r["text"]


async def test_get_attachments_filters_and_pages(conf: FakeConfluence, tool: Call) -> None:
    by_name = await tool("confluence_get_attachments", {"content_id": PAGE, "filename": "deployment-notes.txt"})
    assert [a["id"] for a in by_name["structuredContent"]["attachments"]] == ["att98324"]
    path = f"/wiki/api/v2/pages/{PAGE}/attachments" if conf.cloud else f"/content/{PAGE}/child/attachment"
    assert conf.last_request("GET", path).query["filename"] == "deployment-notes.txt"
    by_type = await tool("confluence_get_attachments", {"content_id": PAGE, "media_type": "application/pdf"})
    assert [a["title"] for a in by_type["structuredContent"]["attachments"]] == ["capacity-report.pdf"]
    assert conf.last_request("GET", path).query["mediaType"] == "application/pdf"
    second = await tool("confluence_get_attachments", {"content_id": PAGE, "start": 1, "limit": 1})
    s = second["structuredContent"]
    assert [a["title"] for a in s["attachments"]] == ["deployment-notes.txt"] and s["next_start"] == 2
    assert "start=2" in second["text"]
    if conf.cloud:  # v2 has cursors only: the first two are asked for, and the first left out
        assert conf.last_request("GET", path).query == {"limit": "2"}
    else:
        assert conf.last_request("GET", path).query["start"] == "1"
    last = await tool("confluence_get_attachments", {"content_id": PAGE, "start": 2, "limit": 5})
    assert [a["title"] for a in last["structuredContent"]["attachments"]] == ["capacity-report.pdf"]
    assert last["structuredContent"]["next_start"] is None
    none = await tool("confluence_get_attachments", {"content_id": "98312"})
    assert not none["isError"] and "has no attachments" in none["text"]


async def test_get_attachments_of_an_unknown_page(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_attachments", {"content_id": "99999"})
    assert r["isError"] and "404" in r["text"]


async def test_bad_arguments_send_nothing(conf: FakeConfluence, tool: Call) -> None:
    for name, args in (
        ("confluence_get_attachments", {"content_id": "../98310"}),
        ("confluence_get_attachments", {"content_id": PAGE, "limit": 101}),
        ("confluence_get_attachments", {"content_id": PAGE, "media_type": "image/png\r\nX: y"}),
        ("confluence_download_attachment", {"attachment_id": "att98323/../x"}),
        ("confluence_delete_attachment", {"attachment_id": "att-1"}),
        ("confluence_get_page_images", {"content_id": PAGE, "path": "/tmp"}),
    ):
        r = await tool(name, args)
        assert r["isError"], (name, args)
    assert not conf.requests


# ---------------------------------------------------------------------------------------------- one download


async def test_download_attachment_image_text_and_blob(conf: FakeConfluence, tool: Call) -> None:
    image = await tool("confluence_download_attachment", {"attachment_id": "att98323"})
    assert not image["isError"], image["text"]
    assert meta_request(conf, "att98323").identity == "cara"
    assert bytes_request(conf, "att98323", "architecture-diagram.png").identity == "cara"
    assert [c["type"] for c in image["content"]] == ["text", "image"]
    assert image["content"][1]["mimeType"] == "image/png"
    assert base64.b64decode(image["content"][1]["data"]) == DIAGRAM_PNG
    assert "architecture-diagram.png" in image["text"] and "image is included" in image["text"]
    assert image["structuredContent"]["attachment"]["size"] == len(DIAGRAM_PNG)

    text = await tool("confluence_download_attachment", {"attachment_id": "98324"})  # the bare number works too
    assert not text["isError"], text["text"]
    resource = text["content"][1]["resource"]
    assert resource["mimeType"] == "text/plain" and resource["text"] == NOTES_TEXT.decode()
    assert resource["uri"] == conf.base_url + text["structuredContent"]["attachment"]["download_path"]

    blob = await tool("confluence_download_attachment", {"attachment_id": "att98325"})
    assert not blob["isError"], blob["text"]
    resource = blob["content"][1]["resource"]
    assert resource["mimeType"] == "application/pdf" and base64.b64decode(resource["blob"]) == REPORT_PDF
    assert "text" not in resource
    assert served(conf) == len(DIAGRAM_PNG) + len(NOTES_TEXT) + len(REPORT_PDF)


async def test_download_over_the_limit_is_refused_before_any_byte(conf: FakeConfluence) -> None:
    limit = len(REPORT_PDF) - 1
    env = env_of(conf, PASSTHROUGH_MAX_ATTACHMENT_BYTES=str(limit))
    r = await call_with(conf, env, "confluence_download_attachment", {"attachment_id": "att98325"})
    assert r["isError"] and "capacity-report.pdf" in r["text"] and "PASSTHROUGH_MAX_ATTACHMENT_BYTES" in r["text"]
    assert meta_request(conf, "att98325")  # the metadata was read …
    assert not byte_requests(conf) and served(conf) == 0  # … and not one byte of the file asked for


async def test_a_download_longer_than_it_said_is_cut_off(conf: FakeConfluence) -> None:
    attachments_of(conf.state).attachments["98325"]["reported_size"] = 1000  # the metadata understates the size
    env = env_of(conf, PASSTHROUGH_MAX_ATTACHMENT_BYTES="20000")
    r = await call_with(conf, env, "confluence_download_attachment", {"attachment_id": "att98325"})
    assert r["isError"] and "larger than 20000 bytes" in r["text"], r["text"]
    assert len(byte_requests(conf)) == 1 and len(r["content"]) == 1


async def test_download_of_an_unknown_attachment(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_download_attachment", {"attachment_id": "att99999"})
    assert r["isError"] and "No attachment att99999" in r["text"] and "confluence_get_attachments" in r["text"]
    assert not byte_requests(conf)


async def test_cloud_downloads_follow_the_media_redirect_without_the_credential(
    conf: FakeConfluence, tool: Call
) -> None:
    if not conf.cloud:
        pytest.skip("Cloud only")
    kept = attachments_of(conf.state)
    r = await tool("confluence_download_attachment", {"attachment_id": "att98323"})
    assert not r["isError"], r["text"]
    assert any(c["type"] == "image" for c in r["content"]) and served(conf) > 0
    # the media fetch carried the signed URL's token and no credential or cookie of the user
    assert kept.media_requests == [{"authorization": None, "cookie": None}]
    media = [q for q in conf.requests if q.path.startswith("/media/file/")]
    assert len(media) == 1 and media[0].query["token"] and media[0].identity is None


async def test_a_redirect_anywhere_but_the_media_service_is_not_followed(conf: FakeConfluence, tool: Call) -> None:
    if not conf.cloud:
        pytest.skip("Cloud only")
    kept = attachments_of(conf.state)
    kept.media_host = "https://media.example.net/media"
    r = await tool("confluence_download_attachment", {"attachment_id": "att98323"})
    assert r["isError"] and "redirect to https://media.example.net" in r["text"] and "ATLASSIAN_MEDIA_URL" in r["text"]
    assert not kept.media_requests and served(conf) == 0
    # the operator's media URL decides: with the default (Atlassian's own), the fake's is refused as well
    kept.media_host = None
    env = {"CONFLUENCE_URL": conf.base_url, "CONFLUENCE_DEPLOYMENT": "cloud"}
    r = await call_with(conf, env, "confluence_download_attachment", {"attachment_id": "att98323"})
    assert r["isError"] and "api.media.atlassian.com" in r["text"] and served(conf) == 0


# ---------------------------------------------------------------------------------------------- a page's files


async def test_download_content_attachments_returns_them_all(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_download_content_attachments", {"content_id": PAGE})
    assert not r["isError"], r["text"]
    assert [c["type"] for c in r["content"]] == ["text", "image", "resource", "resource"]
    assert r["content"][2]["resource"]["text"] == NOTES_TEXT.decode()
    assert base64.b64decode(r["content"][3]["resource"]["blob"]) == REPORT_PDF
    s = r["structuredContent"]
    assert s["total"] == 3 and s["downloaded"] == 3 and s["skipped"] == []
    assert f"Page {PAGE}: 3 attachments, 3 included below." in r["text"]
    assert served(conf) == len(DIAGRAM_PNG) + len(NOTES_TEXT) + len(REPORT_PDF)


async def test_download_content_attachments_skips_those_over_the_limit(conf: FakeConfluence) -> None:
    limit = len(NOTES_TEXT) + 1
    env = env_of(conf, PASSTHROUGH_MAX_ATTACHMENT_BYTES=str(limit))
    r = await call_with(conf, env, "confluence_download_content_attachments", {"content_id": PAGE})
    assert not r["isError"], r["text"]
    assert [c["type"] for c in r["content"]] == ["text", "image", "resource"]
    skipped = r["structuredContent"]["skipped"]
    assert [s["title"] for s in skipped] == ["capacity-report.pdf"]
    assert "PASSTHROUGH_MAX_ATTACHMENT_BYTES" in skipped[0]["reason"]
    assert "capacity-report.pdf" in r["text"] and "not fetched" in r["text"]
    assert served(conf) == len(DIAGRAM_PNG) + len(NOTES_TEXT)  # none of the PDF
    assert not [q for q in byte_requests(conf) if "98325" in q.path or "capacity-report" in q.path]


async def test_download_content_attachments_within_the_answer_budget(conf: FakeConfluence) -> None:
    # room for about 8 KiB of files in one answer: the PNG and the notes fit, the PDF does not
    reply = (64 * 1024 + 8 * 1024) * 4 // 3
    env = env_of(conf, PASSTHROUGH_MAX_REPLY_BYTES=str(reply))
    r = await call_with(conf, env, "confluence_download_content_attachments", {"content_id": PAGE})
    assert not r["isError"], r["text"]
    skipped = r["structuredContent"]["skipped"]
    assert [s["title"] for s in skipped] == ["capacity-report.pdf"]
    assert "reply limit" in skipped[0]["reason"] and "confluence_download_attachment" in skipped[0]["reason"]
    assert served(conf) == len(DIAGRAM_PNG) + len(NOTES_TEXT)


async def test_get_page_images_returns_only_images(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_get_page_images", {"content_id": PAGE})
    assert not r["isError"], r["text"]
    assert [c["type"] for c in r["content"]] == ["text", "image"]
    assert base64.b64decode(r["content"][1]["data"]) == DIAGRAM_PNG
    assert [i["title"] for i in r["structuredContent"]["images"]] == ["architecture-diagram.png"]
    assert served(conf) == len(DIAGRAM_PNG)
    none = await tool("confluence_get_page_images", {"content_id": "98312"})
    assert not none["isError"] and "has no images" in none["text"] and len(none["content"]) == 1


async def test_an_image_by_its_file_name(conf: FakeConfluence, tool: Call) -> None:
    kept = attachments_of(conf.state)
    kept.add("98312", "schema.png", "application/octet-stream", DIAGRAM_PNG, "", "cara", replace=False)
    r = await tool("confluence_get_page_images", {"content_id": "98312"})
    assert [c["type"] for c in r["content"]] == ["text", "image"]
    assert r["content"][1]["mimeType"] == "image/png"


# ---------------------------------------------------------------------------------------------- uploads


def _parts(body: bytes) -> dict[str, list[bytes]]:
    """The multipart body's parts by their Content-Disposition line."""
    found: dict[str, list[bytes]] = {}
    boundary = body.split(b"\r\n", 1)[0]
    for chunk in body.split(boundary)[1:-1]:
        head, _, data = chunk[2:-2].partition(b"\r\n\r\n")
        disposition = head.split(b"\r\n")[0].decode()
        found.setdefault(disposition, []).append(data)
    return found


async def test_upload_attachment_sends_the_bytes_inline(conf: FakeConfluence, tool: Call) -> None:
    data = b"name,size\nfoo,1\n"
    args = {
        "content_id": "98312",
        "content_base64": base64.b64encode(data).decode(),
        "filename": "../../etc/sizes.csv",
        "comment": "Sizes of Q1",
        "minor_edit": True,
    }
    r = await tool("confluence_upload_attachment", args)
    assert not r["isError"], r["text"]
    sent = conf.last_request("PUT", "/rest/api/content/98312/child/attachment")
    assert sent.path.startswith("/wiki/rest/api/" if conf.cloud else "/rest/api/")
    assert sent.headers["x-atlassian-token"] == "no-check" and sent.identity == "cara"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = _parts(sent.body)
    assert parts['Content-Disposition: form-data; name="file"; filename="sizes.csv"'] == [data]
    assert parts['Content-Disposition: form-data; name="comment"'] == [b"Sizes of Q1"]
    assert parts['Content-Disposition: form-data; name="minorEdit"'] == [b"true"]
    stored = attachments_of(conf.state).named("98312", "sizes.csv")
    assert stored is not None and stored["content"] == data and stored["media_type"] == "text/csv"
    row = r["structuredContent"]["attachments"][0]
    assert row["title"] == "sizes.csv" and row["id"] == f"att{stored['id']}" and row["page_id"] == "98312"
    assert "Attached to page 98312" in r["text"] and "sizes.csv (text/csv, 16 bytes" in r["text"]

    again = await tool("confluence_upload_attachment", {**args, "content_base64": base64.b64encode(b"x").decode()})
    assert not again["isError"], again["text"]
    assert stored["version"] == 2 and stored["content"] == b"x"  # the same name: a new version, not a new file
    assert "version 2" in again["text"]
    assert _parts(conf.last_request("PUT", "/child/attachment").body)[
        'Content-Disposition: form-data; name="minorEdit"'
    ] == [b"true"]


async def test_upload_attachment_refuses_a_server_path_and_opens_nothing(
    conf: FakeConfluence, tool: Call, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for upload")
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file: Any, *a: Any, **k: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *a, **k)

    def spy_os_open(path: Any, *a: Any, **k: Any) -> int:
        opened.append(str(path))
        return real_os_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    r = await tool("confluence_upload_attachment", {"content_id": "98312", "file_path": str(secret)})
    monkeypatch.undo()
    assert r["isError"] and "file_path" in r["text"] and "content_base64" in r["text"]
    assert "never reads or writes its own files" in r["text"]
    assert str(secret) not in opened
    assert not conf.requests


async def test_upload_attachment_checks_before_sending(conf: FakeConfluence) -> None:
    env = env_of(conf, PASSTHROUGH_MAX_ATTACHMENT_BYTES="100")
    big = base64.b64encode(b"x" * 101).decode()
    for args, words in (
        ({"content_base64": "not base64!", "filename": "a.txt"}, "not base64"),
        ({"content_base64": big, "filename": "a.txt"}, "PASSTHROUGH_MAX_ATTACHMENT_BYTES"),
        ({"content_base64": base64.b64encode(b"x" * 5000).decode(), "filename": "a.txt"}, "limit of 100 bytes"),
        ({"content_base64": "eA==", "filename": "../.."}, "no usable file name"),
        ({"filename": "a.txt"}, "content_base64 and filename are required"),
    ):
        r = await call_with(conf, env, "confluence_upload_attachment", {"content_id": "98312", **args})
        assert r["isError"] and words in r["text"], (args, r["text"])
    assert not conf.requests


async def test_upload_attachments_sends_all_in_one_request(conf: FakeConfluence, tool: Call) -> None:
    files = [
        {"filename": "one.txt", "content_base64": base64.b64encode(b"first").decode()},
        {
            "filename": "two.json",
            "content_base64": base64.b64encode(b"{}").decode(),
            "content_type": "application/json",
        },
    ]
    r = await tool("confluence_upload_attachments", {"content_id": "98312", "attachments": files, "comment": "Both"})
    assert not r["isError"], r["text"]
    sent = conf.requests_to("/rest/api/content/98312/child/attachment")
    assert [q.method for q in sent] == ["PUT"]
    parts = _parts(sent[0].body)
    assert parts['Content-Disposition: form-data; name="file"; filename="one.txt"'] == [b"first"]
    assert parts['Content-Disposition: form-data; name="file"; filename="two.json"'] == [b"{}"]
    assert parts['Content-Disposition: form-data; name="comment"'] == [b"Both", b"Both"]
    assert parts['Content-Disposition: form-data; name="minorEdit"'] == [b"false"]
    kept = attachments_of(conf.state)
    two = kept.named("98312", "two.json")
    assert two is not None and two["media_type"] == "application/json" and two["version_message"] == "Both"
    assert r["structuredContent"]["total"] == 2
    assert [a["title"] for a in r["structuredContent"]["attachments"]] == ["one.txt", "two.json"]
    assert "one.txt" in r["text"] and "two.json" in r["text"]


async def test_upload_attachments_refuses_file_paths_naming_the_alternative(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_upload_attachments", {"content_id": "98312", "file_paths": "/etc/passwd,/etc/hosts"})
    assert r["isError"] and "file_paths" in r["text"] and "attachments: [{filename, content_base64}]" in r["text"]
    dup = {"filename": "a.txt", "content_base64": "eA=="}
    same = await tool("confluence_upload_attachments", {"content_id": "98312", "attachments": [dup, dup]})
    assert same["isError"] and "same name" in same["text"]
    paths = await tool("confluence_upload_attachments", {"content_id": "98312", "attachments": "/etc/passwd"})
    assert paths["isError"] and "never reads its own files" in paths["text"]
    bad = await tool(
        "confluence_upload_attachments", {"content_id": "98312", "attachments": [{**dup, "content_base64": "%%"}]}
    )
    assert bad["isError"] and "not base64" in bad["text"]
    assert not conf.requests


async def test_upload_to_an_unknown_page(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_upload_attachment", {"content_id": "99999", "content_base64": "eA==", "filename": "x"})
    assert r["isError"] and "404" in r["text"]


# ---------------------------------------------------------------------------------------------- delete


async def test_delete_attachment_says_what_it_deleted(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_delete_attachment", {"attachment_id": "att98324"})
    assert not r["isError"], r["text"]
    meta_request(conf, "att98324")
    if conf.cloud:
        sent = conf.last_request("DELETE", "/wiki/api/v2/attachments/98324")
    else:
        sent = conf.last_request("DELETE", "/rest/api/content/att98324")
    assert sent.identity == "cara" and sent.status == 204
    kept = attachments_of(conf.state)
    assert "98324" not in kept.attachments and "98324" in kept.trash
    assert "deployment-notes.txt" in r["text"] and f"page {PAGE}" in r["text"]
    assert r["structuredContent"] == {
        "deleted": True,
        "id": "att98324",
        "title": "deployment-notes.txt",
        "page_id": PAGE,
    }
    gone = await tool("confluence_get_attachments", {"content_id": PAGE})
    assert "att98324" not in [a["id"] for a in gone["structuredContent"]["attachments"]]


async def test_delete_of_an_unknown_attachment_deletes_nothing(conf: FakeConfluence, tool: Call) -> None:
    r = await tool("confluence_delete_attachment", {"attachment_id": "att99999"})
    assert r["isError"] and "No attachment att99999" in r["text"]
    assert not [q for q in conf.requests if q.method == "DELETE"]
    assert len(attachments_of(conf.state).attachments) == 3


async def test_read_only_withholds_uploads_and_deletes(conf: FakeConfluence) -> None:
    env = env_of(conf, PASSTHROUGH_READ_ONLY="true")
    writes = {
        "confluence_delete_attachment": {"attachment_id": "att98324"},
        "confluence_upload_attachment": {"content_id": PAGE, "content_base64": "eA==", "filename": "x.txt"},
        "confluence_upload_attachments": {
            "content_id": PAGE,
            "attachments": [{"filename": "x", "content_base64": "eA=="}],
        },
    }
    headers = headers_for(CARA, conf.deployment)
    async with serve(make_settings(env)) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
        names = {t["name"] for t in listed["result"]["tools"]}
        assert "confluence_download_attachment" in names and names.isdisjoint(writes)
        for rid, (name, args) in enumerate(writes.items(), start=2):
            body = {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": args}}
            r = (await http.post("/mcp", json=body, headers=headers)).json()
            assert "read-only" in r["error"]["message"], name
    assert not conf.requests, "nothing reaches Confluence"
    assert "98324" in attachments_of(conf.state).attachments


async def test_annotations(conf: FakeConfluence) -> None:
    async with serve(make_settings(env_of(conf))) as url, httpx.AsyncClient(base_url=url, timeout=20) as http:
        listed = (await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})).json()
    tools = {t["name"]: t for t in listed["result"]["tools"] if t["name"].startswith("confluence_")}
    assert tools["confluence_delete_attachment"]["annotations"]["destructiveHint"] is True
    assert tools["confluence_upload_attachments"]["annotations"]["readOnlyHint"] is False
    assert tools["confluence_get_attachments"]["annotations"]["readOnlyHint"] is True
    schema = tools["confluence_upload_attachments"]["inputSchema"]
    assert "file_paths" not in schema["properties"] and schema["required"] == ["content_id", "attachments"]
