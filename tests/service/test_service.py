"""`pageflow serve` through a real HTTP client: docling-serve's v1 endpoints, sync and async,
multipart and JSON, zip targets, the page stream, bad input, limits, cancellation and shutdown."""
import base64
import functools
import http.server
import io
import json
import os
import signal
import subprocess
import threading
import time
import zipfile

import httpx
import pytest
from docling_core.types.doc import DoclingDocument
from docling_core.types.doc.doctags import DocTagsDocument

from conftest import make_pdf, slow_pdf


def corpus_file(corpus, name):
    return os.path.join(corpus, "pdf", name)


def upload(path):
    return ("files", (os.path.basename(path), open(path, "rb").read(), "application/pdf"))


def cli_markdown(pageflow, path, tmp_path, *args):
    subprocess.run([pageflow, "convert", "-q", "--ocr", "off", "-o", str(tmp_path), path, *args], check=True)
    stem = os.path.splitext(os.path.basename(path))[0]
    return open(os.path.join(tmp_path, stem + ".md"), encoding="utf-8").read()


def test_health_ready_version_metrics(server):
    assert server.client.get("/health").json() == {"status": "ok"}
    assert server.client.get("/ready").json() == {"status": "ok"}
    version = server.client.get("/version").json()
    assert version["pageflow"] and version["onnxruntime"]
    metrics = server.client.get("/metrics").text
    for name in ("pageflow_pages_total", "pageflow_pages_in_flight", "pageflow_stage_busy_seconds_total",
                 "process_resident_memory_bytes", "process_open_fds"):
        assert name in metrics


def test_file_sync_every_format_and_same_markdown_as_the_cli(server, pageflow, corpus, tmp_path):
    path = corpus_file(corpus, "multi_page.pdf")
    response = server.client.post("/v1/convert/file", files=[upload(path)],
                                  data={"to_formats": ["md", "json", "html", "text", "doctags"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success"
    assert body["errors"] == []
    assert body["processing_time"] > 0
    document = body["document"]
    assert document["filename"] == "multi_page.pdf"
    DoclingDocument.model_validate(document["json_content"])
    assert "<html" in document["html_content"]
    assert "Word Processor" in document["text_content"]
    assert document["md_content"] == cli_markdown(pageflow, path, tmp_path)
    # docling-core's own DocTags parser reads our DocTags back into a document with the same text.
    doctags = document["doctags_content"]
    pages = [page.strip() for page in doctags.removeprefix("<doctag>").removesuffix("</doctag>").split("<page_break>")]
    assert len(pages) == 5
    parsed = DoclingDocument.load_from_doctags(
        DocTagsDocument.from_doctags_and_image_pairs(["<doctag>" + p + "</doctag>" for p in pages], [None] * 5))
    assert len(parsed.pages) == 5
    parsed_text = " ".join(t.text for t in parsed.texts)
    for line in document["text_content"].split("\n\n")[:10]:
        assert line.strip().split(" ")[0] in parsed_text


def test_source_base64_json_and_options(server, corpus):
    data = base64.b64encode(open(corpus_file(corpus, "multi_page.pdf"), "rb").read()).decode()
    response = server.client.post("/v1/convert/source", json={
        "options": {"to_formats": ["md"], "page_range": [2, 3], "md_page_break_placeholder": "<!-- page -->",
                    "pdf_backend": "pypdfium2", "do_picture_description": True},
        "sources": [{"kind": "file", "base64_string": data, "filename": "mp.pdf"}]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["document"]["filename"] == "mp.pdf"
    assert body["document"]["json_content"] is None
    md = body["document"]["md_content"]
    assert md.count("<!-- page -->") == 1
    assert "The Evolution of the Word Processor" not in md  # page 1 was not selected
    messages = [e["error_message"] for e in body["errors"]]
    assert any("pdf_backend=pypdfium2" in m for m in messages)
    assert any("do_picture_description" in m for m in messages)


def test_several_files_or_zip_target_give_a_zip(server, corpus):
    files = [upload(corpus_file(corpus, "multi_page.pdf")), upload(corpus_file(corpus, "normal_4pages.pdf"))]
    response = server.client.post("/v1/convert/file", files=files, data={"to_formats": ["md", "json"]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert names == {"multi_page.md", "multi_page.json", "normal_4pages.md", "normal_4pages.json"}
    one = server.client.post("/v1/convert/file", files=files[:1], data={"target_type": "zip"})
    assert zipfile.ZipFile(io.BytesIO(one.content)).namelist() == ["multi_page.md"]


def test_images_embedded_placeholder_and_referenced(server, corpus):
    path = corpus_file(corpus, "picture_classification.pdf")
    embedded = server.client.post("/v1/convert/file", files=[upload(path)]).json()["document"]["md_content"]
    assert "![Image](data:image/png;base64," in embedded
    placeholder = server.client.post("/v1/convert/file", files=[upload(path)],
                                     data={"image_export_mode": "placeholder"}).json()["document"]["md_content"]
    assert "<!-- image -->" in placeholder and "data:image" not in placeholder
    zipped = server.client.post("/v1/convert/file", files=[upload(path)],
                                data={"image_export_mode": "referenced", "target_type": "zip"})
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    pictures = [n for n in archive.namelist() if n.startswith("artifacts/")]
    assert pictures and archive.read(pictures[0]).startswith(b"\x89PNG")
    assert "](" + pictures[0] + ")" in archive.read("picture_classification.md").decode()


def test_async_poll_result_once(server, corpus):
    task = server.client.post("/v1/convert/file/async", files=[upload(corpus_file(corpus, "multi_page.pdf"))]).json()
    assert task["task_type"] == "convert"
    assert task["task_status"] in ("pending", "started", "success")
    status = server.client.get(f"/v1/status/poll/{task['task_id']}", params={"wait": 60}).json()
    assert status["task_status"] == "success"
    assert status["task_meta"]["num_docs"] == 1 and status["task_meta"]["num_succeeded"] == 1
    result = server.client.get(f"/v1/result/{task['task_id']}")
    assert result.status_code == 200 and result.json()["status"] == "success"
    # Fetched once, then gone (as docling-serve does).
    assert server.client.get(f"/v1/result/{task['task_id']}").status_code == 404
    assert server.client.get(f"/v1/status/poll/{task['task_id']}").status_code == 404


def test_pages_stream_as_ndjson(server):
    task = server.client.post("/v1/convert/file/async",
                              files=[("files", ("twelve.pdf", make_pdf(12), "application/pdf"))]).json()
    lines = []
    with server.client.stream("GET", f"/v1/result/{task['task_id']}/pages") as response:
        assert response.headers["content-type"].startswith("application/x-ndjson")
        for line in response.iter_lines():
            lines.append(json.loads(line))
    pages = [line for line in lines if "page_no" in line]
    assert [p["page_no"] for p in pages] == list(range(1, 13))
    assert pages[0]["filename"] == "twelve.pdf"
    assert any("Page 1 of the test" in e["text"] for e in pages[0]["elements"])
    assert lines[-1] == {"event": "done", "task_status": "success"}


def test_http_sources_are_fetched_with_limits(server, corpus):
    httpd, base = serve_folder(os.path.join(corpus, "pdf"))
    try:
        ok = server.client.post("/v1/convert/source", json={"sources": [{"kind": "http", "url": base + "/multi_page.pdf"}]})
        assert ok.status_code == 200 and ok.json()["status"] == "success"
        assert ok.json()["document"]["filename"] == "multi_page.pdf"
        missing = server.client.post("/v1/convert/source", json={"sources": [{"kind": "http", "url": base + "/nope.pdf"}]})
        assert missing.status_code == 200
        assert missing.json()["status"] == "failure"
        assert "HTTP status 404" in missing.json()["errors"][0]["error_message"]
    finally:
        httpd.shutdown()


def test_bad_input_gets_a_clear_error_and_the_server_keeps_serving(server, corpus):
    c = server.client
    cases = [
        c.post("/v1/convert/file", content=b"--xyz\r\ngarbage", headers={"Content-Type": "multipart/form-data; boundary=xyz"}),
        c.post("/v1/convert/file", json={"files": []}),
        c.post("/v1/convert/source", content=b"{not json", headers={"Content-Type": "application/json"}),
        c.post("/v1/convert/source", content=b"sources", headers={"Content-Type": "text/plain"}),
        c.post("/v1/convert/source", json={"sources": [{"kind": "file", "base64_string": "!!not base64!!", "filename": "x.pdf"}]}),
        c.post("/v1/convert/source", json={"sources": [{"kind": "ftp", "url": "ftp://x"}]}),
        c.post("/v1/convert/file", files=[upload(corpus_file(corpus, "multi_page.pdf"))], data={"table_mode": "bogus"}),
        c.post("/v1/convert/file", files=[upload(corpus_file(corpus, "multi_page.pdf"))], data={"to_formats": "pptx"}),
        c.post("/v1/convert/file", files=[upload(corpus_file(corpus, "multi_page.pdf"))], data={"do_ocr": "maybe"}),
        c.get("/v1/status/poll/no-such-task"),
        c.get("/v1/result/no-such-task"),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
        assert response.json()["detail"], response.text
    assert "pptx" in cases[7].json()["detail"]
    assert cases[9].status_code == 404
    # A file that is not a PDF fails as a document, with its reason.
    junk = c.post("/v1/convert/file", files=[("files", ("junk.pdf", b"this is not a pdf", "application/pdf"))])
    assert junk.status_code == 200 and junk.json()["status"] == "failure"
    assert junk.json()["errors"][0]["component_type"] == "document_backend"
    # A truncated upload: the connection ends before the promised body.
    import socket
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(b"POST /v1/convert/file HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  b"Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\n\r\n%PDF")
    assert c.post("/v1/convert/file", files=[upload(corpus_file(corpus, "multi_page.pdf"))]).json()["status"] == "success"
    assert c.get("/health").status_code == 200


def serve_folder(folder):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_upload_over_the_limit_is_413(start_server, tmp_path):
    s = start_server("--max-file-size", "1")
    (tmp_path / "big.pdf").write_bytes(make_pdf(1) + b"%" * (2 << 20))
    httpd, base = serve_folder(str(tmp_path))
    try:
        fetched = s.client.post("/v1/convert/source", json={"sources": [{"kind": "http", "url": base + "/big.pdf"}]})
        assert fetched.json()["status"] == "failure"
        assert "larger than 1 MB" in fetched.json()["errors"][0]["error_message"]
    finally:
        httpd.shutdown()
    response = s.client.post("/v1/convert/file", files=[("files", ("big.pdf", make_pdf(1) + b"%" * (2 << 20), "application/pdf"))])
    assert response.status_code == 413
    encoded = base64.b64encode(b"%" * (2 << 20)).decode()
    response = s.client.post("/v1/convert/source", json={"sources": [{"kind": "file", "base64_string": encoded, "filename": "b.pdf"}]})
    assert response.status_code == 413
    assert s.client.get("/health").status_code == 200


def test_a_full_queue_is_429_with_retry_after(start_server):
    # Its slow task need not be waited for at the end: the drain is another test's subject.
    s = start_server("--max-tasks", "1", "--drain-timeout", "5")
    first = s.client.post("/v1/convert/file/async", files=[("files", ("slow.pdf", slow_pdf(20), "application/pdf"))])
    assert first.status_code == 200
    second = s.client.post("/v1/convert/file/async", files=[("files", ("one.pdf", make_pdf(1), "application/pdf"))])
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 0


def test_sync_wait_past_the_limit_is_504_and_the_work_stops(start_server):
    s = start_server("--max-sync-wait", "1")
    response = s.client.post("/v1/convert/file", files=[("files", ("slow.pdf", slow_pdf(40), "application/pdf"))])
    assert response.status_code == 504
    assert "cancelled" in response.json()["detail"]
    # Its pages are abandoned, not left running behind the 504.
    assert s.wait_for_metric('pageflow_tasks{state="running_jobs"}', lambda v: v == 0, seconds=20) == 0


def test_a_client_that_hangs_up_has_its_task_cancelled(start_server):
    s = start_server()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(s.url + "/v1/convert/file", files=[("files", ("slow.pdf", slow_pdf(40), "application/pdf"))], timeout=1.5)
    assert s.wait_for_metric("pageflow_client_disconnects_total", lambda v: v >= 1, seconds=20) == 1
    assert s.wait_for_metric('pageflow_tasks{state="running_jobs"}', lambda v: v == 0, seconds=20) == 0


def test_api_key(start_server):
    s = start_server("--api-key", "sesame")
    assert s.client.get("/health").status_code == 200
    assert s.client.get("/version").status_code == 401
    assert s.client.get("/version", headers={"X-Api-Key": "wrong"}).status_code == 401
    assert s.client.get("/version", headers={"X-Api-Key": "sesame"}).status_code == 200


def test_sigterm_drains_running_tasks_and_exits_0(start_server):
    s = start_server("--drain-timeout", "60")
    # Pages that take seconds: the drain outlasts the refused request below however loaded the
    # machine (a quick task drained before it, and the server was gone).
    task = s.client.post("/v1/convert/file/async", files=[("files", ("slow.pdf", slow_pdf(8), "application/pdf"))]).json()
    s.process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    refused = httpx.post(s.url + "/v1/convert/file/async", files=[("files", ("one.pdf", make_pdf(1), "application/pdf"))])
    assert refused.status_code == 503
    assert s.process.wait(timeout=60) == 0
    assert task["task_id"]
