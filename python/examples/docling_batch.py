"""A batch in the manner of docling's batch_convert example, on pageflow's drop-in: convert a
list of files without raising on failures, save the successes in docling-core's formats, log the
rest with their errors.

    python docling_batch.py OUT_DIR FILE...
"""
import logging
import sys
from pathlib import Path

from docling_core.types.doc import ImageRefMode

# from docling.datamodel.base_models import ConversionStatus
# from docling.document_converter import DocumentConverter
from pageflow.docling import ConversionStatus, DocumentConverter

_log = logging.getLogger(__name__)


def export_documents(conv_results, output_dir: Path):
    output_dir.mkdir(parents=True, exist_ok=True)
    counts = {status: 0 for status in ConversionStatus}
    for conv_res in conv_results:
        counts[conv_res.status] += 1
        if conv_res.status == ConversionStatus.SUCCESS:
            stem = conv_res.input.file.stem
            conv_res.document.save_as_json(output_dir / f"{stem}.json", image_mode=ImageRefMode.PLACEHOLDER)
            conv_res.document.save_as_markdown(output_dir / f"{stem}.md", image_mode=ImageRefMode.PLACEHOLDER)
            conv_res.document.save_as_html(output_dir / f"{stem}.html", image_mode=ImageRefMode.EMBEDDED)
        else:
            _log.info(f"Document {conv_res.input.file} was {conv_res.status.value}:")
            for item in conv_res.errors:
                _log.info(f"\t{item.error_message}")
    return counts


def main():
    logging.basicConfig(level=logging.INFO)
    output_dir, paths = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    converter = DocumentConverter()
    counts = export_documents(converter.convert_all(paths, raises_on_error=False), output_dir)
    print(" ".join(f"{status.value}={n}" for status, n in counts.items() if n))


if __name__ == "__main__":
    main()
