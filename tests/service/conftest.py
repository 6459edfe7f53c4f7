"""Starts the real `pageflow serve` on a free loopback port for the service tests and stops it.

Run by ctest (see CMakeLists.txt) with the virtual environment scripts/setup.sh made:
  .deps/venv/bin/python -m pytest tests/service --pageflow build/pageflow --corpus ../shared/corpus/docling
"""
import pytest

from pageflow_server import Server


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
