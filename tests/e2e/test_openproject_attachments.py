"""OpenProject work package attachments against the fake OpenProject: list, download as MCP content (the
metadata first, the limit checked before any byte is fetched, no redirect to external storage followed),
upload inline as OpenProject's two-part multipart request, delete; refusals before anything is sent, the
fake's real upload errors, and read-only mode."""

from __future__ import annotations

import base64
import builtins
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from passthrough.sandbox.fakes.openproject._attachments_state import (
    BROWSER_TRACE,
    SCREENSHOT_PNG,
    SERVER_LOG,
    attachments_of,
)
from tests.e2e._openproject import (
    ANNA,
    API,
    AS_OTTO,
    OTTO,
    Call,
    assert_read_only_refuses,
    openproject_fixture,
    passthrough,
    tool_fixture,
    tools_listed,
)
from tests.fakes import FakeOpenProject

BUG = 5  # "Login page returns 500 on an empty password": login-error.png (11), server.log (12), browser-trace.zip (13)
S3 = "https://op-files.s3.eu-central-1.amazonaws.com"

op = openproject_fixture(ANNA, OTTO)
tool = tool_fixture()


async def call_with(op: FakeOpenProject, env: dict[str, str], name: str, args: dict[str, Any]) -> dict[str, Any]:
    async with passthrough(op, env=env) as call:
        result: dict[str, Any] = await call(name, args)
        return result


def served(op: FakeOpenProject) -> int:
    return attachments_of(op.state).served_bytes


def paths(op: FakeOpenProject, method: str = "GET") -> list[str]:
    """The API paths the fake received for `method`, in order, without /users/me (the key's check)."""
    return [r.path.removeprefix(API) for r in op.requests if r.method == method and r.path != API + "/users/me"]


def content_requests(op: FakeOpenProject) -> list[str]:
    return [p for p in paths(op) if p.endswith("/content")]


def parts(body: bytes) -> list[tuple[dict[str, str], bytes]]:
    """A multipart body's parts, in order: (headers with lower-cased names, bytes)."""
    boundary = body.split(b"\r\n", 1)[0]
    assert body.endswith(boundary + b"--\r\n")
    found = []
    for chunk in body.split(boundary)[1:-1]:
        head, _, data = chunk[2:-2].partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        found.append(({k.lower(): v for k, v in headers.items()}, data))
    return found


# ---------------------------------------------------------------------------------------------- listing


async def test_list_attachments(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_work_package_attachments", {"work_package_id": BUG})
    assert not r["isError"], r["text"]
    sent = op.last_request("GET", f"{API}/work_packages/{BUG}/attachments")
    assert sent.identity == "anna" and sent.query == {}
    assert f"Work package #{BUG}: 3 attachment(s)" in r["text"]
    assert f"- login-error.png (image/png, {len(SCREENSHOT_PNG)} bytes, id 11), by Anna Admin, 2026-" in r["text"]
    assert ": What the login page shows after the 500" in r["text"]
    assert f"- browser-trace.zip (application/zip, {len(BROWSER_TRACE) / 1024:.1f} KiB, id 13)" in r["text"]
    s = r["structuredContent"]
    assert s["work_package_id"] == BUG and s["total"] == 3
    assert [a["id"] for a in s["attachments"]] == [11, 12, 13]
    log = s["attachments"][1]
    assert log["filename"] == "server.log" and log["mime_type"] == "text/plain" and log["size"] == len(SERVER_LOG)
    assert log["author"] == "Anna Admin" and log["author_id"] == "5" and log["created"].startswith("2026-01-")
    assert log["description"] is None and log["work_package_id"] == BUG
    assert log["download_path"] == f"{API}/attachments/12/content"
    assert served(op) == 0, "listing fetches no file"

    # the peer's spelling of the argument; a work package without attachments
    empty = await tool("openproject_list_work_package_attachments", {"workPackageId": 2})
    assert not empty["isError"] and "Work package #2 has no attachments." in empty["text"]
    assert empty["structuredContent"]["attachments"] == []


async def test_list_attachments_of_an_unknown_work_package(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_list_work_package_attachments", {"work_package_id": 9999})
    assert r["isError"] and "404" in r["text"] and "cannot be found" in r["text"]
    before = len(op.requests)
    bad = await tool("openproject_list_work_package_attachments", {"work_package_id": "five"})
    assert bad["isError"] and len(op.requests) == before, "a bad id is refused before anything is sent"


# ---------------------------------------------------------------------------------------------- one download


async def test_download_image_text_and_blob(op: FakeOpenProject, tool: Call) -> None:
    image = await tool("openproject_download_attachment", {"attachment_id": 11})
    assert not image["isError"], image["text"]
    assert paths(op) == ["/attachments/11", "/attachments/11/content"], "the metadata first, then the bytes"
    assert op.last_request("GET", f"{API}/attachments/11/content").identity == "anna"
    assert [c["type"] for c in image["content"]] == ["text", "image"]
    assert image["content"][1]["mimeType"] == "image/png"
    assert base64.b64decode(image["content"][1]["data"]) == SCREENSHOT_PNG
    assert image["text"].startswith(
        f"login-error.png (image/png, {len(SCREENSHOT_PNG)} bytes, id 11, work package #5 Login page returns 500"
    )
    assert "the image is included below" in image["text"]
    assert image["structuredContent"]["attachment"]["fetched"] is True

    text = await tool("openproject_download_attachment", {"attachmentId": 12})
    assert not text["isError"], text["text"]
    resource = text["content"][1]["resource"]
    assert resource["mimeType"] == "text/plain" and resource["text"] == SERVER_LOG.decode()
    assert resource["uri"] == f"{op.url}{API}/attachments/12/content"

    blob = await tool("openproject_download_attachment", {"attachment_id": 13})
    assert not blob["isError"], blob["text"]
    resource = blob["content"][1]["resource"]
    assert resource["mimeType"] == "application/zip" and base64.b64decode(resource["blob"]) == BROWSER_TRACE
    assert "text" not in resource and "the file is included below" in blob["text"]
    assert served(op) == len(SCREENSHOT_PNG) + len(SERVER_LOG) + len(BROWSER_TRACE)


async def test_download_over_the_limit_is_refused_before_any_byte(op: FakeOpenProject) -> None:
    env = {"PASSTHROUGH_MAX_ATTACHMENT_BYTES": str(len(BROWSER_TRACE) - 1)}
    r = await call_with(op, env, "openproject_download_attachment", {"attachment_id": 13})
    assert r["isError"] and "browser-trace.zip (attachment 13) was not downloaded" in r["text"]
    assert "over this server's limit" in r["text"] and "PASSTHROUGH_MAX_ATTACHMENT_BYTES" in r["text"]
    assert paths(op) == ["/attachments/13"], "the metadata was read, and not one byte of the file asked for"
    assert served(op) == 0


async def test_a_download_longer_than_it_said_is_cut_off(op: FakeOpenProject) -> None:
    attachments_of(op.state).attachments[13]["reported_size"] = 1000  # the metadata understates the size
    env = {"PASSTHROUGH_MAX_ATTACHMENT_BYTES": "20000"}
    r = await call_with(op, env, "openproject_download_attachment", {"attachment_id": 13})
    assert r["isError"] and "larger than 20000 bytes" in r["text"], r["text"]
    assert content_requests(op) == ["/attachments/13/content"] and len(r["content"]) == 1


async def test_download_of_an_unknown_attachment(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_download_attachment", {"attachment_id": 999})
    assert r["isError"] and "No attachment 999 is visible to this user" in r["text"]
    assert "openproject_list_work_package_attachments" in r["text"]
    assert not content_requests(op)
    before = len(op.requests)
    for bad in (0, -1, 2**40, "eleven"):
        refused = await tool("openproject_download_attachment", {"attachment_id": bad})
        assert refused["isError"], bad
    assert len(op.requests) == before


async def test_external_storage_redirects_are_not_followed(op: FakeOpenProject, tool: Call) -> None:
    kept = attachments_of(op.state)
    kept.external_storage = S3  # the instance keeps its files in S3: /content answers with a signed URL there
    async with httpx.AsyncClient(timeout=10) as http:
        meta = await http.get(f"{op.url}{API}/attachments/11", headers={"Authorization": f"Bearer {ANNA.api_key}"})
    assert meta.json()["_links"]["downloadLocation"]["href"].startswith(S3 + "/uploads/")

    r = await tool("openproject_download_attachment", {"attachment_id": 11})
    assert r["isError"], r["text"]
    assert "stores its attachment files in external storage" in r["text"] and S3 in r["text"]
    assert "X-Amz-Signature" not in r["text"], "the signed URL is not shown"
    # the bytes were asked for at the path built of the id (not the downloadLocation), once, and not followed
    assert content_requests(op) == ["/attachments/11/content"] and served(op) == 0

    every = await tool("openproject_download_work_package_attachments", {"work_package_id": BUG})
    assert not every["isError"], every["text"]
    assert len(every["content"]) == 1 and every["structuredContent"]["downloaded"] == 0
    reasons = [s["reason"] for s in every["structuredContent"]["skipped"]]
    assert len(reasons) == 3 and all("external storage" in why for why in reasons)
    assert served(op) == 0

    # a redirect within the configured origin is not followed either, and not called external storage
    kept.external_storage = op.url
    inside = await tool("openproject_download_attachment", {"attachment_id": 12})
    assert inside["isError"] and "with a redirect within http://127.0.0.1" in inside["text"]
    assert "OPENPROJECT_URL" in inside["text"] and "external storage" not in inside["text"]
    assert content_requests(op)[-1] == "/attachments/12/content" and served(op) == 0


# ---------------------------------------------------------------------------------------------- a work package's files


async def test_download_work_package_attachments(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_download_work_package_attachments", {"work_package_id": BUG})
    assert not r["isError"], r["text"]
    assert paths(op) == [f"/work_packages/{BUG}/attachments", *(f"/attachments/{n}/content" for n in (11, 12, 13))]
    assert [c["type"] for c in r["content"]] == ["text", "image", "resource", "resource"]
    assert r["content"][2]["resource"]["text"] == SERVER_LOG.decode()
    assert base64.b64decode(r["content"][3]["resource"]["blob"]) == BROWSER_TRACE
    s = r["structuredContent"]
    assert s["total"] == 3 and s["downloaded"] == 3 and s["skipped"] == []
    assert f"Work package #{BUG}: 3 attachment(s), 3 included below." in r["text"]
    assert served(op) == len(SCREENSHOT_PNG) + len(SERVER_LOG) + len(BROWSER_TRACE)


async def test_download_chosen_attachments(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_download_work_package_attachments", {"work_package_id": BUG, "attachment_ids": [12]})
    assert not r["isError"], r["text"]
    assert content_requests(op) == ["/attachments/12/content"]
    assert [a["filename"] for a in r["structuredContent"]["attachments"]] == ["server.log"]
    assert served(op) == len(SERVER_LOG)

    unknown = await tool(
        "openproject_download_work_package_attachments", {"work_package_id": BUG, "attachmentIds": [12, 14]}
    )
    assert unknown["isError"] and f"Work package #{BUG} has no attachment with id 14" in unknown["text"]
    assert content_requests(op) == ["/attachments/12/content"], "nothing fetched for a wrong id"


async def test_download_work_package_attachments_skips_those_over_the_limit(op: FakeOpenProject) -> None:
    env = {"PASSTHROUGH_MAX_ATTACHMENT_BYTES": str(len(SERVER_LOG) + 1)}
    r = await call_with(op, env, "openproject_download_work_package_attachments", {"work_package_id": BUG})
    assert not r["isError"], r["text"]
    assert [c["type"] for c in r["content"]] == ["text", "image", "resource"]
    skipped = r["structuredContent"]["skipped"]
    assert [s["filename"] for s in skipped] == ["browser-trace.zip"]
    assert "PASSTHROUGH_MAX_ATTACHMENT_BYTES" in skipped[0]["reason"]
    assert "- browser-trace.zip" in r["text"] and "not fetched" in r["text"]
    assert "/attachments/13/content" not in content_requests(op)
    assert served(op) == len(SCREENSHOT_PNG) + len(SERVER_LOG)  # none of the trace


async def test_download_work_package_attachments_within_the_answer_budget(op: FakeOpenProject) -> None:
    # room for about 8 KiB of files in one answer: the screenshot and the log fit, the trace does not
    env = {"PASSTHROUGH_MAX_REPLY_BYTES": str((64 * 1024 + 8 * 1024) * 4 // 3)}
    r = await call_with(op, env, "openproject_download_work_package_attachments", {"work_package_id": BUG})
    assert not r["isError"], r["text"]
    skipped = r["structuredContent"]["skipped"]
    assert [s["filename"] for s in skipped] == ["browser-trace.zip"]
    assert "reply limit" in skipped[0]["reason"] and "attachment_ids" in skipped[0]["reason"]
    assert served(op) == len(SCREENSHOT_PNG) + len(SERVER_LOG)


# ---------------------------------------------------------------------------------------------- uploads


async def test_upload_sends_metadata_and_file_parts(op: FakeOpenProject, tool: Call) -> None:
    data = b"name,size\nfoo,1\n"
    args = {
        "work_package_id": BUG,
        "filename": "../../etc/sizes.csv",
        "content_base64": base64.b64encode(data).decode(),
        "description": "Sizes measured on Tuesday",
    }
    r = await tool("openproject_upload_attachment", args)
    assert not r["isError"], r["text"]
    sent = op.last_request("POST", f"{API}/work_packages/{BUG}/attachments")
    assert sent.identity == "anna" and sent.status == 201
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    (meta_headers, meta), (file_headers, content) = parts(sent.body)
    assert meta_headers["content-disposition"] == 'form-data; name="metadata"'
    assert meta_headers["content-type"].startswith("application/json")
    assert json.loads(meta) == {"fileName": "sizes.csv", "description": {"raw": "Sizes measured on Tuesday"}}
    assert file_headers["content-disposition"] == 'form-data; name="file"; filename="sizes.csv"'
    assert file_headers["content-type"] == "text/csv" and content == data

    stored = attachments_of(op.state).attachments[101]
    assert stored["container"] == BUG and stored["content"] == data and stored["author"] == ANNA.id
    assert stored["description"] == "Sizes measured on Tuesday"
    assert r["text"] == (
        "Attached sizes.csv (text/csv, 16 bytes, id 101) to work package #5 Login page returns 500 on an empty "
        "password.\n"
    )
    row = r["structuredContent"]["attachment"]
    assert row["id"] == 101 and row["size"] == len(data) and row["work_package_id"] == BUG

    # it is there to list and download
    listed = await tool("openproject_list_work_package_attachments", {"work_package_id": BUG})
    assert [a["id"] for a in listed["structuredContent"]["attachments"]] == [11, 12, 13, 101]
    back = await tool("openproject_download_attachment", {"attachment_id": 101})
    assert back["content"][1]["resource"]["text"] == data.decode()


async def test_upload_with_a_content_type_and_no_description(op: FakeOpenProject, tool: Call) -> None:
    args = {
        "workPackageId": 1,
        "fileName": "diagram",
        "content_base64": base64.b64encode(SCREENSHOT_PNG).decode(),
        "mime_type": "image/png",
    }
    r = await tool("openproject_upload_attachment", args)
    assert not r["isError"], r["text"]
    (_, meta), (file_headers, content) = parts(op.last_request("POST", f"{API}/work_packages/1/attachments").body)
    assert json.loads(meta) == {"fileName": "diagram"}
    assert file_headers["content-type"] == "image/png" and content == SCREENSHOT_PNG
    assert "Attached diagram (image/png, 74 bytes, id 101) to work package #1 Project kick-off." in r["text"]


async def test_upload_refuses_a_server_path_and_opens_nothing(
    op: FakeOpenProject, tool: Call, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
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
    r = await tool("openproject_upload_attachment", {"work_package_id": BUG, "file_path": str(secret)})
    monkeypatch.undo()
    assert r["isError"] and "file_path names a file on the server" in r["text"] and "content_base64" in r["text"]
    assert "never reads or writes its own files" in r["text"]
    assert str(secret) not in opened
    assert not op.requests, "nothing was sent"


async def test_upload_checks_before_sending(op: FakeOpenProject) -> None:
    env = {"PASSTHROUGH_MAX_ATTACHMENT_BYTES": "100"}
    for args, words in (
        ({"content_base64": "not base64!", "filename": "a.txt"}, "not base64"),
        ({"content_base64": base64.b64encode(b"x" * 101).decode(), "filename": "a.txt"}, "limit of 100 bytes"),
        ({"content_base64": base64.b64encode(b"x" * 5000).decode(), "filename": "a.txt"}, "PASSTHROUGH_MAX_ATTACHMENT"),
        ({"content_base64": "eA==", "filename": "../.."}, "no usable file name"),
        ({"filename": "a.txt"}, "content_base64"),
        ({"content_base64": "eA=="}, "filename"),
        ({"content_base64": "eA==", "filename": "a.txt", "content_type": "not a type"}, "content_type"),
    ):
        r = await call_with(op, env, "openproject_upload_attachment", {"work_package_id": BUG, **args})
        assert r["isError"] and words in r["text"], (args, r["text"])
    assert not paths(op, "POST"), "no upload was sent"
    assert attachments_of(op.state).of_work_package(BUG) != [] and 101 not in attachments_of(op.state).attachments


async def test_upload_errors_from_openproject(op: FakeOpenProject, tool: Call) -> None:
    attachments_of(op.state).max_size = 10  # the instance's own, lower limit
    args = {"work_package_id": BUG, "filename": "big.txt", "content_base64": base64.b64encode(b"x" * 20).decode()}
    r = await tool("openproject_upload_attachment", args)
    assert r["isError"] and "422" in r["text"] and "File is too large (maximum size is 10 Bytes)." in r["text"]
    missing = await tool("openproject_upload_attachment", {**args, "work_package_id": 9999})
    assert missing["isError"] and "404" in missing["text"] and "cannot be found" in missing["text"]
    assert 101 not in attachments_of(op.state).attachments


async def test_upload_needs_permission_in_the_project(op: FakeOpenProject) -> None:
    # Otto is a Member of the demo project only; #21 is in the scrum project
    async with passthrough(op, AS_OTTO) as otto:
        args = {"filename": "a.txt", "content_base64": "eA=="}
        refused = await otto("openproject_upload_attachment", {"work_package_id": 21, **args})
        assert refused["isError"] and "403" in refused["text"], refused["text"]
        done = await otto("openproject_upload_attachment", {"work_package_id": BUG, **args})
        assert not done["isError"], done["text"]
    assert op.last_request("POST", f"{API}/work_packages/{BUG}/attachments").identity == "otto"
    assert [a["container"] for a in attachments_of(op.state).attachments.values() if a["id"] > 100] == [BUG]


async def test_the_fake_reads_uploads_as_openproject_does(op: FakeOpenProject) -> None:
    """The fake's parser: the real part names, and OpenProject's 400/415/422 HAL errors for what is missing."""
    url = f"{op.url}{API}/work_packages/{BUG}/attachments"
    auth = {"Authorization": f"Bearer {ANNA.api_key}"}
    metadata = ("", json.dumps({"fileName": "a.txt"}), "application/json")
    file = ("a.txt", b"hello", "text/plain")
    async with httpx.AsyncClient(timeout=10) as http:

        async def post(files: dict[str, Any]) -> httpx.Response:
            return await http.post(url, files=files, headers=auth)

        def error(answer: httpx.Response) -> tuple[int, str, str]:
            body = answer.json()
            return answer.status_code, body["errorIdentifier"].rsplit(":", 1)[1], body["message"]

        assert error(await post({"file": file})) == (422, "PropertyConstraintViolation", "File can't be blank.")
        assert error(await post({"metadata": metadata, "attachment": file})) == (
            422,
            "PropertyConstraintViolation",
            "The content type of the file cannot be blank.",
        )
        assert error(await post({"metadata": ("", '"fileName": "a.txt"', "application/json"), "file": file})) == (
            400,
            "InvalidRequestBody",
            "The request could not be parsed as JSON.",
        )
        assert (
            error(await post({"metadata": ("", "{}", "application/json"), "file": file}))[2] == "File can't be blank."
        )
        as_json = await http.post(url, json={"fileName": "a.txt"}, headers=auth)
        assert error(as_json) == (
            415,
            "TypeNotSupported",
            "Expected CONTENT-TYPE to be 'multipart/form-data' but got 'application/json'.",
        )
        made = await post({"metadata": metadata, "file": file})
        assert made.status_code == 201 and made.json()["fileName"] == "a.txt" and made.json()["fileSize"] == 5
    assert [a["fileName"] for a in attachments_of(op.state).of_work_package(BUG)][-1] == "a.txt"
    assert len(attachments_of(op.state).of_work_package(BUG)) == 4, "only the complete upload was stored"


# ---------------------------------------------------------------------------------------------- deleting


async def test_delete_says_what_it_deleted(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_delete_attachment", {"attachment_id": 12})
    assert not r["isError"], r["text"]
    assert [p for p in paths(op)] == ["/attachments/12"], "read first, to say what it was"
    sent = op.last_request("DELETE", f"{API}/attachments/12")
    assert sent.identity == "anna" and sent.status == 204 and sent.body == b""
    assert r["text"] == (
        f"Deleted attachment server.log (text/plain, {len(SERVER_LOG)} bytes, id 12) from work package #5 Login "
        "page returns 500 on an empty password.\n"
    )
    s = r["structuredContent"]
    assert s["deleted"] is True and s["attachment"]["filename"] == "server.log" and s["attachment"]["id"] == 12
    assert 12 not in attachments_of(op.state).attachments
    listed = await tool("openproject_list_work_package_attachments", {"work_package_id": BUG})
    assert [a["id"] for a in listed["structuredContent"]["attachments"]] == [11, 13]


async def test_delete_of_an_unknown_attachment_deletes_nothing(op: FakeOpenProject, tool: Call) -> None:
    r = await tool("openproject_delete_attachment", {"attachment_id": 999})
    assert r["isError"] and "No attachment 999 is visible" in r["text"]
    assert not paths(op, "DELETE") and len(attachments_of(op.state).attachments) == 4


async def test_delete_needs_permission(op: FakeOpenProject) -> None:
    kept = attachments_of(op.state)
    kept.attachments[50] = {**kept.attachments[12], "id": 50, "container": 21}  # on a scrum project work package
    async with passthrough(op, AS_OTTO) as otto:
        r = await otto("openproject_delete_attachment", {"attachment_id": 50})
    assert r["isError"] and "403" in r["text"] and "You are not allowed to delete this attachment." in r["text"]
    assert 50 in kept.attachments


# ---------------------------------------------------------------------------------------------- modes


WRITES = {
    "openproject_upload_attachment": {"work_package_id": BUG, "filename": "a.txt", "content_base64": "eA=="},
    "openproject_delete_attachment": {"attachment_id": 12},
}
READS = (
    "openproject_list_work_package_attachments",
    "openproject_download_attachment",
    "openproject_download_work_package_attachments",
)


async def test_read_only_withholds_uploads_and_deletes(op: FakeOpenProject) -> None:
    await assert_read_only_refuses(op, READS, WRITES)
    assert 12 in attachments_of(op.state).attachments and 101 not in attachments_of(op.state).attachments


async def test_toolset_and_annotations(op: FakeOpenProject) -> None:
    tools = await tools_listed(op, PASSTHROUGH_TOOLSETS="openproject_attachments")
    assert set(tools) == {*READS, *WRITES}
    assert tools["openproject_delete_attachment"]["annotations"]["destructiveHint"] is True
    assert tools["openproject_upload_attachment"]["annotations"]["readOnlyHint"] is False
    assert tools["openproject_upload_attachment"]["annotations"]["destructiveHint"] is False
    assert all(tools[name]["annotations"]["readOnlyHint"] is True for name in READS)
    schema = tools["openproject_upload_attachment"]["inputSchema"]
    assert "file_path" not in schema["properties"]
    assert set(schema["required"]) == {"work_package_id", "filename", "content_base64"}
