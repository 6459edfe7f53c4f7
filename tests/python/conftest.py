"""Fixtures for the Python package's tests (run by ctest with set-up's venv, after `make python`):
  .deps/venv/bin/python -m pytest tests/python --pageflow build/pageflow --corpus ../shared/corpus/docling
"""
import os
import shutil

import pytest

try:
    import pageflow
except ImportError as error:  # a clear word instead of a collection error in every module
    raise pytest.UsageError(f"the pageflow package is not installed in this venv ({error}): run `make python`")


@pytest.fixture(scope="session")
def cli(request):
    """The CLI, to compare outputs with (named so as not to hide the package in test modules)."""
    return request.config.getoption("--pageflow")


@pytest.fixture(scope="session")
def pdf(corpus):
    return lambda name: os.path.join(corpus, "pdf", name)


@pytest.fixture(scope="session")
def converter():
    """One engine for the tests that need no options of their own (models load once)."""
    with pageflow.Converter(cores=2) as c:
        yield c


@pytest.fixture(scope="session")
def scanned_pdf(tmp_path_factory):
    """A 30-page PDF of page images with printed lines (no text layer): every page goes through
    OCR, so a conversion of it lasts long enough to interrupt."""
    from PIL import Image, ImageDraw

    pages = []
    for number in range(1, 31):
        image = Image.new("RGB", (1240, 1754), "white")
        draw = ImageDraw.Draw(image)
        for line in range(40):
            draw.text((100, 100 + line * 38), f"Page {number} line {line}: the quick brown fox jumps", fill="black",
                      font_size=28)
        pages.append(image)
    path = tmp_path_factory.mktemp("scanned") / "scanned.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150)
    return str(path)


@pytest.fixture
def pdf_folder(tmp_path, pdf):
    """A folder with three small PDFs of the corpus."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["code_and_formula.pdf", "right_to_left_01.pdf", "table_mislabeled_as_picture.pdf"]:
        shutil.copy(pdf(name), folder / name)
    return folder
