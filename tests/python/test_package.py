"""The Python package's API on the shared corpus: documents, sources, errors, iterators, threads,
cancellation and memory."""
import pathlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from docling_core.types.doc import DoclingDocument

import pageflow

STAGES = {"render", "layout", "assemble"}


def cli_outputs(cli, path, out_dir, *flags):
    subprocess.run([cli, "convert", path, "-o", str(out_dir), "--to", "json,md", "-q", *flags], check=True)
    stem = pathlib.Path(path).stem
    return (out_dir / f"{stem}.json").read_text(encoding="utf-8"), (out_dir / f"{stem}.md").read_text(encoding="utf-8")


def test_convert_gives_the_clis_docling_document_and_markdown(converter, cli, pdf, tmp_path):
    path = pdf("multi_page.pdf")
    result = converter.convert(path)
    json_text, markdown = cli_outputs(cli, path, tmp_path, "--cores", "2")

    assert result.status == pageflow.ConversionStatus.SUCCESS == "success"
    assert isinstance(result.document, DoclingDocument)
    assert result.document == DoclingDocument.model_validate_json(json_text)
    assert result.markdown == markdown
    assert result.errors == [] and result.source == path and result.name == "multi_page"
    assert [p.number for p in result.pages] == [1, 2, 3, 4, 5] == sorted(result.document.pages)
    for page in result.pages:
        assert page.status == "success" and page.width > 0 and page.height > 0
        assert STAGES <= set(page.timings) and all(seconds >= 0 for seconds in page.timings.values())
        assert sum(page.timings.values()) > 0


def test_every_kind_of_source_gives_the_same_document(converter, pdf):
    path = pdf("code_and_formula.pdf")
    expected = converter.convert(path).markdown
    data = pathlib.Path(path).read_bytes()
    with open(path, "rb") as stream:
        from_stream = converter.convert(stream)
    for result in [converter.convert(pathlib.Path(path)), converter.convert(data), converter.convert(bytearray(data)),
                   from_stream]:
        assert result.status == "success"
        assert result.markdown == expected
    assert from_stream.source == "code_and_formula.pdf"
    assert converter.convert(data).source == "document"


def test_per_call_options(converter, pdf):
    result = converter.convert(pdf("multi_page.pdf"), pages="2-3")
    assert [p.number for p in result.pages] == [2, 3]
    locked = pdf("2206.01062_pg3_password.pdf")
    refused = converter.convert(locked)
    assert refused.status == "failure" and "password" in str(refused.errors[0]).lower()
    assert converter.convert(locked, password="1234").status == "success"
    with pytest.raises(ValueError, match="pages"):
        converter.convert(pdf("multi_page.pdf"), pages="3-x")
    with pytest.raises(ValueError, match="timeout"):
        converter.convert(pdf("multi_page.pdf"), timeout=0)


def test_caller_mistakes_raise_and_bad_files_are_results(converter, tmp_path):
    with pytest.raises(FileNotFoundError):
        converter.convert(tmp_path / "no-such.pdf")
    with pytest.raises(TypeError):
        converter.convert(12345)
    for options, named in [({"cores": 0}, "cores"), ({"ocr": "sometimes"}, "ocr"), ({"table_engine": "x"}, "table_engine"),
                           ({"page_timeout": -1}, "page_timeout"), ({"layout": "no"}, "layout"), ({"layout_input": "550x704"}, "layout_input"),
                           ({"models_dir": str(tmp_path / "none")}, "models_dir")]:
        with pytest.raises(ValueError, match=f"^{named}"):
            pageflow.Converter(**options)
    with pytest.raises(TypeError, match="colour"):
        pageflow.Converter(colour="red")

    corrupt = converter.convert(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    assert corrupt.status == "failure" and corrupt.errors and corrupt.pages == []
    assert corrupt.errors[0].component == "document_backend"
    not_a_pdf = tmp_path / "notes.pdf"
    not_a_pdf.write_text("just text")
    assert converter.convert(not_a_pdf).status == "failure"


def test_convert_all_yields_in_input_order_before_the_last_document_is_done(converter, pdf, scanned_pdf, tmp_path):
    missing = str(tmp_path / "gone.pdf")
    sources = [pdf("table_mislabeled_as_picture.pdf"), missing, pdf("code_and_formula.pdf"), scanned_pdf,
               pdf("multi_page.pdf")]
    yielded_at = []
    results = []
    for result in converter.convert_all(sources, pages="1-12"):
        yielded_at.append(time.monotonic())
        results.append(result)
    assert [r.source for r in results] == sources
    assert [r.status.value for r in results] == ["success", "failure", "success", "success", "success"]
    # The first result was in the caller's hands before the scanned document was finished.
    assert yielded_at[0] < results[3].finished_at
    assert results[0].finished_at < results[3].finished_at


def test_convert_all_takes_any_iterable_lazily(converter, pdf):
    taken = []

    def sources():
        for name in ["code_and_formula.pdf", "right_to_left_01.pdf", "multi_page.pdf"] * 3:
            taken.append(name)
            yield pdf(name)

    iterator = converter.convert_all(sources(), lookahead=2)
    first = next(iterator)
    assert first.status == "success" and len(taken) == 2  # no more submitted than the lookahead
    iterator.close()
    assert converter.convert(pdf("code_and_formula.pdf")).status == "success"


def test_stream_pages_yields_pages_before_the_document_is_done(converter, scanned_pdf):
    stream = converter.stream_pages(scanned_pdf, pages="1-6")
    pages = list(stream)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]
    assert all(p.ocr and p.status == "success" for p in pages)
    assert "Page 1 line 0" in pages[0].markdown.replace("  ", " ")
    assert pages[0].elements and {"label", "text", "bbox"} <= set(pages[0].elements[0])
    assert "ocr" in pages[0].timings
    assert pages[0].finished_at < pages[-1].finished_at <= stream.result.finished_at
    assert stream.result.status == "success" and len(stream.result.pages) == 6


def test_the_gil_is_released_while_the_engine_works(converter, scanned_pdf):
    counted = 0
    stop = threading.Event()

    def count():
        nonlocal counted
        while not stop.is_set():
            counted += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        start = counted
        result = converter.convert(scanned_pdf, pages="1-3")
        during = counted - start
    finally:
        stop.set()
        counter.join()
    assert result.status == "success"
    # A thread starved by a held GIL counts a handful of times per switch interval, not this.
    assert during > 100_000, during


def test_two_threads_share_one_converter(converter, pdf):
    names = ["code_and_formula.pdf", "multi_page.pdf", "right_to_left_01.pdf", "table_mislabeled_as_picture.pdf"]
    expected = {name: converter.convert(pdf(name)).markdown for name in names}
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda name: (name, converter.convert(pdf(name))), names * 2))
    for name, result in results:
        assert result.status == "success" and result.markdown == expected[name]


CANCEL_SCRIPT = textwrap.dedent("""
    import sys, time
    import pageflow
    converter = pageflow.Converter(cores=2)
    stream = converter.stream_pages(sys.argv[1])
    taken = 0
    try:
        for page in stream:
            taken += 1
            print("page", page.number, flush=True)
    except KeyboardInterrupt:
        print("interrupted after", taken, flush=True)
    start = time.monotonic()
    again = converter.convert(sys.argv[2])
    print("again", again.status.value, round(time.monotonic() - start, 1), flush=True)
""")


def test_ctrl_c_cancels_the_conversion_and_the_converter_still_works(scanned_pdf, pdf):
    child = subprocess.Popen([sys.executable, "-c", CANCEL_SCRIPT, scanned_pdf, pdf("code_and_formula.pdf")],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().startswith("page 1")
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=120)
    finally:
        child.kill()
    lines = output.splitlines()
    interrupted = [line for line in lines if line.startswith("interrupted after")]
    assert interrupted, output
    assert int(interrupted[0].split()[-1]) < 30
    again = [line for line in lines if line.startswith("again")]
    # The cancelled pages left the engine: the next document is not queued behind them.
    assert again and again[0].split()[1] == "success", output
    assert child.returncode == 0


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_memory_stays_flat_over_200_conversions(pdf):
    path = pdf("table_mislabeled_as_picture.pdf")
    with pageflow.Converter(cores=2, ocr="off") as converter:
        for _ in range(20):  # warm-up: arenas, caches and pools reach their working size
            assert converter.convert(path).document is not None
        before = rss_mb()
        for _ in range(200):
            assert converter.convert(path).document is not None
        after = rss_mb()
    print(f"RSS over 200 conversions: {before:.1f} MB -> {after:.1f} MB ({after - before:+.1f} MB)")
    # A leak of a page's raster or a document per conversion would show as hundreds of MB.
    assert after - before < 60, (before, after)


def test_closed_converter_says_so(pdf):
    converter = pageflow.Converter(cores=1, ocr="off")
    converter.close()
    with pytest.raises(RuntimeError, match="closed"):
        converter.convert(pdf("code_and_formula.pdf"))


def test_version_matches_the_cli(cli):
    assert subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.split() == ["pageflow",
                                                                                               pageflow.__version__]
