"""Starts the real `pageflow serve` on a free loopback port for the service tests and stops it.

Run by ctest (see CMakeLists.txt) with the virtual environment scripts/setup.sh made:
  .deps/venv/bin/python -m pytest tests/service --pageflow build/pageflow --corpus ../shared/corpus/docling
"""
import os
import re
import signal
import subprocess
import tempfile
import time

import httpx
import pytest


class Server:
    """One `pageflow serve` process; `url` once it listens."""

    def __init__(self, binary, *args):
        # The server's log goes to a file (a pipe nobody reads could fill and block it), shown
        # by log() when a test fails.
        self.log_file = tempfile.NamedTemporaryFile(prefix="pageflow-serve-", suffix=".log", delete=False)
        self.process = subprocess.Popen([binary, "serve", "--port", "0", "--ocr", "off", *args],
                                        stderr=self.log_file)
        deadline = time.time() + 120
        match = None
        while not match and time.time() < deadline and self.process.poll() is None:
            time.sleep(0.05)
            match = re.search(r"serving on (http://\S+)", self.log())
        if not match:
            self.process.kill()
            raise RuntimeError("pageflow serve did not start: " + self.log())
        self.url = match.group(1)
        self.client = httpx.Client(base_url=self.url, timeout=120)

    def log(self):
        with open(self.log_file.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def metric(self, name):
        text = self.client.get("/metrics").text
        match = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
        return float(match.group(1)) if match else None

    def wait_for_metric(self, name, predicate, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            value = self.metric(name)
            if value is not None and predicate(value):
                return value
            time.sleep(0.1)
        return self.metric(name)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=timeout)
            if status != 0:
                print("pageflow serve exited with", status, "; its log:\n" + self.log())
            return status
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.log_file.close()
            os.unlink(self.log_file.name)


@pytest.fixture(scope="module")
def server(pageflow):
    s = Server(pageflow)
    yield s
    assert s.stop() == 0


@pytest.fixture
def start_server(pageflow):
    started = []

    def start(*args):
        s = Server(pageflow, *args)
        started.append(s)
        return s

    yield start
    for s in started:
        alive = s.process.poll() is None
        status = s.stop()
        # A server a test left running must still shut down cleanly; one that died shows its log.
        assert not alive or status == 0, status


def make_pdf(pages, content=""):
    """A PDF of `pages` text pages, each with `content` drawn after its text."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for i in range(1, pages + 1):
        stream = f"BT /F1 24 Tf 72 700 Td (Page {i} of the test) Tj ET\n{content}"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>"
    out = "%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def slow_pdf(pages):
    """Pages that take MuPDF about a second each to draw (20,000 page-sized rectangles)."""
    flood = "".join(f"{i % 300} {i % 500} 300 300 re f\n" for i in range(20000))
    return make_pdf(pages, flood)
