"""pageflow.docling.DocumentConverter as a drop-in: docling-shaped results, and docling-style
scripts (python/examples) run with only their imports changed."""
import functools
import http.server
import io
import pathlib
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from docling_core.types.doc import DoclingDocument
from docling_core.types.io import DocumentStream

from pageflow.docling import ConversionError, ConversionStatus, DocumentConverter, InputFormat

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "python" / "examples"


@pytest.fixture(scope="module")
def docling_converter():
    return DocumentConverter(cores=2)


def test_results_have_docling_shape(docling_converter, pdf):
    result = docling_converter.convert(pdf("multi_page.pdf"))
    assert result.status == ConversionStatus.SUCCESS
    assert result.input.file == pathlib.PurePath(pdf("multi_page.pdf")) and result.input.file.stem == "multi_page"
    assert result.input.format == InputFormat.PDF and result.input.page_count == 5
    assert isinstance(result.document, DoclingDocument) and result.errors == []
    assert "Lorem" in result.document.export_to_markdown() or result.document.texts


def test_failures_raise_or_come_back_as_docling_says(docling_converter, pdf, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ConversionError, match="broken.pdf"):
        docling_converter.convert(broken)
    results = list(docling_converter.convert_all([pdf("code_and_formula.pdf"), broken, pdf("right_to_left_01.pdf")],
                                                 raises_on_error=False))
    assert [r.status for r in results] == [ConversionStatus.SUCCESS, ConversionStatus.FAILURE, ConversionStatus.SUCCESS]
    error = results[1].errors[0]
    assert error.component_type == "document_backend" and error.module_name == "pageflow" and error.error_message


def test_streams_page_range_and_formats(docling_converter, pdf):
    data = pathlib.Path(pdf("multi_page.pdf")).read_bytes()
    result = docling_converter.convert(DocumentStream(name="upload.pdf", stream=io.BytesIO(data)), page_range=(2, 3))
    assert result.input.file.name == "upload.pdf"
    assert sorted(result.document.pages) == [2, 3]
    images_only = DocumentConverter(allowed_formats=[InputFormat.IMAGE], cores=1)
    skipped = images_only.convert(pdf("code_and_formula.pdf"), raises_on_error=False)
    assert skipped.status == ConversionStatus.SKIPPED and "allowed_formats" in skipped.errors[0].error_message


def test_format_options_are_read_by_name(pdf):
    tables_off = SimpleNamespace(pipeline_options=SimpleNamespace(do_ocr=False, do_table_structure=False))
    plain = DocumentConverter(format_options={InputFormat.PDF: tables_off}, cores=1)
    path = pdf("normal_4pages.pdf")  # one ruled table
    with_tables = DocumentConverter(cores=1).convert(path).document
    without = plain.convert(path).document
    assert any(t.data.num_rows > 0 for t in with_tables.tables)
    assert without.tables and all(t.data.num_rows == 0 for t in without.tables)


@pytest.fixture
def http_url(corpus):
    """A loopback HTTP server over the corpus' pdf folder, stopped after the test."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(pathlib.Path(corpus) / "pdf"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_docling_minimal_example_runs_with_the_import_swapped(http_url, converter, pdf):
    run = subprocess.run([sys.executable, str(EXAMPLES / "docling_minimal.py"), f"{http_url}/multi_page.pdf"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    expected = converter.convert(pdf("multi_page.pdf")).document.export_to_markdown()
    assert run.stdout.strip() == expected.strip()


def test_docling_batch_example_runs_with_the_imports_swapped(pdf, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf at all")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(EXAMPLES / "docling_batch.py"), str(out), pdf("code_and_formula.pdf"),
                          str(broken), pdf("multi_page.pdf")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["failure=1", "success=2"]
    assert "broken.pdf was failure" in run.stderr
    for stem in ["code_and_formula", "multi_page"]:
        assert DoclingDocument.load_from_json(out / f"{stem}.json").pages
        assert (out / f"{stem}.md").read_text() and (out / f"{stem}.html").read_text()
