"""pageflow: PDFs and page images to docling-core ``DoclingDocument`` objects, page by page.

    import pageflow

    converter = pageflow.Converter(cores=2)          # models load once, here
    result = converter.convert("report.pdf")
    print(result.status, result.markdown[:200])
    doc = result.document                            # a docling_core DoclingDocument

    for result in converter.convert_all(paths):      # input order, each as soon as it is done
        ...
    for page in converter.stream_pages("big.pdf"):   # pages as they leave the pipeline
        ...

The engine runs on its own threads with the GIL released: other Python threads keep running
while documents convert, several threads may share one Converter, and Ctrl-C cancels what the
interrupted call had submitted. A file that cannot be converted is a result with status
``failure`` and its errors; exceptions are for the caller's mistakes (a bad option, a missing file).
"""

from __future__ import annotations

import enum
import functools
import json
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Union

from . import _pageflow

if TYPE_CHECKING:
    from docling_core.types.doc import DoclingDocument

__version__: str = _pageflow.__version__

__all__ = [
    "ConversionResult",
    "ConversionStatus",
    "Converter",
    "Page",
    "PageStream",
    "Problem",
    "Source",
    "__version__",
]

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

# How long one wait for the engine lasts before Python gets the GIL back, so Ctrl-C is noticed.
_POLL_SECONDS = 0.1
# A URL source that sends nothing for this long fails (as the service's --fetch-timeout).
_URL_TIMEOUT_SECONDS = 30


class ConversionStatus(str, enum.Enum):
    """docling's ConversionStatus values (equal to their strings: ``status == "success"``)."""

    PENDING = "pending"
    STARTED = "started"
    FAILURE = "failure"
    SUCCESS = "success"
    PARTIAL_SUCCESS = "partial_success"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Problem:
    """One thing that went wrong, in docling's ErrorItem terms.

    ``component`` is ``"document_backend"`` for the file, ``"pipeline"`` for pages, ``"user_input"``
    for the request; ``page`` is the (first) page concerned, or None.
    """

    component: str
    message: str
    page: Optional[int] = None

    def __str__(self) -> str:
        return self.message if self.page is None else f"page {self.page}: {self.message}"


@dataclass(frozen=True)
class Page:
    """A converted (or failed) page.

    ``timings`` is the seconds the page spent in each stage's calls. Pages from
    :meth:`Converter.stream_pages` also carry their content: ``markdown``, ``elements`` (dicts with
    ``label``, ``text``, ``bbox`` in points from the top-left corner, and per label ``level``,
    ``marker``, ``markdown``), ``source`` and ``finished_at`` (``time.monotonic()`` when it left
    the pipeline).
    """

    number: int
    status: ConversionStatus
    error: str = ""
    warning: str = ""
    width: float = 0.0
    height: float = 0.0
    ocr: bool = False
    rotation: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    source: str = ""
    markdown: str = ""
    elements: list[dict[str, Any]] = field(default_factory=list)
    finished_at: float = 0.0

    @classmethod
    def _from_engine(cls, page: dict, **content: Any) -> "Page":
        return cls(
            number=page["number"],
            status=ConversionStatus.SUCCESS if page["ok"] else ConversionStatus.FAILURE,
            error=page["error"],
            warning=page["warning"],
            width=page["width"],
            height=page["height"],
            ocr=page["ocr"],
            rotation=page["rotation"],
            timings=dict(page["timings"]),
            **content,
        )


class ConversionResult:
    """One input's conversion.

    ``document`` is the docling-core ``DoclingDocument`` (validated on first use, then kept);
    ``json`` is the same document as the JSON text the CLI writes; ``markdown`` is pageflow's
    Markdown. ``status`` is ``success``, ``partial_success`` (some pages failed or were not
    converted: see ``errors``) or ``failure`` (the file could not be read: see ``errors``).
    ``finished_at`` is ``time.monotonic()`` when the engine finished the document.
    """

    def __init__(self, event: dict, source: Optional[str] = None):
        self.source: str = source if source is not None else event["source"]
        self.name: str = event["name"]
        self.status: ConversionStatus = ConversionStatus(event["status"])
        self.page_count: int = event["page_count"]
        self.pages: list[Page] = [Page._from_engine(p) for p in event["pages"]]
        problems = [Problem(c, m, p or None) for c, m, p in event["problems"]]
        self.errors: list[Problem] = [p for p in problems if not p.message.startswith("warning: ")]
        self.warnings: list[Problem] = [p for p in problems if p.message.startswith("warning: ")]
        self.json: str = event["json"]
        self.markdown: str = event["markdown"]
        self.finished_at: float = event["at"]

    @functools.cached_property
    def document(self) -> "DoclingDocument":
        from docling_core.types.doc import DoclingDocument

        return DoclingDocument.model_validate_json(self.json)

    def __repr__(self) -> str:
        return f"<ConversionResult {self.source!r} {self.status.value}, {len(self.pages)} pages>"


# Keyword argument -> command-line flag, for options that take a value.
_VALUE_OPTIONS = {
    "mode": "--mode",
    "cores": "--cores",
    "render_workers": "--render-workers",
    "layout_workers": "--layout-workers",
    "threads": "--threads",
    "batch_size": "--batch-size",
    "window": "--window",
    "pages": "--pages",
    "password": "--password",
    "dpi": "--dpi",
    "table_engine": "--table-engine",
    "layout_model": "--layout-model",
    "layout_input": "--layout-input",
    "models_dir": "--models",
    "ocr": "--ocr",
    "ocr_engine": "--ocr-engine",
    "ocr_languages": "--ocr-lang",
    "ocr_dpi": "--ocr-dpi",
    "ocr_workers": "--ocr-workers",
    "max_pages": "--max-pages",
    "max_file_size": "--max-file-size",
    "max_megapixels": "--max-megapixels",
    "memory_limit": "--memory-limit",
}
# Options in seconds here and milliseconds on the command line.
_SECONDS_OPTIONS = {"page_timeout": "--page-timeout", "timeout": "--timeout"}
# Boolean keyword argument -> (its default, the flag that turns the default over).
_SWITCHES = {
    "layout": (True, "--no-layout"),
    "picture_images": (False, "--picture-images"),
    "ocr_pictures": (False, "--ocr-pictures"),
}


def _flags(options: dict[str, Any]) -> list[str]:
    flags: list[str] = []
    for name, value in options.items():
        if value is None:
            continue
        if name in _SWITCHES:
            default, flag = _SWITCHES[name]
            if not isinstance(value, bool):
                raise ValueError(f"{name}: expected True or False, got {value!r}")
            if value != default:
                flags.append(flag)
        elif name in _SECONDS_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name}: expected a number of seconds above 0, got {value!r}")
            flags += [_SECONDS_OPTIONS[name], str(max(1, round(value * 1000)))]
        elif name in _VALUE_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, (str, int, float, PurePath)):
                raise ValueError(f"{name}: unexpected value {value!r}")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            flags += [_VALUE_OPTIONS[name], os.fspath(value) if isinstance(value, PurePath) else str(value)]
        else:
            known = ", ".join(sorted([*_VALUE_OPTIONS, *_SECONDS_OPTIONS, *_SWITCHES]))
            raise TypeError(f"Converter() got an unexpected keyword argument {name!r} (options: {known})")
    return flags


def _option_error(error: ValueError) -> ValueError:
    """The engine's message names the command-line flag; name the keyword argument instead."""
    message = str(error)
    for name, flag in [*_VALUE_OPTIONS.items(), *_SECONDS_OPTIONS.items()]:
        if message.startswith(flag + ":"):
            return ValueError(name + message[len(flag):])
    return error


def _read_source(source: Source, headers: Optional[dict[str, str]] = None) -> tuple[str, Optional[bytes]]:
    """(name, content) for bytes, file objects and URLs; (path, None) for a file to read."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "document", bytes(source)
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return (os.path.basename(name) if isinstance(name, str) else "document"), source.read()
    if hasattr(source, "stream") and hasattr(source, "name"):  # docling_core's DocumentStream
        source.stream.seek(0)
        return source.name, source.stream.read()
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        import urllib.request  # only here: it costs a tenth of the package's import time

        request = urllib.request.Request(source, headers=headers or {})
        with urllib.request.urlopen(request, timeout=_URL_TIMEOUT_SECONDS) as response:
            name = os.path.basename(urllib.request.url2pathname(response.url.split("?")[0])) or "document"
            return name, response.read()
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source), None
    raise TypeError(f"cannot convert {type(source).__name__}: give a path, bytes or a binary file object")


class _Submission:
    """One input on its way through the engine; the job is cancelled if it is abandoned."""

    def __init__(self, engine: "_pageflow.Engine", source: Source, stream_pages: bool, job_options: dict,
                 check_exists: bool, headers: Optional[dict[str, str]] = None):
        name, data = _read_source(source, headers)
        if data is None and check_exists and not os.path.exists(name):
            raise FileNotFoundError(2, "No such file", name)
        self.source = name
        self.job = engine.submit(name, data, stream_pages=stream_pages, **job_options)

    def next_event(self) -> Optional[dict]:
        """The next page or document from the engine; None once there is nothing more."""
        try:
            while True:
                event = self.job.next_event(_POLL_SECONDS)
                if event is not None:
                    return None if event["kind"] == "end" else event
        except BaseException:  # Ctrl-C while waiting: stop the pages still in the engine
            self.job.cancel("interrupted")
            raise

    def result(self) -> ConversionResult:
        while (event := self.next_event()) is not None:
            if event["kind"] == "document":
                return ConversionResult(event, self.source)
        raise RuntimeError(f"{self.source}: the engine finished without a result")


class _Done:
    """A result known without converting anything, queued among submissions."""

    def __init__(self, result: ConversionResult):
        self._result = result

    def result(self) -> ConversionResult:
        return self._result


class PageStream:
    """Iterator over one input's pages as they leave the pipeline (before the document-level
    pass: heading levels and furniture across pages are settled in ``result``). Once exhausted,
    ``result`` is the whole document's :class:`ConversionResult`."""

    def __init__(self, submission: _Submission):
        self._submission = submission
        self.result: Optional[ConversionResult] = None

    def __iter__(self) -> "PageStream":
        return self

    def __next__(self) -> Page:
        while (event := self._submission.next_event()) is not None:
            if event["kind"] == "document":
                self.result = ConversionResult(event, self._submission.source)
                continue
            line = json.loads(event["json"])
            return Page._from_engine(event["page"], source=self._submission.source, markdown=event["markdown"],
                                     elements=line["elements"], finished_at=event["at"])
        raise StopIteration

    def close(self) -> None:
        """Stops the conversion of the pages not yet taken."""
        self._submission.job.cancel("closed by the caller")


class Converter:
    """Converts PDFs and page images; loads the models once, on construction.

    Keyword arguments are the command line's conversion options (``pageflow --help``), with
    ``_`` for ``-``: ``cores``, ``mode``, ``render_workers``, ``layout_workers``, ``threads``,
    ``batch_size``, ``window``, ``pages``, ``password``, ``dpi``, ``layout``, ``picture_images``,
    ``table_engine``, ``layout_model``, ``layout_input`` (``"544x704"``), ``models_dir``, ``ocr`` (``"auto"``, ``"off"``,
    ``"force"``), ``ocr_engine``, ``ocr_languages``, ``ocr_pictures``, ``ocr_dpi``,
    ``ocr_workers``, ``page_timeout`` and ``timeout`` (seconds), ``max_pages``,
    ``max_file_size`` and ``memory_limit`` (MB), ``max_megapixels``. A bad value raises
    ``ValueError`` naming it; ``models_dir`` defaults to where set-up put the models.
    """

    def __init__(self, **options: Any):
        flags = _flags(options)
        try:
            self._engine: Optional[_pageflow.Engine] = _pageflow.Engine(flags)
        except ValueError as error:
            raise _option_error(error) from None

    @property
    def cores(self) -> int:
        """Cores the engine keeps busy."""
        return self._live_engine().cores

    def convert(self, source: Source, *, pages: Optional[str] = None, password: Optional[str] = None,
                timeout: Optional[float] = None) -> ConversionResult:
        """Converts one input: a path, ``pathlib.Path``, bytes or a binary file object.

        ``pages`` (``"1-3,7"``), ``password`` and ``timeout`` (seconds; pages not done by then are
        reported missing) override the converter's options for this input. Raises
        ``FileNotFoundError`` for a path that does not exist.
        """
        return self._submit(source, False, pages, password, timeout, check_exists=True).result()

    def convert_all(self, sources: Iterable[Source], *, pages: Optional[str] = None,
                    password: Optional[str] = None, timeout: Optional[float] = None,
                    lookahead: Optional[int] = None) -> Iterator[ConversionResult]:
        """Converts many inputs, yielding results in input order, each as soon as it and those
        before it are done, while later ones are still converting.

        At most ``lookahead`` inputs (default: twice the cores, at least 4) are submitted ahead
        of the one being yielded, so memory stays flat however many inputs there are. An input
        that cannot be read gives a ``failure`` result rather than an exception. Closing the
        iterator early cancels the inputs already submitted.
        """
        submit = functools.partial(self._submit, stream_pages=False, pages=pages, password=password,
                                   timeout=timeout, check_exists=False)
        return self._in_order(sources, submit, lookahead)

    def stream_pages(self, source: Source, *, pages: Optional[str] = None, password: Optional[str] = None,
                     timeout: Optional[float] = None) -> PageStream:
        """Converts one input and yields its pages as each leaves the pipeline (in page order)."""
        return PageStream(self._submit(source, True, pages, password, timeout, check_exists=True))

    def close(self) -> None:
        """Releases the engine (threads and models) once no result is being waited for."""
        self._engine = None

    def __enter__(self) -> "Converter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _in_order(self, sources: Iterable[Any], submit: Callable[[Any], Any],
                  lookahead: Optional[int]) -> Iterator[ConversionResult]:
        """Results of `submit(source)` (anything with .result()) in input order, at most
        `lookahead` submitted ahead of the one being waited for."""
        ahead = max(4, 2 * self.cores) if lookahead is None else lookahead
        if ahead < 1:
            raise ValueError(f"lookahead: expected 1 or more, got {lookahead!r}")
        pending: deque = deque()
        try:
            for source in sources:
                pending.append(submit(source))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for submission in pending:
                if isinstance(submission, _Submission):
                    submission.job.cancel("interrupted")

    def _live_engine(self) -> "_pageflow.Engine":
        if self._engine is None:
            raise RuntimeError("this Converter was closed")
        return self._engine

    def _submit(self, source: Source, stream_pages: bool, pages: Optional[str], password: Optional[str],
                timeout: Optional[float], check_exists: bool, headers: Optional[dict[str, str]] = None,
                tables: Optional[bool] = None) -> "_Submission":
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
            raise ValueError(f"timeout: expected a number of seconds above 0, got {timeout!r}")
        job_options = {"pages": pages, "password": password, "timeout": timeout, "tables": tables}
        return _Submission(self._live_engine(), source, stream_pages, job_options, check_exists, headers)
