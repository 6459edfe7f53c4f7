"""A drop-in for the part of docling's ``DocumentConverter`` API that its examples use.

Change the import and keep the rest of the script::

    # from docling.document_converter import DocumentConverter
    from pageflow.docling import DocumentConverter

    result = DocumentConverter().convert("https://arxiv.org/pdf/2408.09869")
    print(result.document.export_to_markdown())

Covered: ``DocumentConverter(allowed_formats=..., format_options=...)``; ``convert(source,
headers=None, raises_on_error=True, page_range=(1, sys.maxsize))`` and ``convert_all(sources,
...)`` with paths, ``pathlib.Path``, URLs and docling-core ``DocumentStream`` objects; results with
``.document``, ``.status`` (``ConversionStatus``), ``.input.file``, ``.input.page_count``,
``.errors`` (items with ``component_type``, ``module_name``, ``error_message``) and ``.pages``.
From ``format_options`` the PDF pipeline options ``do_ocr``, ``ocr_options.force_full_page_ocr``,
``do_table_structure``, ``generate_picture_images`` and ``images_scale`` are honoured (read by
name, so docling's own option objects work when docling is installed); anything else there is
ignored. Not covered: ``max_num_pages``, ``max_file_size`` (use ``Converter(max_pages=...,
max_file_size=...)``), non-PDF/image formats, VLM and ASR pipelines, enrichment models.
"""

from __future__ import annotations

import enum
import functools
import sys
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterable, Iterator, Optional

from . import ConversionResult as _Result
from . import _Done
from . import ConversionStatus, Converter, Page, Source

__all__ = [
    "ConversionError",
    "ConversionResult",
    "ConversionStatus",
    "DocumentConverter",
    "ErrorItem",
    "InputDocument",
    "InputFormat",
]


class InputFormat(str, enum.Enum):
    """The docling input formats pageflow reads."""

    PDF = "pdf"
    IMAGE = "image"


class ConversionError(RuntimeError):
    """Raised, as docling does, when ``raises_on_error`` and a document failed."""


@dataclass(frozen=True)
class ErrorItem:
    component_type: str
    module_name: str
    error_message: str


@dataclass(frozen=True)
class InputDocument:
    file: PurePath
    format: InputFormat
    page_count: int
    valid: bool


_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


class ConversionResult:
    """docling's ConversionResult, for the attributes its examples read."""

    def __init__(self, result: _Result):
        self._result = result
        self.status: ConversionStatus = result.status
        suffix = PurePath(result.source).suffix.lower()
        self.input = InputDocument(
            file=PurePath(result.source),
            format=InputFormat.IMAGE if suffix in _IMAGE_SUFFIXES else InputFormat.PDF,
            page_count=result.page_count,
            valid=result.status != ConversionStatus.FAILURE,
        )
        self.errors: list[ErrorItem] = [
            ErrorItem(p.component, "pageflow", str(p)) for p in [*result.errors, *result.warnings]
        ]
        self.pages: list[Page] = result.pages

    @property
    def document(self):
        """The docling-core DoclingDocument."""
        return self._result.document

    def __repr__(self) -> str:
        return f"<ConversionResult {self.input.file} {self.status.value}>"


def _pipeline_options(format_options: Optional[dict]) -> tuple[dict[str, Any], Optional[bool]]:
    """Converter options and the table switch from docling's PDF format option, read by name."""
    options: dict[str, Any] = {}
    tables: Optional[bool] = None
    for key, format_option in (format_options or {}).items():
        if str(getattr(key, "value", key)) != InputFormat.PDF.value:
            continue
        pipeline = getattr(format_option, "pipeline_options", None)
        if pipeline is None:
            continue
        if getattr(pipeline, "do_ocr", True) is False:
            options["ocr"] = "off"
        elif getattr(getattr(pipeline, "ocr_options", None), "force_full_page_ocr", False):
            options["ocr"] = "force"
        if getattr(pipeline, "do_table_structure", True) is False:
            tables = False
        if getattr(pipeline, "generate_picture_images", False):
            options["picture_images"] = True
            options["dpi"] = round(72 * float(getattr(pipeline, "images_scale", 1.0)))
    return options, tables


class DocumentConverter:
    """docling's DocumentConverter over a pageflow Converter.

    Extra keyword arguments are pageflow's Converter options (``cores=2``, ...).
    """

    def __init__(self, allowed_formats: Optional[Iterable[Any]] = None,
                 format_options: Optional[dict] = None, **pageflow_options: Any):
        self.allowed_formats = (
            None if allowed_formats is None else {str(getattr(f, "value", f)) for f in allowed_formats}
        )
        options, self._tables = _pipeline_options(format_options)
        self.converter = Converter(**{**options, **pageflow_options})

    def initialize_pipeline(self, format: Any) -> None:
        """docling loads a pipeline's models here; pageflow's are loaded by the constructor."""

    def convert(self, source: Source, headers: Optional[dict[str, str]] = None, raises_on_error: bool = True,
                page_range: tuple[int, int] = (1, sys.maxsize)) -> ConversionResult:
        return next(self.convert_all([source], headers=headers, raises_on_error=raises_on_error, page_range=page_range))

    def convert_all(self, source: Iterable[Source], headers: Optional[dict[str, str]] = None,
                    raises_on_error: bool = True,
                    page_range: tuple[int, int] = (1, sys.maxsize)) -> Iterator[ConversionResult]:
        pages = self._pages(page_range)
        submit = functools.partial(self._submit, headers=headers, pages=pages)
        for converted in self.converter._in_order(source, submit, lookahead=None):
            result = ConversionResult(converted)
            if raises_on_error and result.status == ConversionStatus.FAILURE:
                messages = "; ".join(e.error_message for e in result.errors)
                raise ConversionError(f"Conversion failed for: {result.input.file} with status: "
                                      f"{result.status.value} ({messages})")
            yield result

    def _submit(self, item: Source, headers: Optional[dict[str, str]], pages: Optional[str]):
        name = getattr(item, "name", item)
        suffix = PurePath(name).suffix.lower() if isinstance(name, (str, PurePath)) else ""
        kind = InputFormat.IMAGE.value if suffix in _IMAGE_SUFFIXES else InputFormat.PDF.value
        if self.allowed_formats is not None and kind not in self.allowed_formats:
            return _Done(_Result({"source": str(name), "name": PurePath(str(name)).stem, "status": "skipped",
                                  "page_count": 0, "pages": [], "json": "", "markdown": "", "at": 0.0,
                                  "problems": [("user_input", f"format {kind} is not among allowed_formats", 0)]}))
        return self.converter._submit(item, False, pages, None, None, check_exists=False, headers=headers,
                                      tables=self._tables)

    @staticmethod
    def _pages(page_range: tuple[int, int]) -> Optional[str]:
        first, last = page_range
        if first < 1 or last < first:
            raise ValueError(f"page_range: expected (first, last) with 1 <= first <= last, got {page_range!r}")
        if (first, last) == (1, sys.maxsize):
            return None
        return f"{first}-" if last >= 2**31 - 1 else f"{first}-{last}"
